"""The take-a-number flow without Kivy: issue on a real daemon, print on a simulated printer."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from hall.config import KioskSection, WindowConfig
from hall.drivers.printer import TicketPrinter
from hall.drivers.sim.printer import SimPrinter, SimState
from hall.idnumber import check_char
from hall.kiosk.client import DaemonClient, DaemonError, DaemonUnavailable
from hall.kiosk.entry import CLEAR, DELETE, CodeEntry, IdEntry
from hall.kiosk.i18n import Strings
from hall.kiosk.ticketing import (
    PrintOutcome,
    TicketDesk,
    service_areas,
    service_cards,
    wait_line,
    wait_minutes,
)
from hall.waits import wait_minutes_range
from tests.escpos_decode import decode
from tests.support import Daemon, module_daemon

_KIOSKS = itertools.count(1)
VALID_ID = "11010519491231002" + check_char("11010519491231002")


def settings_for(daemon: Daemon, name: str = "kiosk-3", **kw: object) -> KioskSection:
    return KioskSection(
        daemon_url=daemon.base,
        token="kiosk-token-1",
        id=name if name.isascii() else "kiosk-cn",
        name=name,
        follow_url=daemon.base + "/api/v1/tickets/{id}",
        **kw,
    )


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """One daemon for this module (tests compare with what it issued, not with A001)."""
    yield from module_daemon(tmp_path_factory, "ticketing")


@pytest.fixture
def desk_for(daemon: Daemon):
    """Desks with their own kiosk name per test, so printer reports never mix."""
    clients: list[DaemonClient] = []
    own_name = f"kiosk-{next(_KIOSKS)}"

    def make(
        state: SimState | str | None = SimState.OK, client_cls=DaemonClient, name: str = ""
    ) -> TicketDesk:
        name = name or own_name
        client = client_cls(daemon.base, "kiosk-token-1")
        clients.append(client)
        printer = None if state is None else TicketPrinter(SimPrinter(state))
        return TicketDesk(client, printer, settings_for(daemon, name), "测试大厅")

    yield make
    for c in clients:
        c.close()


def devices(daemon: Daemon) -> dict[str, dict]:
    r = daemon.api("manager-token-1").get("/devices")
    return {d["id"]: d for d in r.json()}


def test_take_prints_the_ticket_the_daemon_issued(daemon: Daemon, desk_for) -> None:
    desk = desk_for()
    result = desk.take("general")
    assert result.printed and result.outcome is PrintOutcome.PRINTED
    ticket = daemon.api("kiosk-token-1").get(f"/tickets/{result.issued.ticket['id']}").json()
    number = ticket["number"]
    assert number == result.issued.number and number.startswith("A")
    printed = decode(desk.printer.connection.output)
    lines = printed.text_lines
    assert "测试大厅" in lines and number in lines and "综合受理" in lines
    # The QR code: the ticket's link with its rating key, which no other view shows.
    key = result.issued.ticket["rating_key"]
    assert len(key) >= 22 and key not in str(ticket)
    assert printed.qr == [f"{daemon.base}/api/v1/tickets/{ticket['id']}?k={key}"]
    assert number in printed.double and printed.cuts == 1
    local = dt.datetime.fromisoformat(ticket["issued_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"取号时间 {local:%Y-%m-%d %H:%M}" in lines
    assert f"前面还有{ticket['ahead']}人等候" in lines and "过号请重新取号" in lines
    assert devices(daemon)[desk.device_id]["status"] == "ok"


def test_ahead_and_wait_are_printed(daemon: Daemon, desk_for) -> None:
    desk = desk_for()
    first = desk.take("vip").issued.layout
    second = desk.take("vip").issued.layout
    # vip has one window and a 300 s default service time.
    assert second.ahead == first.ahead + 1 and second.est_wait_s == 300 * second.ahead
    lines = decode(desk.printer.connection.output).text_lines
    assert f"前面还有{second.ahead}人等候" in lines
    # The daemon's range around the point estimate (5 min a citizen here) is what is printed.
    low, high = wait_minutes_range(second.ahead, second.est_wait_s, second.est_wait_range_s)
    assert low <= 5 * second.ahead <= high
    assert (f"预计等候约{low}–{high}分钟" if low < high else f"预计等候约{low}分钟") in lines


@pytest.mark.parametrize(
    ("state", "outcome", "reported"),
    [
        (SimState.PAPER_OUT, PrintOutcome.PAPER_OUT, "paper_out"),
        (SimState.OFFLINE, PrintOutcome.OFFLINE, "offline"),
        (SimState.COVER_OPEN, PrintOutcome.OFFLINE, "error"),
    ],
)
def test_a_printer_that_cannot_print_still_gives_the_number(
    daemon: Daemon, desk_for, state: SimState, outcome: PrintOutcome, reported: str
) -> None:
    desk = desk_for(state)
    result = desk.take("general")
    assert not result.printed and result.outcome is outcome and result.detail
    assert result.issued.number.startswith("A")
    assert desk.printer.connection.output == b""
    assert devices(daemon)[desk.device_id]["status"] == reported
    # Same state again: no second report; back to ok: reported at once.
    assert not desk.report_printer(desk.printer.status())
    desk.printer.connection.model.state = SimState.OK
    assert desk.check_printer().status.value == "ok"
    assert devices(daemon)[desk.device_id]["status"] == "ok"


def test_the_printer_is_listed_by_the_kiosk_id_with_its_name(daemon: Daemon, desk_for) -> None:
    desk = desk_for(SimState.PAPER_OUT, name="3号自助机")
    assert desk.device_id == "printer@kiosk-cn"
    desk.check_printer()
    reported = devices(daemon)[desk.device_id]
    assert reported["status"] == "paper_out" and reported["detail"].startswith("3号自助机: ")


def test_no_printer(daemon: Daemon, desk_for) -> None:
    desk = desk_for(None)
    result = desk.take("general")
    assert result.outcome is PrintOutcome.NO_PRINTER and result.issued.number.startswith("A")
    assert desk.check_printer() is None


class ReportFails(DaemonClient):
    def report_device(self, *args: object, **kw: object) -> dict:
        raise DaemonUnavailable("test: reports fail")


def test_a_failing_report_never_stops_a_ticket(daemon: Daemon, desk_for) -> None:
    desk = desk_for(client_cls=ReportFails)
    result = desk.take("general")
    assert result.printed and result.issued.number.encode() in desk.printer.connection.output
    assert desk.device_id not in devices(daemon)  # not delivered: sent again on the next check
    desk.client.__class__ = DaemonClient
    desk.check_printer()
    assert devices(daemon)[desk.device_id]["status"] == "ok"


def test_refusals_come_through_and_print_nothing(daemon: Daemon, desk_for) -> None:
    desk = desk_for()
    with pytest.raises(DaemonError) as err:
        desk.take("daytime")
    assert err.value.code == "outside_hours" and "下次取号时间" in err.value.text("zh")
    with pytest.raises(DaemonError) as err:
        desk.take("general", id_number="110101199003070000")
    assert err.value.code == "bad_id_number"
    assert desk.printer.connection.output == b""


def test_id_number_and_priority_reach_the_daemon(daemon: Daemon, desk_for) -> None:
    desk = desk_for()
    assert desk.take("general", priority=True, id_number=VALID_ID).issued.ticket["kind"] == (
        "priority"
    )
    desk.take("general", id_number=VALID_ID)
    with pytest.raises(DaemonError) as err:  # per_person_daily_limit 2
        desk.take("general", id_number=VALID_ID)
    assert err.value.status == 409


def test_service_cards_in_both_languages(daemon: Daemon, desk_for) -> None:
    desk = desk_for()
    desk.take("general")
    services = desk.client.services()
    waiting = next(s["waiting"] for s in services if s["code"] == "general")
    zh = {c.code: c for c in service_cards(services, "zh")}
    en = {c.code: c for c in service_cards(services, "en")}
    assert zh["general"].name == "综合受理" and en["general"].name == "General"
    assert (
        zh["general"].waiting == waiting >= 1
        and zh["general"].accepting
        and zh["general"].prefix == "A"
    )
    assert not zh["daytime"].accepting and "下次取号时间" in zh["daytime"].reason
    assert "next opening" in en["daytime"].reason
    assert zh["general"].reason is None and not zh["other"].allow_priority


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (29, 0), (30, 1), (900, 15), (-5, 0)])
def test_wait_minutes(seconds: float, minutes: int) -> None:
    assert wait_minutes(seconds) == minutes


def test_id_entry_checks_as_it_is_typed() -> None:
    entry = IdEntry()
    assert entry.acceptable and entry.problem("zh") is None
    for key in VALID_ID[:17]:
        assert entry.press(key)
    assert entry.problem("zh") is None and not entry.acceptable
    wrong = "0" if VALID_ID[17] != "0" else "1"
    entry.press(wrong)
    assert entry.problem("zh") == "身份证号码校验位不正确,请核对号码"
    assert "check digit" in entry.problem("en") and not entry.acceptable
    assert not entry.press("5")  # 18 is the most
    entry.press(DELETE)
    entry.press(VALID_ID[17])
    assert entry.complete and entry.acceptable and entry.problem("en") is None
    assert entry.display() == f"{VALID_ID[:6]} {VALID_ID[6:14]} {VALID_ID[14:]}"
    entry.press(CLEAR)
    assert entry.empty
    entry.press("1")
    entry.press("X")  # X can only be the last character: said at once
    assert "最后一位为数字或X" in entry.problem("zh") and "digit or X" in entry.problem("en")
    assert not entry.press("A") and not entry.press("12")


def test_code_entry() -> None:
    entry = CodeEntry()
    assert entry.acceptable and not entry.press("X") and not entry.press(DELETE)
    for key in "1234567":
        entry.press(key)
    assert not entry.acceptable
    entry.press("8")
    assert entry.complete and entry.value == "12345678" and not entry.press("9")


def test_service_areas_are_those_of_the_main_windows() -> None:
    windows = [
        WindowConfig(number=1, area="综合受理区", services=["general", "vip"]),
        WindowConfig(number=2, area="综合受理区", services=["general"]),
        WindowConfig(number=3, area="不动产登记区", services=["other", "general"]),
        WindowConfig(number=4, area="企业开办区", services=["vip"]),
        WindowConfig(number=5, services=["capped"]),  # no area configured
    ]
    assert service_areas(windows) == {
        "general": "综合受理区",  # window 3 takes it second: overflow, not where to wait
        "vip": "企业开办区",
        "other": "不动产登记区",
    }
    overflow_only = [
        WindowConfig(number=1, area="一区", services=["a", "b"]),
        WindowConfig(number=2, area="二区", services=["c", "b"]),
    ]
    assert service_areas(overflow_only)["b"] == "一区、二区"


def test_priority_ticket_says_so_and_where_to_wait(daemon: Daemon, desk_for) -> None:
    desk = desk_for()
    desk.areas = {"general": "综合受理区"}
    result = desk.take("general", priority=True)
    assert result.issued.layout.kind == "priority"
    assert result.issued.layout.area == "综合受理区"
    lines = decode(desk.printer.connection.output).text_lines
    assert "优先办理（绿色通道）" in lines and "请到 综合受理区 等候" in lines


@pytest.mark.parametrize(
    ("view", "shown"),
    [
        # H1's daemon: the true count and a range (low, high) in seconds.
        ({"ahead": 4, "est_wait_s": 450, "est_wait_range_s": [300, 600]}, "预计等候约 5–10 分钟"),
        ({"ahead": 4, "est_wait_s": 430, "est_wait_range_s": [420, 440]}, "预计等候约 7 分钟"),
        # An older daemon: no range, the single estimate.
        ({"ahead": 4, "est_wait_s": 900}, "预计等候约 15 分钟"),
        ({"ahead": 0, "est_wait_s": 0}, "预计很快叫到您"),
        # People ahead: never "soon", even when the estimate is under a minute.
        ({"ahead": 2, "est_wait_s": 10}, "预计等候约 1 分钟"),
        ({"ahead": 2, "est_wait_s": 10, "est_wait_range_s": [0, 20]}, "预计等候约 1 分钟"),
    ],
)
def test_wait_line_of_a_ticket_view(view: dict, shown: str) -> None:
    strings = Strings("zh")
    assert wait_line(view, strings.t) == shown
    strings.language = "en"
    assert "soon" not in wait_line(view, strings.t) or view["ahead"] == 0
