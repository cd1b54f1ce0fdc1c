"""领导签到 at the kiosk: a 分管领导 without a window signs in with their PIN.

The seed: "分管领导每月必须到中心签到2次". ``POST /api/v1/leaders/sign-in`` {id, pin} takes
a kiosk's or a face terminal's token only (hall/queue/web/api/leaders.py); the caller
panel holds no token before a clerk signs in and a staff token after, both refused, so
the sign-in lives on the kiosk (decision; docs/ARCHITECTURE.md).

It is no citizen's function, so home shows no button for it: holding the hall's name
in the blue bar for :data:`HOLD_S` seconds (:class:`StaffCorner`) opens the screen on a
kiosk whose config names leaders (``leaders:``; the kiosk reads the same config.yaml,
and takes only their ids, names and titles). The leader taps their name, types the
PIN on the keypad and sees "已签到" with the month's count against the required one; a
wrong PIN or the daemon's lock is said in its words. Idle returns home and forgets the
PIN (the root's idle rule); so does leaving.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty

from hall.kiosk.client import DaemonError
from hall.kiosk.entry import DELETE
from hall.screens.kiosk.keypad import Keypad  # noqa: F401 - used in kv
from hall.screens.kiosk.ui import Palette, ui
from hall.screens.kiosk.widgets import FlatButton, KioskScreen

#: Seconds the hall's name is held before the leaders' screen opens.
HOLD_S = 3.0
#: PINs are 4 to 12 digits (the daemon's LeaderSignInBody).
PIN_MIN, PIN_MAX = 4, 12


class StaffCorner:
    """The staff-only corner of home: the hall's name held for ``HOLD_S`` opens ``on_open``.

    Times come from the kiosk's clock (the one its time-outs read), so a test moves a
    fake clock instead of waiting.
    """

    def __init__(self, kiosk: Any, on_open: Callable[[], None]) -> None:
        self.kiosk, self.on_open = kiosk, on_open
        self._held: tuple[Any, float] | None = None

    def _target(self) -> Any:
        return next(
            (w for w in self.kiosk.home.walk() if getattr(w, "hall_id", "") == "hall-name"), None
        )

    def down(self, touch: Any) -> None:
        """A touch starts: remember it if it is on the hall's name on home."""
        self._held = None
        label = self._target()
        if self.kiosk.current != "home" or label is None or not self.kiosk.ctx.leaders:
            return
        if label.collide_point(*label.to_widget(*touch.pos)):
            self._held = (touch.uid, self.kiosk.clock())

    def up(self, touch: Any) -> bool:
        """The touch ends: True (and the screen opened) when it was held long enough."""
        held, self._held = self._held, None
        if held is None or held[0] != touch.uid or self.kiosk.clock() - held[1] < HOLD_S:
            return False
        self.on_open()
        return True


class LeaderScreen(KioskScreen):
    """Pick the leader, type the PIN, see the month's count."""

    state = OptionProperty("pick", options=["pick", "pin", "sending", "done"])
    leader_id = StringProperty("")
    leader_name = StringProperty("")
    pin = StringProperty("")
    error = StringProperty("")
    result = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._answer: dict | None = None
        super().__init__(**kwargs)

    def open(self) -> None:
        """The list of leaders, nothing typed."""
        self.clear_personal()

    def _build(self) -> None:
        grid = self.ids.leaders
        grid.clear_widgets()
        if self.kiosk is None:
            return
        for leader in self.kiosk.ctx.leaders:
            chosen = leader["id"] == self.leader_id
            title = f"\n{leader['title']}" if leader.get("title") else ""
            button = FlatButton(
                hall_id=f"leader-{leader['id']}",
                text=f"{leader['name']}{title}",
                font_base=34,
                size_hint_y=None,
                height=130 * ui.box,
                bg=Palette.BLUE if chosen else Palette.CARD,
                fg=Palette.WHITE if chosen else Palette.BLUE,
            )
            button.bind(
                on_release=lambda _b, lid=leader["id"]: self.choose(lid),
                texture_size=lambda b, size: setattr(b, "height", max(130 * ui.box, size[1] + 24)),
            )
            grid.add_widget(button)

    def choose(self, leader_id: str) -> None:
        """A leader tapped their name: the PIN next."""
        leader = next(m for m in self.kiosk.ctx.leaders if m["id"] == leader_id)
        self.leader_id, self.leader_name = leader_id, leader["name"]
        self.pin = self.error = ""
        self.state = "pin"
        self._build()

    def press(self, key: str) -> None:
        """A keypad key: the PIN (shown as dots)."""
        if key == DELETE:
            self.pin = self.pin[:-1]
        elif len(self.pin) < PIN_MAX:
            self.pin += key
        self.error = ""

    def send(self) -> None:
        """签到: the id and PIN to the daemon with this kiosk's token."""
        if self.state != "pin" or len(self.pin) < PIN_MIN or self.kiosk is None:
            return
        self.state = "sending"
        leader_id, pin, client = self.leader_id, self.pin, self.kiosk.ctx.client
        self.pin = ""  # not kept on screen while the daemon checks it
        self.kiosk.run_job(lambda: client.leader_sign_in(leader_id, pin), self._done, self._refused)

    def _done(self, answer: dict) -> None:
        if self.state != "sending":  # left (idle) meanwhile
            return
        self._answer = answer
        self.state = "done"
        self.relabel()

    def _refused(self, err: DaemonError) -> None:
        if self.state == "sending":
            self.state = "pin"
        self.error = err.text(ui.lang)

    def dots(self, pin: str) -> str:
        """The PIN as dots (never its digits)."""
        return "●" * len(pin)

    def relabel(self) -> None:
        """The leaders' buttons and the answer in the current language."""
        self._build()
        a = self._answer
        if a is not None:
            self.result = ui.t(
                "leader.done",
                name=a.get("name", self.leader_name),
                visits=a.get("visits", 0),
                required=a.get("required", 0),
            )

    def clear_personal(self) -> None:
        """Forget the leader, PIN and answer (idle, home)."""
        self._answer = None
        self.leader_id = self.leader_name = self.pin = self.error = self.result = ""
        self.state = "pick"
        if "leaders" in self.ids:
            self._build()


Builder.load_file(str(Path(__file__).with_name("leader.kv")))
