"""自助申报 on the kiosk, end to end: real daemon, real Kivy, simulated camera and printer.

The camera plays generated scenes (tests/vision/doc_scenes.py); a test puts
the scene it wants in front of the camera by handing the kiosk a SimCamera of
that one scene. Cases go to a TerminalOutbox in tmp_path that forwards to the
module's daemon.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import tests.kivy_harness as h
from hall.catalogue import load_catalogue
from hall.drivers.camera import SimCamera
from hall.drivers.sim.printer import SimState
from hall.kiosk.outbox import TerminalOutbox
from hall.workdays import WorkCalendar
from tests.escpos_decode import decode
from tests.kiosk.submission_helpers import ID_NUMBER as OWNER_ID
from tests.kiosk.submission_helpers import draft, fill_case, kiosk_outbox
from tests.support import Daemon, make_id
from tests.vision.doc_scenes import make_scene

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk

CATALOGUE = load_catalogue()
CALENDAR = WorkCalendar.load()
ID_NUMBER = make_id("11010519800101123")
#: One terminal code per test: receipts restart at 0001 in each new outbox, and the
#: module's daemon refuses a receipt twice (as a hall must: codes are per terminal).
CODES = itertools.count(10)
MATTER = "GA-HZ-001"  # 居民户口簿补领: two mandatory materials by camera, text and choice fields


@functools.cache
def scene(seed: int, kind: str = "clean"):  # a BGR frame
    return make_scene(seed, kind).image


class Terminal:
    """A kiosk with submission set up, its outbox and a camera the test can swap."""

    def __init__(self, kiosk: Kiosk, outbox: TerminalOutbox) -> None:
        self.kiosk = kiosk
        self.outbox = outbox
        self.cameras: list[SimCamera] = []

    def show(self, frame) -> None:  # what the camera sees from now on
        camera = SimCamera([frame])
        self.cameras.append(camera)
        self.kiosk.root.ctx.camera = camera


@pytest.fixture
def terminal(
    hall_daemon: Daemon, make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> Iterator[Terminal]:
    with kiosk_outbox(
        hall_daemon.base, tmp_path / "outbox", "自助机UI", str(next(CODES))
    ) as outbox:
        first = SimCamera([scene(200)])
        extra = {"catalogue": CATALOGUE, "calendar": CALENDAR, "outbox": outbox, "camera": first}
        term = Terminal(make_kiosk(hall_daemon.base, ctx_extra=extra), outbox)
        term.cameras.append(first)
        yield term
        term.kiosk.root.submit.shutdown()  # no camera read after the cameras close
    for camera in term.cameras:
        camera.close()


def choose_matter(k: Kiosk, shots: bool = False) -> None:
    k.tap("submit")
    k.on("matters")
    k.tap("kw-户口")
    if shots:
        h.screenshot("kiosk-submit-matters")
    k.tap(f"matter-{MATTER}")
    k.on("matter")
    if shots:
        h.screenshot("kiosk-submit-guide")
    k.tap("start")
    k.on("identify")


def identify(k: Kiosk, shots: bool = False) -> None:
    k.type(ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2"))
    assert k.widget("identify-hint").text == "身份证号码校验位不正确,请核对号码"
    assert k.widget("next").disabled
    k.type("<" + ID_NUMBER[17])
    k.root.submit.identify.ids.name.text = "王小明"  # what the input method types
    k.tap("phone-box")
    k.type("13912345678")
    assert k.widget("phone-box").value == "139 1234 5678"
    if shots:
        h.screenshot("kiosk-submit-identify")
    k.tap("next")
    k.on("form")


def fill_form(k: Kiosk, shots: bool = False) -> None:
    k.tap("next")  # nothing filled: every problem shows under its field
    assert k.root.current == "form"
    assert k.widget("error-householder_name").text == "请填写户主姓名"
    assert k.widget("error-reason").text == "请填写补领原因"
    k.widget("field-householder_name").text = "王大明"
    k.widget("field-address").text = "杭州市示范区人民路1号"
    k.tap("opt-reason-0")
    assert k.widget("error-householder_name").text == "" and k.widget("form-summary").text == ""
    if shots:
        h.screenshot("kiosk-submit-form")
    k.tap("next")
    k.on("capture")


def shoot(term: Terminal, frame, verdict: str) -> None:
    k = term.kiosk
    term.show(frame)
    k.tap("shoot")
    k.wait(lambda: k.root.submit.capture.state == "result", 20)
    assert k.root.submit.capture.result.verdict == verdict


def test_full_submission_ends_with_receipt_durable_forwarded_and_printed(
    hall_daemon: Daemon, terminal: Terminal
) -> None:
    k = terminal.kiosk
    choose_matter(k, shots=True)
    identify(k, shots=True)
    fill_form(k, shots=True)
    k.wait(lambda: k.root.submit.capture.preview is not None)
    assert "居民身份证" in k.widget("capture-material").text
    # A blurry photo is refused with the reason; a retake of a sharp page is used.
    shoot(terminal, scene(201, "blur"), "blurry")
    assert "太模糊" in k.widget("capture-verdict").text
    assert k.widget("use").disabled and k.widget("use").opacity == 0
    k.tap("retake")
    assert k.root.submit.capture.state == "preview"
    shoot(terminal, scene(202), "ok")
    assert k.widget("capture-verdict").text == "照片清晰，可以使用"
    h.screenshot("kiosk-submit-capture")
    k.tap("use")
    k.wait(lambda: k.root.submit.capture.index == 1 and k.root.submit.capture.state == "preview")
    shoot(terminal, scene(203), "ok")
    k.tap("use")
    k.on("review")
    assert "材料齐全" in k.widget("review-banner").text
    h.screenshot("kiosk-submit-review")
    today = k.root.ctx.now().date()
    k.tap("submit")
    k.on("notice")
    notice = k.root.submit.notice
    k.wait(lambda: notice.print_state == "printed")
    receipt = notice.receipt
    assert k.widget("notice-receipt").text == receipt and receipt.startswith(
        "ZZ" + terminal.outbox.terminal_code
    )
    promised = CALENDAR.add_working_days(today, CATALOGUE[MATTER].promised_days)
    assert k.widget("notice-title").text == "受理通知书"
    assert promised.isoformat() in k.widget("notice-key").text
    h.screenshot("kiosk-submit-notice")
    # Durable on the terminal, then forwarded: the daemon lists it.
    assert [c["receipt"] for c in terminal.outbox.cases()] == [receipt]
    k.wait(lambda: terminal.outbox.cases("forwarded"))
    listed = hall_daemon.api("manager-token-1").get("/submissions").json()["submissions"]
    case = next(c for c in listed if c["receipt"] == receipt)
    assert case["matter"] == MATTER and case["status"] == "received" and case["missing"] == []
    text = "\n".join(decode(k.sim.output).lines)
    assert "受理通知书" in text and f"回执编号：{receipt}" in text
    assert f"承诺办结日期：{promised:%Y年%m月%d日}" in text and "王*明" in text
    # Nothing personal is left in the flow once the notice shows.
    assert k.root.submit.flow.empty


def test_skipped_mandatory_material_gives_a_correction_notice(terminal: Terminal) -> None:
    k = terminal.kiosk
    choose_matter(k)
    identify(k)
    fill_form(k)
    shoot(terminal, scene(204), "ok")
    k.tap("use")
    k.wait(lambda: k.root.submit.capture.index == 1)
    k.tap("skip")  # 户口簿补领申请: mandatory, not given
    k.on("review")
    assert "有1项必交材料未提供" in k.widget("review-banner").text
    k.tap("submit")
    k.on("notice")
    k.wait(lambda: k.root.submit.notice.print_state == "printed")
    assert k.widget("notice-title").text == "补正材料通知书"
    assert "户口簿补领申请" in k.widget("notice-key").text
    today = k.root.ctx.now().date()
    by = CALENDAR.add_working_days(today, k.settings.correction_days)
    assert f"请于 {by.isoformat()} 前补齐" in k.widget("notice-key").text
    assert f"补正地点：{k.settings.correction_place}" in k.widget("notice-key").text
    lines = decode(k.sim.output).lines
    assert "补正材料通知书" in "\n".join(lines)
    assert any("1. 户口簿补领申请" in line for line in lines)
    assert not any("经审查" in line for line in lines)
    assert any(f"请于{by:%Y年%m月%d日}前" in line for line in lines)
    assert not any("承诺办结日期" in line for line in lines)


def test_idle_timeout_anywhere_clears_everything_personal(terminal: Terminal) -> None:
    k = terminal.kiosk
    choose_matter(k)
    identify(k)
    fill_form(k)
    shoot(terminal, scene(205), "ok")
    k.tap("use")
    k.wait(lambda: k.root.submit.capture.index == 1)
    flow = k.root.submit.flow
    assert flow.shots and flow.name and flow.id_entry.value and flow.values
    k.root.tick(k.root.last_touch + 4.9)  # idle_timeout_s is 5 here
    assert k.root.current == "capture"
    k.clock.advance(5)
    k.on("home")
    assert flow.empty and flow.matter is None and flow.shots == {}
    screens = k.root.submit
    assert screens.capture.page is None and screens.capture.preview is None
    assert screens.identify.id_text == "" and screens.identify.ids.name.text == ""
    assert screens.form.boxes == {} and screens.review.ids.body.children == []
    # The next citizen starts from nothing.
    choose_matter(k)
    assert k.widget("id-box").value == "" and k.root.submit.identify.ids.name.text == ""


def test_progress_lookup_shows_status_and_refuses_a_wrong_pair(
    hall_daemon: Daemon, terminal: Terminal
) -> None:
    k = terminal.kiosk
    draft_receipt = terminal.outbox.store(draft(3, matter=MATTER)).receipt
    k.wait(lambda: terminal.outbox.cases("forwarded"))
    owner = OWNER_ID
    k.tap("progress")
    k.on("progress")
    k.type(draft_receipt[2:])  # "ZZ" is there already
    assert k.widget("receipt-box").value == draft_receipt
    k.type(ID_NUMBER)  # the wrong person's ID number
    k.tap("query")
    k.wait(lambda: k.root.submit.progress.error)
    assert "不存在" in k.widget("progress-error").text
    k.type("<" * 18 + owner)
    k.tap("query")
    k.wait(lambda: k.root.submit.progress.showing)
    assert k.widget("progress-status").text == "已接收"
    assert any(draft_receipt in t for t in h.texts(k.root))
    h.screenshot("kiosk-progress")
    k.tap("language")
    assert k.widget("progress-status").text == "Received"


def test_paper_out_keeps_the_notice_on_screen_with_the_receipt(terminal: Terminal) -> None:
    k = terminal.kiosk
    k.sim.model.state = SimState.PAPER_OUT
    flow = k.root.submit.flow  # filled directly: the taps are covered above
    fill_case(flow, CATALOGUE[MATTER], ID_NUMBER)
    k.root.submit.open_review()
    k.on("review")
    k.tap("submit")
    k.on("notice")
    notice = k.root.submit.notice
    k.wait(lambda: notice.print_state == "failed")
    assert k.sim.output == b"" and notice.receipt.startswith("ZZ")
    message = k.widget("notice-print").text
    assert "缺纸" in message and "拍下本页" in message and notice.receipt in message
    shown = notice.shown_at
    k.root.tick(shown + 200)  # notice_screen_s is 90, without paper 240
    assert k.root.current == "notice"
    k.root.tick(shown + 240)
    k.on("home")
    assert notice.receipt == "" and notice.qr is None


def test_name_is_typed_on_the_onscreen_pinyin_keyboard(terminal: Terminal) -> None:
    """No card reader, no system input method: 张三 by taps on the rendered keyboard."""
    k = terminal.kiosk
    choose_matter(k)
    k.type(ID_NUMBER)
    assert k.root.submit.identify.active == "name"
    keyboard = k.widget("kb-z").parent.parent.parent
    assert keyboard.height > 0 and keyboard.opacity == 1
    for key in "zhang":
        k.tap(f"kb-{key}")
    assert k.widget("pinyin-letters").text == "zhang"
    assert k.widget("cand-0").text == "张"  # a common surname first
    k.tap("cand-0")
    for key in "san":
        k.tap(f"kb-{key}")
    pick = next(i for i in range(6) if k.widget(f"cand-{i}").text == "三")
    k.tap(f"cand-{pick}")
    assert k.root.submit.identify.ids.name.text == "张三"
    assert k.root.submit.flow.name == "张三"
    h.screenshot("kiosk-submit-pinyin")
    # A wrong character is deleted; ABC writes Latin capitals.
    k.tap("kb-del")
    assert k.root.submit.flow.name == "张"
    k.tap("kb-mode")
    k.tap("kb-l")
    k.tap("kb-i")
    assert k.root.submit.flow.name == "张LI"
    k.tap("kb-del")
    k.tap("kb-del")
    k.tap("kb-mode")
    k.tap("kb-s")
    k.tap("kb-a")
    k.tap("kb-n")
    k.tap(f"cand-{pick}")
    k.tap("phone-box")
    assert keyboard.height == 0
    k.type("13912345678")
    assert not k.widget("next").disabled
    k.tap("next")
    k.on("form")
    assert k.root.submit.flow.name == "张三"


@pytest.mark.parametrize("large", [False, True])
def test_pinyin_keys_are_large_touch_targets(terminal: Terminal, large: bool) -> None:
    from kivy.metrics import dp

    k = terminal.kiosk
    if large:
        k.tap("large-text")
    choose_matter(k)
    k.type(ID_NUMBER)
    keys = [k.widget(f"kb-{c}") for c in "qazm1"] + [k.widget("cand-0"), k.widget("kb-del")]
    floor = dp(60) if large else dp(48)
    for key in keys:
        assert key.height >= floor and key.width >= floor, key.hall_id
    # The whole keyboard is on screen, above the back/next buttons.
    assert (
        k.widget("kb-mode").to_window(*k.widget("kb-mode").pos)[1]
        >= k.widget("next").to_window(*k.widget("next").pos)[1] + k.widget("next").height
    )


def test_mailing_without_an_address_is_refused_and_the_address_is_typed_on_screen(
    terminal: Terminal,
) -> None:
    """邮寄到家 needs the address: the form names it; the keyboard fills it by taps."""
    k = terminal.kiosk
    flow = k.root.submit.flow
    fill_case(flow, CATALOGUE["GA-HZ-002"], ID_NUMBER)  # 居民身份证补领: 领证方式
    flow.values = {"reason": "遗失"}
    k.root.submit.open_form()
    k.on("form")
    k.tap("opt-delivery-1")  # 邮寄到家
    k.tap("next")
    assert k.root.current == "form"
    assert k.widget("error-mail_address").text == "选择“邮寄到家”时，请填写邮寄地址"
    assert k.widget("form-summary").text
    # The address by taps: the on-screen keyboard opens under the form.
    k.tap("field-mail_address")
    for letters, char in (("ren", "人"), ("min", "民"), ("1", ""), ("hao", "号")):
        for key in letters:
            k.tap(f"kb-{key}")
        if char:
            k.tap(next(f"cand-{i}" for i in range(6) if k.widget(f"cand-{i}").text == char))
    assert flow.values["mail_address"] == "人民1号"
    assert k.widget("error-mail_address").text == ""
    k.tap("next")
    k.on("capture")


def test_progress_prefills_zz_masks_the_id_and_shows_correction_in_amber(
    terminal: Terminal,
) -> None:
    from hall.screens.kiosk.status import STATUS_COLOURS
    from hall.screens.kiosk.ui import Palette

    k = terminal.kiosk
    missing = draft(4, matter=MATTER, missing=["户口簿补领申请"])
    receipt = terminal.outbox.store(missing).receipt
    k.wait(lambda: terminal.outbox.cases("forwarded"))
    k.tap("progress")
    k.on("progress")
    assert k.widget("receipt-box").value == "ZZ"  # the receipt prefix, already there
    k.type(receipt[2:])  # 14 taps, not 16
    assert k.widget("receipt-box").value == receipt
    k.type(OWNER_ID)
    k.tap("query")
    k.wait(lambda: k.root.submit.progress.showing)
    status = k.widget("progress-status")
    assert status.text == "待补正"
    assert tuple(status.color) == tuple(Palette.AMBER_INK) == STATUS_COLOURS["needs_correction"]
    shown = " ".join(h.texts(k.root))
    assert OWNER_ID[6:14] not in shown.replace(" ", "")  # no birth date on screen
    assert k.widget("id-box").value.replace(" ", "").endswith(OWNER_ID[-4:])
    assert "*" in k.widget("id-box").value


def test_progress_fills_the_receipt_from_the_notice_qr_code(terminal: Terminal) -> None:
    from tests.drivers.qr_scenes import qr_scene

    k = terminal.kiosk
    receipt = terminal.outbox.store(draft(5, matter=MATTER, missing=["户口簿补领申请"])).receipt
    k.wait(lambda: terminal.outbox.cases("forwarded"))
    k.tap("progress")
    k.on("progress")
    # The camera sees the printed notice: the QR code carries the notice's progress link.
    terminal.show(qr_scene(k.settings.progress_url.format(receipt=receipt), 11, 0.45))
    k.tap("scan")
    k.wait(lambda: k.widget("receipt-box").value == receipt, 20)
    assert k.root.submit.progress.active == "id" and not k.root.submit.progress.scanning
    k.type(OWNER_ID)
    k.tap("query")
    k.wait(lambda: k.root.submit.progress.showing)
    assert k.widget("progress-status").text == "待补正"


def test_progress_scan_refuses_a_foreign_code_and_says_when_it_finds_none(
    terminal: Terminal,
) -> None:
    from tests.drivers.qr_scenes import qr_scene

    k = terminal.kiosk
    progress = k.root.submit.progress
    k.tap("progress")
    k.on("progress")
    terminal.show(qr_scene(k.settings.follow_url.format(id=42), 12, 0.45))  # a queue ticket
    k.tap("scan")
    k.wait(lambda: progress.error, 20)
    assert "不是受理或补正通知书" in k.widget("progress-error").text
    assert k.widget("receipt-box").value == "ZZ" and not progress.scanning
    progress.scan_frames = 3  # give up after 3 frames without a code (40 on the kiosk)
    terminal.show(scene(206, "empty"))
    k.tap("scan")
    assert progress.scanning and "二维码" in k.widget("progress-error").text  # what to do now
    k.wait(lambda: progress.error, 20)
    assert "没有找到二维码" in k.widget("progress-error").text and not progress.scanning
    assert k.widget("receipt-box").value == "ZZ"


def test_progress_ignores_a_frame_read_for_an_earlier_scan(terminal: Terminal) -> None:
    """A frame still in flight when the citizen taps scan again belongs to the old scan."""
    k = terminal.kiosk
    progress = k.root.submit.progress
    k.tap("progress")
    k.on("progress")
    k.tap("scan")
    old = progress.scan_id
    k.tap("scan")  # stop
    k.tap("scan")  # and look again
    assert progress.scanning and progress.scan_id != old
    progress.scan_result("http://elsewhere.example/t/1", old)  # the old scan's late frame
    assert progress.scanning and progress.error == ""
    progress.scan_result("http://elsewhere.example/t/1", progress.scan_id)
    assert not progress.scanning and "不是受理或补正通知书" in k.widget("progress-error").text


def test_progress_offers_no_scan_without_a_camera(terminal: Terminal) -> None:
    k = terminal.kiosk
    k.root.ctx.camera = None
    k.tap("progress")
    k.on("progress")
    scan = k.widget("scan")
    assert scan.disabled and scan.opacity == 0 and scan.width == 0
    k.root.submit.progress.start_scan()  # nothing happens
    assert not k.root.submit.progress.scanning


def _visible(root) -> list:  # a widget tree
    """Widgets a citizen can see: not hidden (opacity 0 or no width) nor inside a hidden one."""
    out = []

    def walk(w, shown: bool) -> None:
        shown = shown and w.opacity > 0 and w.width > 0 and w.height > 0
        if shown:
            out.append(w)
        for child in w.children:
            walk(child, shown)

    walk(root, True)
    return out


@pytest.mark.parametrize("camera", [True, False], ids=["camera", "no-camera"])
def test_step_one_and_the_capture_screen_say_how_materials_reach_the_hall(
    terminal: Terminal, camera: bool
) -> None:
    from kivy.uix.behaviors import ButtonBehavior

    k = terminal.kiosk
    place = k.settings.correction_place
    if not camera:
        k.root.ctx.camera = None
    k.tap("submit")
    k.on("matters")
    k.tap("kw-户口")
    k.tap(f"matter-{MATTER}")
    k.on("matter")
    guide = " ".join(h.texts(k.root.submit.guide))
    if camera:
        assert "本机拍照提交" in guide and place not in guide
    else:  # step 1 must not promise a photo this kiosk cannot take
        assert "本机拍照提交" not in guide and f"材料请带到{place}" in guide
    k.tap("start")
    k.on("identify")
    identify(k)
    fill_form(k)
    shown = _visible(k.root.submit.capture)
    buttons = {w.text for w in shown if isinstance(w, ButtonBehavior) and not w.disabled}
    said = " ".join(w.text for w in shown if isinstance(getattr(w, "text", None), str))
    # Every button the screen tells the citizen to tap is there (no “拍照” without a camera).
    for named in re.findall(r"“([^”]+)”", said):
        assert any(b.startswith(named) for b in buttons), (named, buttons)
    assert ("拍照" in buttons) == camera
    if not camera:
        assert "没有摄像头" in said and place in said
    k.tap("skip")  # a way forward always: the next material, then the review
    k.wait(lambda: k.root.submit.capture.index == 1)
    k.tap("skip")
    k.on("review")
