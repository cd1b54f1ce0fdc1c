"""Face sign-in, enrolment and withdrawal at a staff window, end to end.

A real daemon with a face terminal at window 3, the caller role built from a
config file exactly as ``run_kiosk.py --role caller --window 3`` builds it
(``kiosk.face_camera: {type: sim, frames: [...]}`` playing ORL faces written
as image files, ``kiosk.face_terminal``), Kivy offscreen and OpenCV.

Faces: the ORL database, courtesy of the Olivetti Research Laboratory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest

from hall.config import load_config
from hall.kiosk.app import build_root
from hall.kiosk.client import DaemonClient
from hall.kiosk.main import make_context
from hall.screens.caller.root import CallerRoot
from hall.vision import face_sim
from tests.kivy_harness import Widget, by_id, idle, idle_until, mount, screenshot, tap
from tests.sse import SseReader
from tests.support import PIN, Daemon, hall_config, write_config

pytestmark = pytest.mark.skipif(not face_sim.orl_available(), reason="ORL faces not here")

KEY = "ab" * 32
WINDOW, STAFF, PERSON = 3, "S003", 5
TERMINAL = {"name": "win3", "token": "terminal-token-3", "windows": [WINDOW]}
MANAGER = "manager-token-1"


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def live(person: int = PERSON, seed: int = 1) -> Iterator[np.ndarray]:
    """A person in front of the camera (face and head moving naturally)."""
    return face_sim.live_sequence(rng(seed), person, [1, 2, 3, 4, 5, 6, 7, 8], 40)


def stranger(seed: int = 2) -> Iterator[np.ndarray]:
    """Somebody who never enrolled (ORL person 33; these images read as live)."""
    return face_sim.live_sequence(rng(seed), 33, [6, 7], 40)


def two_people(seed: int = 3) -> list[np.ndarray]:
    """Two faces of about the same size side by side."""
    bg = face_sim.background(rng(seed))
    both = face_sim.place(bg, face_sim.orl(PERSON, 1), 180, 240, 1.8)
    return [face_sim.place(both, face_sim.orl(12, 1), 460, 240, 1.8)] * 10


def write_frames(folder: Path, frames: Iterable[np.ndarray]) -> list[str]:
    """Grey frames as PGM files (OpenCV reads them; only hall/drivers may import cv2)."""
    folder.mkdir(parents=True)
    paths = []
    for i, frame in enumerate(frames):
        path = folder / f"{i:03d}.pgm"
        path.write_bytes(b"P5\n%d %d\n255\n" % (frame.shape[1], frame.shape[0]) + frame.tobytes())
        paths.append(str(path))
    return paths


def daemon_config(terminals: list[dict] | None = None) -> dict:
    return hall_config(
        attendance={"terminals": terminals or [TERMINAL]}, face={"template_key": KEY}
    )


@pytest.fixture
def face_daemon(make_daemon: Callable[..., Daemon]) -> Daemon:
    """A daemon that knows window 3's face terminal."""
    return make_daemon(daemon_config())


@pytest.fixture
def make_caller(tmp_path: Path) -> Iterator[Callable[..., CallerRoot]]:
    """Factory: the caller role of window 3 from a config file, on screen, not signed in.

    ``frames`` is what the face camera plays (None: no face camera, so no
    face terminal). Every caller of a test shares the terminal's data folder.
    """
    made: list[CallerRoot] = []

    def make(
        daemon: Daemon,
        frames: Iterable[np.ndarray] | None = None,
        *,
        terminals: list[dict] | None = None,
        terminal: str = TERMINAL["name"],
    ) -> CallerRoot:
        n = len(made)
        kiosk: dict = {"daemon_url": daemon.base, "data_dir": str(tmp_path / "terminal")}
        if frames is not None:
            files = write_frames(tmp_path / f"camera-{n}", frames)
            kiosk |= {"face_camera": {"type": "sim", "frames": files}, "face_terminal": terminal}
        cfg = daemon_config(terminals) | {"kiosk": kiosk}
        ctx = make_context(load_config(write_config(tmp_path / f"caller-{n}.yaml", cfg)), "caller")
        root = build_root(ctx, "caller", WINDOW)
        made.append(root)
        return mount(root)

    yield make
    for root in made:
        root.shutdown()
        root.ctx.client.close()
        if root.ctx.face_terminal is not None:
            root.ctx.face_terminal.client.close()
        root.ctx.close()
    mount(Widget())


# -- helpers ----------------------------------------------------------------------------
def window(daemon: Daemon, number: int = WINDOW) -> dict:
    found = daemon.api(MANAGER).get("/windows").json()
    return next(w for w in found if w["number"] == number)


def consents(daemon: Daemon) -> list[dict]:
    return daemon.api(MANAGER).get("/attendance/consents").json()


def templates(root: CallerRoot) -> list[Path]:
    """The template files on this terminal (of anybody)."""
    return sorted(root.ctx.face_terminal.store.dir.iterdir())


def enrolled(root: CallerRoot, staff_id: str = STAFF) -> bool:
    """This terminal holds (and can decrypt) a template of ``staff_id``."""
    return root.ctx.face_terminal.store.load(staff_id) is not None


def pin_sign_in(root: CallerRoot, staff_id: str = STAFF) -> None:
    by_id(root, "login-staff").text = staff_id
    by_id(root, "login-pin").text = PIN
    tap(by_id(root, "btn-login"))
    assert idle_until(lambda: root.current == "panel", 5)
    assert idle_until(lambda: root.panel.services, 5)


def sign_out(root: CallerRoot) -> None:
    tap(by_id(root, "btn-logout"))
    assert idle_until(lambda: root.current == "login", 5)


def face_screen_says(root: CallerRoot, key: str, timeout: float = 15) -> bool:
    """The face screen shown came to rest with the words of ``key``."""
    screen = root.current_screen
    return idle_until(
        lambda: screen.message_key == key and screen.state not in ("watching", "working"), timeout
    )


def message(root: CallerRoot) -> str:
    hall_id = "face-status" if root.current == "face-signin" else "face-message"
    return by_id(root.current_screen, hall_id).text


def enrol_on_panel(root: CallerRoot) -> None:
    """Signed in: enrol my face, agree, wait until it is done."""
    tap(by_id(root, "btn-face-enrol"))
    assert root.current == "face-enrol" and root.face.enrol.state == "consent"
    tap(by_id(root.face.enrol, "btn-consent-agree"))
    assert face_screen_says(root, "face_caller.enrolled"), message(root)


def enrol_directly(daemon: Daemon, root: CallerRoot, frames: Iterable[np.ndarray]) -> None:
    """Set-up without the screens: S003 enrols on this terminal with their own token."""
    r = daemon.api(None).post("/staff/login", {"staff_id": STAFF, "pin": PIN, "window": WINDOW})
    staff = DaemonClient(daemon.base, r.json()["token"])
    root.ctx.face_terminal.enrol_staff(staff, STAFF, frames)
    staff.logout()
    staff.close()


def face_sign_in(root: CallerRoot) -> None:
    tap(by_id(root, "btn-face-signin"))
    assert root.current == "face-signin"


# -- tests ------------------------------------------------------------------------------
def test_enrol_on_the_panel_then_sign_in_by_face(face_daemon: Daemon, make_caller) -> None:
    root = make_caller(face_daemon, live())
    screenshot("caller-face-login")
    pin_sign_in(root)
    screenshot("caller-face-panel")
    tap(by_id(root, "btn-face-enrol"))
    words = message(root)
    for said in ("不保存照片", "只存在这台终端上", "考勤", "撤回人脸", "工号和密码"):
        assert said in words
    screenshot("caller-face-consent")
    assert templates(root) == [] and consents(face_daemon) == []
    tap(by_id(root.face.enrol, "btn-consent-agree"))
    assert face_screen_says(root, "face_caller.enrolled"), message(root)
    screenshot("caller-face-enrolled")
    assert enrolled(root) and len(templates(root)) == 1
    given = consents(face_daemon)
    assert [(c["staff_id"], c["terminal"]) for c in given] == [(STAFF, TERMINAL["name"])]
    tap(by_id(root.face.enrol, "btn-enrol-back"))
    assert root.current == "panel"
    sign_out(root)
    assert window(face_daemon)["state"] == "closed"

    events = SseReader(face_daemon.base, MANAGER)
    try:
        face_sign_in(root)
        assert idle_until(lambda: root.current == "panel", 15), message(root)
        recorded = events.next_of("attendance.recorded").data
    finally:
        events.close()
    assert (recorded["staff_id"], recorded["kind"], recorded["method"]) == (
        STAFF,
        "checkin",
        "face",
    )
    assert STAFF in by_id(root, "panel-staff").text
    opened = window(face_daemon)
    assert (opened["state"], opened["staff_id"]) == ("open", STAFF)
    # The panel works with the token the face check-in gave, as after id + PIN.
    kiosk = face_daemon.api("kiosk-token-1")
    number = kiosk.post("/tickets", {"service": "other"}).json()["number"]
    assert idle_until(lambda: root.panel.queue, 5)
    tap(by_id(root, "btn-call"))
    assert idle_until(lambda: window(face_daemon)["ticket_number"] == number, 5)


def test_refusing_consent_records_nothing(face_daemon: Daemon, make_caller) -> None:
    root = make_caller(face_daemon, live())
    pin_sign_in(root)
    tap(by_id(root, "btn-face-enrol"))
    tap(by_id(root.face.enrol, "btn-consent-refuse"))
    assert root.current == "panel"
    assert by_id(root, "panel-message").text == "没有录入人脸。您照常用工号和密码签到。"
    assert consents(face_daemon) == []
    assert templates(root) == []
    # Withdrawing what was never given says so.
    tap(by_id(root, "btn-face-withdraw"))
    tap(by_id(root.face.enrol, "btn-withdraw-confirm"))
    assert face_screen_says(root, "face_caller.not_enrolled"), message(root)


def test_a_photo_does_not_sign_in_and_the_pin_form_stays(face_daemon: Daemon, make_caller) -> None:
    photo = face_sim.photo_sequence(rng(4), PERSON, 6, 30, moving=False)
    root = make_caller(face_daemon, photo)
    enrol_directly(face_daemon, root, live(seed=5))
    face_sign_in(root)
    assert face_screen_says(root, "face_caller.why_not_live"), message(root)
    assert "照片" in message(root)
    assert window(face_daemon)["state"] == "closed"
    assert by_id(root.face.signin, "btn-face-retry").shown
    assert root.face.signin.preview is None  # the picture goes with the decision
    screenshot("caller-face-failed")
    tap(by_id(root.face.signin, "btn-language"))
    assert "photo" in message(root)
    tap(by_id(root.face.signin, "btn-face-retry"))
    assert face_screen_says(root, "face_caller.why_not_live"), message(root)
    tap(by_id(root.face.signin, "btn-face-pin"))
    assert root.current == "login"
    pin_sign_in(root)
    assert window(face_daemon)["state"] == "open"


def test_a_person_never_enrolled_is_not_signed_in(face_daemon: Daemon, make_caller) -> None:
    root = make_caller(face_daemon, stranger())
    enrol_directly(face_daemon, root, live(seed=6))
    face_sign_in(root)
    # The live picture while the terminal decides (best effort: a decision takes well under 1 s).
    if idle_until(lambda: root.face.signin.preview is not None, 5):
        screenshot("caller-face-watching")
    assert face_screen_says(root, "face_caller.why_no_match"), message(root)
    assert "没有认出您" in message(root)
    assert root.current == "face-signin"
    assert window(face_daemon)["state"] == "closed"


def test_withdrawing_stops_face_sign_in(face_daemon: Daemon, make_caller) -> None:
    root = make_caller(face_daemon, live())
    pin_sign_in(root)
    enrol_on_panel(root)
    tap(by_id(root.face.enrol, "btn-enrol-back"))
    tap(by_id(root, "btn-face-withdraw"))
    assert "删除" in message(root) and "工号和密码" in message(root)
    screenshot("caller-face-withdraw")
    assert enrolled(root)
    tap(by_id(root.face.enrol, "btn-withdraw-confirm"))
    assert face_screen_says(root, "face_caller.withdrawn"), message(root)
    assert templates(root) == []
    assert consents(face_daemon) == []
    tap(by_id(root.face.enrol, "btn-enrol-back"))
    sign_out(root)
    face_sign_in(root)
    assert face_screen_says(root, "face_caller.why_no_match"), message(root)
    assert window(face_daemon)["state"] == "closed"


def test_enrolment_failures_are_said_and_keep_nothing(
    make_daemon: Callable[..., Daemon], make_caller
) -> None:
    # The daemon knows win3; this terminal calls itself win9 (a config mistake).
    daemon = make_daemon(daemon_config())
    win9 = {"name": "win9", "token": "terminal-token-9", "windows": [WINDOW]}
    refused = make_caller(daemon, live(), terminals=[win9], terminal="win9")
    pin_sign_in(refused)
    tap(by_id(refused, "btn-face-enrol"))
    tap(by_id(refused.face.enrol, "btn-consent-agree"))
    assert face_screen_says(refused, "face_caller.enrol_refused"), message(refused)
    assert "终端win9不存在" in message(refused)
    assert by_id(refused.face.enrol, "btn-enrol-retry").shown
    assert templates(refused) == [] and consents(daemon) == []
    # The camera drops out: said, and nothing recorded.
    refused.ctx.face_camera.set_offline()
    tap(by_id(refused.face.enrol, "btn-enrol-retry"))
    assert face_screen_says(refused, "face_caller.enrol_camera"), message(refused)
    assert "摄像头没有画面" in message(refused)
    tap(by_id(refused.face.enrol, "btn-enrol-back"))
    sign_out(refused)

    crowded = make_caller(daemon, two_people())
    pin_sign_in(crowded)
    tap(by_id(crowded, "btn-face-enrol"))
    tap(by_id(crowded.face.enrol, "btn-consent-agree"))
    assert face_screen_says(crowded, "face_caller.enrol_two_faces"), message(crowded)
    assert templates(crowded) == [] and consents(daemon) == []


def test_an_idle_face_screen_goes_back_and_forgets(face_daemon: Daemon, make_caller) -> None:
    root = make_caller(face_daemon, stranger())
    now = [1000.0]
    root.face.clock = lambda: now[0]
    face_sign_in(root)  # nobody enrolled: "not recognised" at once
    assert face_screen_says(root, "face_caller.why_no_match"), message(root)
    now[0] += root.ctx.settings.idle_timeout_s - 1
    root.face.tick()
    assert root.current == "face-signin"
    now[0] += 1
    root.face.tick()
    assert root.current == "login" and root.face.signin.message_key == ""
    idle(3)  # the screen manager shows the form in the next frames

    pin_sign_in(root)
    tap(by_id(root, "btn-face-enrol"))
    now[0] += root.ctx.settings.idle_timeout_s
    root.face.tick()
    assert root.current == "panel" and root.face.enrol.message_key == ""
    assert consents(face_daemon) == []


def test_no_face_terminal_no_face_buttons(face_daemon: Daemon, make_caller) -> None:
    root = make_caller(face_daemon)
    assert root.face is None and root.ctx.face_terminal is None
    with pytest.raises(LookupError):
        by_id(root, "btn-face-signin")
    pin_sign_in(root)
    for hall_id in ("btn-face-enrol", "btn-face-withdraw"):
        with pytest.raises(LookupError):
            by_id(root, hall_id)
    # The slot holds the panel's other tools only (首问登记, 请假, …), no face button.
    tools = [getattr(b, "hall_id", "") for b in root.panel.ids.face_slot.children]
    assert "btn-enquiry" in tools and not [t for t in tools if "face" in t]
    assert root.screen_names[:2] == ["login", "panel"]  # the 办件 screens follow
    assert [name for name in root.screen_names if "face" in name] == []
