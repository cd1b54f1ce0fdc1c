"""好差评 after a self-service submission: real daemon, real Kivy, the terminal's own outbox.

The rating is tapped on the notice screen, kept in the terminal's outbox and
forwarded after its case; the daemon's ledger then holds a kiosk-channel
rating for that submission.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import tests.kivy_harness as h
from hall.catalogue import load_catalogue
from hall.kiosk.outbox import TerminalOutbox
from hall.screens.kiosk.submit.notice import REASON_KEYS
from hall.screens.kiosk.ui import ui
from hall.workdays import WorkCalendar
from tests.kiosk.submission_helpers import fill_case, kiosk_outbox
from tests.support import Daemon, make_id

if TYPE_CHECKING:
    from tests.screens.kiosk_support import Kiosk

pytest_plugins = ["tests.screens.kiosk_support"]  # hall_daemon, kiosk_ui, make_kiosk

CATALOGUE = load_catalogue()
CALENDAR = WorkCalendar.load()
ID_NUMBER = make_id("11010519800101123")
CODES = itertools.count(40)  # a terminal code per test: receipts restart in each outbox
MATTER = "GA-HZ-001"


@pytest.fixture
def terminal(
    hall_daemon: Daemon, make_kiosk: Callable[..., Kiosk], tmp_path: Path
) -> Iterator[tuple[Kiosk, TerminalOutbox]]:
    with kiosk_outbox(
        hall_daemon.base, tmp_path / "outbox", "自助机评价", str(next(CODES))
    ) as outbox:
        extra = {"catalogue": CATALOGUE, "calendar": CALENDAR, "outbox": outbox}
        kiosk = make_kiosk(hall_daemon.base, ctx_extra=extra)
        yield kiosk, outbox
        kiosk.root.submit.shutdown()


def submit_case(k: Kiosk) -> None:
    """A complete case straight into the flow (the taps are covered by test_kiosk_submit)."""
    flow = k.root.submit.flow
    fill_case(flow, CATALOGUE[MATTER], ID_NUMBER)
    k.root.submit.open_review()
    k.on("review")
    k.tap("submit")
    k.on("notice")
    k.wait(lambda: k.root.submit.notice.print_state == "printed")


def outbox_key(outbox: TerminalOutbox, case_id: str) -> str:
    """The rating key the terminal made for its case (kept in its outbox record)."""
    return outbox.record(case_id)["rating_key"]


def kiosk_rating(d: Daemon, case_id: str) -> dict | None:
    rows = d.api("manager-token-1").get("/evaluations", params={"limit": 1000}).json()
    found = [r for r in rows if r["channel"] == "kiosk" and r["submission_id"] == case_id]
    return found[0] if found else None


def test_a_bad_rating_with_reasons_reaches_the_ledger(hall_daemon: Daemon, terminal) -> None:
    k, outbox = terminal
    submit_case(k)
    notice = k.root.submit.notice
    assert notice.rating == "ask"
    assert k.widget("rating-heading").text == "请为本次自助服务评价"
    assert [k.widget(f"rate-{n}").text for n in (5, 4, 3, 2, 1)] == [
        "非常满意", "满意", "基本满意", "不满意", "非常不满意",
    ]  # fmt: skip
    assert k.widget("rate-1").height >= 120  # a large touch target
    h.screenshot("kiosk-rating-ask")
    k.tap("rate-2")
    assert notice.rating == "reasons" and outbox.ratings() == []  # nothing stored yet
    for i in (0, 4, 2, 2):  # the third reason tapped twice: dropped again
        k.tap(f"rating-tag-{i}")
    assert notice.rating_tags == [0, 4]
    h.screenshot("kiosk-rating-reasons")
    # In English and large text every rating button still fits above "done".
    k.tap("language")
    k.tap("large-text")
    h.idle(3)
    done = k.widget("done")
    header = h.find(k.root, lambda w: type(w).__name__ == "KioskHeader")
    assert k.widget("notice-title").parent.top <= header.y  # nothing pushed under the header
    for name in ("rate-1", "rating-tag-5", "rating-send"):
        button = k.widget(name)
        assert button.y >= done.top and button.top <= k.widget("rating").top, name
        assert button.height >= 90 * ui.box, name
    h.screenshot("kiosk-rating-reasons-large-en")
    k.tap("language")
    k.tap("large-text")
    k.tap("rating-send")
    k.wait(lambda: notice.rating == "done")
    assert k.widget("rating-text").text == "感谢您的评价！"
    h.screenshot("kiosk-rating-thanks")
    case_id = outbox.cases()[0]["id"]
    tags = [SELF_SERVICE_TAGS[0], SELF_SERVICE_TAGS[4]]
    assert [(r["case_id"], r["level"], r["tags"]) for r in outbox.ratings()] == [(case_id, 2, tags)]
    # Forwarded after its case; the daemon's ledger has it for this submission.
    k.wait(lambda: outbox.ratings("sent"), 20)
    rated = kiosk_rating(hall_daemon, case_id)
    assert rated["level"] == 2 and rated["tags"] == tags and rated["device"] == "kiosk-t"
    assert rated["number"] == outbox.cases()[0]["receipt"]
    # The terminal proved it with the case's rating key, the one its notice printed in the QR
    # code (issue 13: the key replaced the receipt as the proof); the daemon keeps no copy.
    key = outbox_key(outbox, case_id)
    receipt = outbox.cases()[0]["receipt"]
    assert notice.notice.progress_url == k.settings.progress_url.format(receipt=receipt) + (
        f"&k={key}"
    )
    assert key not in hall_daemon.api("manager-token-1").get(f"/submissions/{case_id}").text
    k.tap("done")
    k.on("home")
    assert notice.rating == "off" and notice.case_id is None and notice.rating_tags == []


def test_leaving_without_rating_stores_nothing_and_a_good_rating_is_one_tap(
    hall_daemon: Daemon, terminal
) -> None:
    k, outbox = terminal
    submit_case(k)
    notice = k.root.submit.notice
    k.tap("rate-1")  # a 差评 begun, then the citizen walks away
    submit = k.root.submit
    deadline = submit.notice_deadline
    assert deadline >= k.clock() + k.settings.idle_timeout_s  # time to choose the reasons
    k.root.tick(deadline - 0.1)
    assert k.root.current == "notice"
    k.root.tick(deadline)
    k.on("home")
    assert notice.rating == "off" and notice.rating_level == 0
    k.wait(lambda: outbox.cases("forwarded"), 20)
    assert outbox.ratings() == []
    assert kiosk_rating(hall_daemon, outbox.cases()[0]["id"]) is None

    # The next citizen, in English and large text: one tap on a good level is enough.
    submit_case(k)
    k.tap("language")
    k.tap("large-text")
    assert k.widget("rate-5").text == "Very satisfied"
    h.screenshot("kiosk-rating-large-en")
    k.tap("rate-5")
    k.wait(lambda: notice.rating == "done")
    assert k.widget("rating-text").text == "Thank you for your rating!"
    second = next(c for c in outbox.cases() if c["id"] == notice.case_id)
    k.wait(lambda: outbox.ratings("sent"), 20)
    assert kiosk_rating(hall_daemon, second["id"])["level"] == 5
    ui.set_language("zh")
    ui.set_large(False)


def test_a_rating_that_cannot_be_stored_never_holds_the_citizen(terminal) -> None:
    k, outbox = terminal
    submit_case(k)
    notice = k.root.submit.notice
    outbox.stop()  # the terminal's store is gone (disk failure, shutting down)
    k.tap("rate-4")
    k.wait(lambda: notice.rating == "failed")
    assert k.widget("rating-text").text == "评价没有保存成功，感谢您的参与。"
    k.tap("done")
    k.on("home")


#: The reasons that fit a self-service case (no clerk, so no "服务态度不好").
SELF_SERVICE_TAGS = (
    "操作复杂",
    "指引不清",
    "等待反馈慢",
    "材料要求不明",
    "拍照上传困难",
    "设备故障",
)


def test_the_kiosk_offers_self_service_reasons_and_stores_their_zh_words() -> None:
    zh, en = ui.strings.table["zh"], ui.strings.table["en"]
    assert tuple(zh[key] for key in REASON_KEYS) == SELF_SERVICE_TAGS
    assert all(en[key] and en[key] != zh[key] for key in REASON_KEYS)
    assert "服务态度不好" not in SELF_SERVICE_TAGS
