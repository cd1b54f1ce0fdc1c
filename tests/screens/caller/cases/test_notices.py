"""Notices on the caller panel: which one a status calls for, printed at the window, A4 page.

The window printer is the simulated ESC/POS printer; what it was sent is decoded back.
The A4 page is read with the clerk's token and opened in the system browser (here a
stand-in for ``webbrowser.open`` that records the address) from a private file.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from hall.drivers.printer import TicketPrinter
from hall.drivers.sim.printer import SimPrinter
from hall.kiosk.client import DaemonError
from hall.screens.caller.cases.notices import kind_for
from hall.screens.caller.root import CallerRoot
from tests.escpos_decode import decode
from tests.kivy_harness import by_id, idle_until, tap
from tests.screens.caller.cases.support import (
    case_context,
    open_by_taps,
    serve_and_finish,
    signed_in,
)
from tests.screens.caller.test_panel import caller_of
from tests.support import Daemon


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        ({"status": "received", "kind": "承诺件"}, "promise"),
        ({"status": "accepted", "kind": "联办件"}, "promise"),
        ({"status": "accepted", "kind": "承诺件", "extension": {"days": 5}}, "extension"),
        ({"status": "returned", "kind": "承诺件"}, "correction"),
        ({"status": "rejected", "kind": "承诺件"}, "refusal"),
        ({"status": "ready", "kind": "承诺件"}, "pickup"),
        ({"status": "delivered", "kind": "承诺件", "delivery": {"by": "post"}}, "pickup"),
        ({"status": "delivered", "kind": "承诺件", "delivery": {"by": "window"}}, ""),
        ({"status": "accepted", "kind": "即办件"}, ""),
    ],
)
def test_the_notice_that_fits_the_status(case: dict, kind: str) -> None:
    assert kind_for(case) == kind


def test_the_promise_notice_prints_at_the_window_and_opens_as_an_a4_page(
    dept_daemon: Daemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window printer prints the 承诺通知书 (its QR with the rating key); the A4 page opens."""
    sim = SimPrinter()
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    made = caller_of(dept_daemon, 3, printer=TicketPrinter(sim), **case_context(dept_daemon))
    root = next(made)
    try:
        signed_in(root, "S003")
        serve_and_finish(root, dept_daemon, "承诺件")
        receipt = open_by_taps(root, "BDC-BF-001")["receipt"]
        detail = root.cases.detail
        assert detail.notice_kind == "promise"
        tap(by_id(root, "case-print"))
        assert idle_until(lambda: not detail.busy, 5)
        assert not detail.message_error, detail.message
        out = decode(sim.output)
        text = "".join(line.strip() for line in out.text_lines)
        assert "承诺通知书" in out.double and receipt in text
        assert "2026年07月02日" in text  # the promised date (worked out in test_open_form)
        # The QR: 办件查询 with the rating key, which only the answer of POST /cases carried.
        assert out.qr == [detail.opened["follow_url"]] and out.cuts == 1
        tap(by_id(root, "case-a4"))
        assert idle_until(lambda: not detail.busy and opened, 5), detail.message
        page = Path(urlparse(opened[0]).path)
        assert opened[0].startswith("file://") and page.name == f"{receipt}-promise.html"
        html = page.read_text(encoding="utf-8")
        assert receipt in html and "承诺通知书" in html and "2026" in html
        assert page.stat().st_mode & 0o777 == 0o600  # it names the applicant
        tap(by_id(root, "case-back"))
        tap(by_id(root, "case-list-back"))
        tap(by_id(root, "btn-logout"))
        assert idle_until(lambda: root.current == "login", 5)
        assert not page.exists()  # gone at sign-out
    finally:
        next(made, None)


def test_a_notice_that_does_not_apply_is_refused_in_the_daemons_words(
    chief: CallerRoot, dept_daemon: Daemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    signed_in(chief, "S003")
    serve_and_finish(chief, dept_daemon, "承诺件")
    open_by_taps(chief, "BDC-BF-001")
    detail = chief.cases.detail
    assert by_id(chief, "case-a4").text == "打开承诺通知书（A4）"
    with pytest.raises(LookupError):
        by_id(chief, "case-print")  # no window printer here: the A4 page only
    detail.notice_kind = "extension"  # as a stale screen would ask: never extended
    tap(by_id(chief, "case-a4"))
    assert idle_until(lambda: not detail.busy, 5)
    assert detail.message_error and not opened
    receipt = detail.case["receipt"]
    with pytest.raises(DaemonError) as refused:
        chief.ctx.client.case_notice_page(receipt, "extension")
    assert refused.value.status == 409 and detail.message == refused.value.message
