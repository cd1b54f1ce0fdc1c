"""The daemon's HTTP surface: every route, and URLs that are one operation.

``ROUTES`` was generated from the app before web/routes.py was split into
web/api/ modules (issue 12): the split must not add, drop or re-tag a route.
Since then ``GET /evaluations/link`` went (issue 13: rating keys replace signed links),
the terminal routes came (issue 13: refused tokens, refused outbox cases taken up),
``/docs/assets/{name}`` (/docs and /redoc load nothing from a CDN), and ``/manager/login``,
``/manager/logout`` and ``/manager/me`` (issue 13: manager accounts), ``/vacancy`` and
``/vacancy/pauses`` (issue 14: 空岗 and 离岗), the case register and its notices (issue 15),
its figures, digest and 回访 (``/stats/cases``, ``/cases/digest``, ``/callbacks``), ``/leave`` and ``/leaders``, the 投诉 register's ``/complaints`` routes and the citizen's
``/complaint`` pages and the 通报 ``/reports/{period}.json|.html|.xlsx`` (issue 16).
"""

from __future__ import annotations

import pytest
from fastapi.routing import iter_route_contexts

from hall.config import HallConfig
from hall.queue.web.app import create_app
from tests.support import hall_config, module_daemon

#: (method, path, status code if not 200, OpenAPI tags, in the OpenAPI schema)
ROUTES = {
    ("POST", "/api/v1/appointments", 201, ("tickets",), True),
    ("GET", "/api/v1/appointments/faces", None, ("tickets",), True),
    ("POST", "/api/v1/attendance/checkin", None, ("attendance",), True),
    ("POST", "/api/v1/attendance/checkin/face", None, ("attendance",), True),
    ("POST", "/api/v1/attendance/checkout", None, ("attendance",), True),
    ("GET", "/api/v1/attendance/consents", None, ("attendance",), True),
    ("POST", "/api/v1/attendance/consents", 201, ("attendance",), True),
    ("DELETE", "/api/v1/attendance/consents/{staff_id}", None, ("attendance",), True),
    ("GET", "/api/v1/attendance/daily", None, ("attendance",), True),
    ("POST", "/api/v1/attendance/leave", 201, ("attendance",), True),
    ("GET", "/api/v1/attendance/monthly", None, ("attendance",), True),
    ("POST", "/api/v1/attendance/records", 201, ("attendance",), True),
    ("GET", "/api/v1/devices", None, ("devices",), True),
    ("POST", "/api/v1/devices/report", None, ("devices",), True),
    ("GET", "/api/v1/devices/refused-tokens", None, ("devices",), True),
    ("GET", "/api/v1/devices/outbox-acks", None, ("devices",), True),
    ("POST", "/api/v1/devices/{name}/outbox/{receipt}/ack", None, ("devices",), True),
    ("GET", "/api/v1/evaluations", None, ("evaluations",), True),
    ("POST", "/api/v1/evaluations/kiosk", 201, ("evaluations",), True),
    ("POST", "/api/v1/evaluations/online", 201, ("evaluations",), True),
    ("POST", "/api/v1/evaluations/{rating_id}/appeal", 201, ("evaluations",), True),
    ("GET", "/api/v1/events", None, ("events",), True),
    ("GET", "/api/v1/health", None, ("system",), True),
    ("POST", "/api/v1/help", None, ("tickets",), True),
    ("GET", "/api/v1/ledger/verify", None, ("evaluations",), True),
    ("GET", "/api/v1/personal-data/reads", None, ("manager",), True),
    ("POST", "/api/v1/manager/login", None, ("manager",), True),
    ("POST", "/api/v1/manager/logout", None, ("manager",), True),
    ("GET", "/api/v1/manager/me", None, ("manager",), True),
    ("POST", "/api/v1/progress", None, ("submissions",), True),
    ("GET", "/api/v1/cases", None, ("cases",), True),
    ("POST", "/api/v1/cases", 201, ("cases",), True),
    ("GET", "/api/v1/cases/{receipt}", None, ("cases",), True),
    ("POST", "/api/v1/cases/{receipt}/{action}", None, ("cases",), True),
    ("GET", "/api/v1/cases/{receipt}/notices/{kind}", None, ("cases",), True),
    ("GET", "/api/v1/cases/{receipt}/notices/{kind}.html", None, ("cases",), True),
    ("GET", "/api/v1/reports/{period}.json", None, ("reports",), True),
    ("GET", "/api/v1/reports/{period}.html", None, ("reports",), True),
    ("GET", "/api/v1/reports/{period}.xlsx", None, ("reports",), True),
    ("GET", "/api/v1/progress/locks", None, ("manager",), True),
    ("POST", "/api/v1/progress/unlock", None, ("manager",), True),
    ("GET", "/api/v1/rectifications", None, ("manager",), True),
    ("GET", "/api/v1/rectifications/{case_id}", None, ("manager",), True),
    ("POST", "/api/v1/rectifications/{case_id}/{step}", None, ("manager",), True),
    ("GET", "/api/v1/services", None, ("tickets",), True),
    ("GET", "/api/v1/sign-in/failures", None, ("manager",), True),
    ("POST", "/api/v1/sign-in/unlock", None, ("manager",), True),
    ("POST", "/api/v1/staff/login", None, ("staff",), True),
    ("POST", "/api/v1/staff/logout", None, ("staff",), True),
    ("GET", "/api/v1/statistics", None, ("manager",), True),
    ("GET", "/api/v1/statistics/export", None, ("manager",), True),
    ("GET", "/api/v1/statistics/overview", None, ("manager",), True),
    ("GET", "/api/v1/submissions", None, ("submissions",), True),
    ("POST", "/api/v1/submissions", 201, ("submissions",), True),
    ("GET", "/api/v1/submissions/{sid}", None, ("submissions",), True),
    ("POST", "/api/v1/submissions/{sid}/{action}", None, ("submissions",), True),
    ("POST", "/api/v1/tickets", 201, ("tickets",), True),
    ("GET", "/api/v1/vacancy", None, ("vacancy",), True),
    ("GET", "/api/v1/vacancy/pauses", None, ("vacancy",), True),
    ("GET", "/api/v1/tickets/{ticket_id}", None, ("tickets",), True),
    ("GET", "/api/v1/windows", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/call", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/finish", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/no-show", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/pause", None, ("windows",), True),
    ("GET", "/api/v1/windows/{number}/photo", None, ("windows",), True),
    ("GET", "/api/v1/windows/{number}/queue", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/recall", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/requeue", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/resume", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/start", None, ("windows",), True),
    ("POST", "/api/v1/windows/{number}/transfer", None, ("windows",), True),
    ("GET", "/citizen/{name}", None, (), False),
    ("GET", "/docs", None, (), False),
    ("HEAD", "/docs", None, (), False),
    ("GET", "/docs/assets/{name}", None, (), False),
    ("HEAD", "/docs/assets/{name}", None, (), False),
    ("GET", "/docs/oauth2-redirect", None, (), False),
    ("HEAD", "/docs/oauth2-redirect", None, (), False),
    ("GET", "/manager", None, ("manager",), False),
    ("GET", "/manager/{name}", None, ("manager",), False),
    ("GET", "/openapi.json", None, (), False),
    ("HEAD", "/openapi.json", None, (), False),
    ("GET", "/progress", None, (), False),
    ("POST", "/progress", None, (), False),
    ("GET", "/redoc", None, (), False),
    ("HEAD", "/redoc", None, (), False),
    ("GET", "/t/{ticket_id}", None, (), False),
    ("GET", "/t/{ticket_id}/state", None, (), False),
    # 公示/通报 and the public figures (issue 14)
    ("POST", "/api/v1/announcements", 201, ("announcements",), True),
    ("GET", "/api/v1/announcements", None, ("announcements",), True),
    ("GET", "/api/v1/announcements/current", None, ("announcements",), True),
    ("POST", "/api/v1/announcements/{announcement_id}/withdraw", None, ("announcements",), True),
    ("GET", "/api/v1/figures/public", None, ("announcements",), True),
    # issue 16: 考核, 红黄牌, 优秀窗口 (hall/queue/web/api/assessment.py)
    ("GET", "/api/v1/assessment", None, ("assessment",), True),
    ("GET", "/api/v1/assessment/me", None, ("assessment",), True),
    ("GET", "/api/v1/cards", None, ("assessment",), True),
    ("POST", "/api/v1/cards", 201, ("assessment",), True),
    ("POST", "/api/v1/cards/{card_id}/withdraw", None, ("assessment",), True),
    ("GET", "/api/v1/excellence", None, ("assessment",), True),
    ("POST", "/api/v1/excellence", 201, ("assessment",), True),
    ("GET", "/public", None, (), False),
    # The register's figures, digest and 回访 (issue 15)
    ("GET", "/api/v1/stats/cases", None, ("cases",), True),
    ("GET", "/api/v1/cases/digest", None, ("cases",), True),
    ("GET", "/api/v1/callbacks", None, ("cases",), True),
    ("POST", "/api/v1/callbacks/{receipt}", None, ("cases",), True),
    # 请假 and 顶岗, 分管领导签到 (issue 16)
    ("POST", "/api/v1/leave", 201, ("leave",), True),
    ("GET", "/api/v1/leave", None, ("leave",), True),
    ("POST", "/api/v1/leave/{leave_id}/approve", None, ("leave",), True),
    ("POST", "/api/v1/leave/{leave_id}/refuse", None, ("leave",), True),
    ("POST", "/api/v1/leave/{leave_id}/cancel", None, ("leave",), True),
    ("POST", "/api/v1/leaders/sign-in", 201, ("leaders",), True),
    ("GET", "/api/v1/leaders/visits", None, ("leaders",), True),
    # 投诉 register and the citizen's 投诉建议 pages (issue 16)
    ("POST", "/api/v1/complaints", 201, ("complaints",), True),
    ("GET", "/api/v1/complaints", None, ("complaints",), True),
    ("GET", "/api/v1/complaints/{complaint_id}", None, ("complaints",), True),
    ("POST", "/api/v1/complaints/follow", None, ("complaints",), True),
    ("POST", "/api/v1/complaints/{complaint_id}/{action}", None, ("complaints",), True),
    ("GET", "/complaint", None, (), False),
    ("POST", "/complaint", None, (), False),
    ("POST", "/complaint/follow", None, (), False),
    # 首问 register and 帮办代办 help calls (issue 16)
    ("GET", "/api/v1/help", None, ("supervision",), True),
    ("GET", "/api/v1/help/counts", None, ("supervision",), True),
    ("POST", "/api/v1/help/{help_id}/ack", None, ("supervision",), True),
    ("GET", "/api/v1/enquiries", None, ("supervision",), True),
    ("POST", "/api/v1/enquiries", 201, ("supervision",), True),
    ("GET", "/api/v1/enquiries/counts", None, ("supervision",), True),
    ("GET", "/api/v1/enquiries/form", None, ("supervision",), True),
}


def test_routes_are_unchanged() -> None:
    app = create_app(HallConfig.model_validate(hall_config()))
    seen = {
        (
            m,
            r.path,
            getattr(r, "status_code", None),
            tuple(getattr(r, "tags", ()) or ()),
            r.include_in_schema,
        )
        for r in iter_route_contexts(app.routes)
        for m in sorted(r.methods or ["-"])
    }
    assert seen == ROUTES
    schema = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert schema == {(m, p) for m, p, _code, _tags, public in ROUTES if public}


def _endpoint(app, method: str, path: str):
    for r in iter_route_contexts(app.routes):
        if r.path == path and method in (r.methods or ()):
            return r.endpoint
    raise AssertionError(f"no route {method} {path}")


def test_logout_and_checkout_are_one_operation() -> None:
    """/staff/logout and /attendance/checkout: one implementation behind both URLs."""
    app = create_app(HallConfig.model_validate(hall_config()))
    logout = _endpoint(app, "POST", "/api/v1/staff/logout")
    assert logout is _endpoint(app, "POST", "/api/v1/attendance/checkout")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    yield from module_daemon(tmp_path_factory, "routes")


@pytest.mark.parametrize("token", [None, "kiosk-token-1", "display-token-1", "manager-token-1"])
def test_logout_and_checkout_refuse_alike(daemon, token) -> None:
    logout = daemon.api(token).post("/staff/logout")
    checkout = daemon.api(token).post("/attendance/checkout")
    assert logout.status_code == checkout.status_code != 200
    assert logout.json() == checkout.json()


@pytest.mark.parametrize("url", ["/staff/logout", "/attendance/checkout"])
def test_logout_and_checkout_close_the_window(daemon, url) -> None:
    staff = daemon.staff("S004", 4)
    out = staff.post(url)
    assert out.status_code == 200, out.text
    body = out.json()
    assert body["window"]["number"] == 4 and body["window"]["state"] == "closed"
    assert body["attendance"]["kind"] == "checkout" and body["attendance"]["staff_id"] == "S004"
    again = staff.post(url)  # the session is over
    assert again.status_code == 401, again.text
