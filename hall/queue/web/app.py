"""The daemon's HTTP API (FastAPI): OpenAPI at /openapi.json, docs at /docs (``api.docs``).

Every error is JSON ``{"error": {"code", "message", "message_en", ...}}`` with a
sentence a kiosk can show; malformed JSON and wrong types are 422, never 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hall import __version__
from hall.config import HallConfig
from hall.queue.core.clock import Clock
from hall.queue.core.daemon import HallDaemon
from hall.queue.core.domain import QueueError
from hall.queue.devices.token_refusals import RefusalCounter
from hall.queue.tickets import vacancy as empty_windows
from hall.queue.web import dates, errors
from hall.queue.web.api import (
    announcements,
    attendance,
    case_figures,
    case_notices,
    cases,
    complaints,
    devices,
    enquiries,
    events,
    help_requests,
    leaders,
    leave,
    manager,
    manager_login,
    personal_data,
    ratings,
    reports,
    sign_in,
    submissions,
    terminals,
    tickets,
    vacancy,
    windows,
)
from hall.queue.web.api import assessment as assessment_api  # 考核, 红黄牌, 优秀窗口 (issue 16)
from hall.queue.web.auth import TokenTable, identify
from hall.queue.web.docs import add_docs
from hall.queue.web.headers import PageHeaders
from hall.queue.web.limits import BodyLimit, StreamSlots
from hall.queue.web.pages import citizen
from hall.queue.web.pages import manager as manager_page
from hall.queue.web.pins import PinVerifier
from hall.queue.web.token_watch import note_refused

#: Every router, in the order they are matched (the API, then the pages).
ROUTERS = (
    tickets.router,
    windows.router,
    devices.router,
    events.router,
    submissions.router,
    case_figures.router,  # before the register's /cases/{receipt}: /cases/digest
    cases.router,
    case_notices.router,
    attendance.router,
    ratings.router,
    manager.router,
    reports.router,  # 通报 (issue 16)
    sign_in.router,
    personal_data.router,
    terminals.router,
    manager_login.router,
    vacancy.router,
    assessment_api.router,
    manager_page.router,
    citizen.router,
    announcements.router,
    leave.router,  # 请假 and 顶岗 (issue 16)
    leaders.router,  # 分管领导签到 (issue 16)
    complaints.router,  # 投诉 register (issue 16)
    enquiries.router,  # 首问 register (issue 16)
    help_requests.router,  # 帮办代办 help calls (issue 16)
)

log = logging.getLogger(__name__)


def _where(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "request body"


def _validation_message(exc: RequestValidationError) -> tuple[str, str]:
    en, zh = [], []
    for err in exc.errors():
        where = _where(tuple(err.get("loc", ())))
        if err.get("type") == "json_invalid":
            en.append(f"the request body is not valid JSON ({err.get('msg')})")
            zh.append("请求内容不是有效的JSON")
        elif err.get("type") == "missing":
            en.append(f"{where}: required")
            zh.append(f"缺少字段 {where}")
        elif err.get("type") == dates.ERROR_TYPE:  # a date, month or time (hall/queue/web/dates.py)
            ctx = err.get("ctx") or {}
            en.append(f"{where}: {ctx.get('en')}")
            zh.append(f"参数 {where}：{ctx.get('zh')}")
        elif err.get("type") == "extra_forbidden":
            en.append(f"{where}: unknown field")
            zh.append(f"未知字段 {where}")
        else:
            en.append(f"{where}: {err.get('msg')}")
            zh.append(f"字段 {where} 无效:{err.get('msg')}")
    return "; ".join(zh), "; ".join(en)


def create_app(
    config: HallConfig,
    data_dir: str | None = None,
    device_ports: dict[str, str] | None = None,
    catalogue: Any = None,
    clock: Clock = time.time,
) -> FastAPI:
    """Build the app; the daemon object (HallDaemon) starts and stops with it (reading ``clock``)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        daemon = HallDaemon(
            config, data_dir, clock=clock, device_ports=device_ports, catalogue=catalogue
        )
        daemon.start(asyncio.get_running_loop())
        app.state.daemon = daemon
        app.state.pins = PinVerifier(config.sign_in)  # scrypt's own threads (web/pins.py)
        chores = asyncio.create_task(daemon.housekeeping())
        # 空岗 alerts: empty windows looked for on the daemon's clock (tickets/vacancy.py).
        watch = asyncio.create_task(empty_windows.watch(daemon.run, daemon.ctx))
        try:
            yield
        finally:
            watch.cancel()
            chores.cancel()
            app.state.pins.close()
            daemon.stop()

    app = FastAPI(
        title="hall queue daemon",
        version=__version__,
        description="Numbers, calls and events for a government service hall (政务服务大厅).",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc load from a CDN: add_docs serves them locally.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if config.api.docs else None,
        responses=errors.RESPONSES,  # the error shape, declared for every operation
    )
    app.state.config = config
    app.state.tokens = TokenTable(config)
    app.state.streams = StreamSlots(config.api.limits)
    app.state.refusals = RefusalCounter()  # unknown bearer tokens (web/token_watch.py)

    async def role_of(token: str) -> str | None:
        try:  # a configured token, or a session looked up in the store
            return (await identify(app.state.tokens, app.state.daemon, token)).role
        except QueueError:
            return None  # unknown or ended: the route answers 401 (without the large cap)

    # Outside the routes: an oversized body is refused (413) before anything reads it.
    app.add_middleware(BodyLimit, limits=config.api.limits, role_of=role_of)
    app.add_middleware(PageHeaders)  # CSP and no framing for the pages (web/headers.py)

    @app.exception_handler(QueueError)
    async def _queue_error(request: Request, exc: QueueError) -> JSONResponse:
        if exc.status in (401, 403):  # a wrong token reaches the manager page
            await note_refused(request)
        # A 429 carries Retry-After (hall/queue/tickets/sign_in_limits.py).
        headers = getattr(exc, "headers", None)
        return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        zh, en = _validation_message(exc)
        body: dict[str, Any] = {"code": "invalid_request", "message": zh, "message_en": en}
        return JSONResponse({"error": body}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status, body = errors.http_error(exc, request.method, request.url.path)
        return JSONResponse(body, status_code=status, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error: %s", type(exc).__name__, exc_info=exc)
        body = {
            "code": "internal",
            "message": "系统内部错误,请联系工作人员",
            "message_en": "Internal error; please ask the staff",
        }
        return JSONResponse({"error": body}, status_code=500)

    for router in ROUTERS:
        app.include_router(router)
    if config.api.docs:
        add_docs(app)
    return app
