"""The error shape every refusal has, as /openapi.json declares it, and the HTTP-level errors.

Every 4xx is ``{"error": {"code", "message", "message_en", "details"?}}``
(``QueueError.to_json``, the validation handler in app.py). :data:`RESPONSES`
declares that shape for every operation and each status any route may answer
(the schema fuzzing, tests/support/fuzz.py, holds the daemon to it);
:func:`http_error` words the errors Starlette and FastAPI raise themselves (an
unknown address, a wrong method, a body that cannot be read) in both languages.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException


class ErrorBody(BaseModel):
    """What was refused and why, fit for a kiosk screen."""

    code: str = Field(description="a stable machine word, e.g. invalid_request, forbidden")
    message: str = Field(description="the sentence to show, in Chinese")
    message_en: str = Field(description="the same in English")
    details: dict[str, Any] | None = Field(None, description="extra facts, e.g. retry_after_s")


class ErrorResponse(BaseModel):
    """The body of every 4xx answer."""

    error: ErrorBody


#: The statuses any route may answer, each with the one error shape. 400 is one
#: refusal of the caller's kind (a check-out without a staff session); a body that
#: cannot be read is a 422 like any other bad input.
_STATUSES = {
    400: "the request cannot be made by this caller",
    401: "no token, or one that is not valid (or a staff session that ended)",
    403: "this role may not do this",
    404: "what the request names does not exist",
    409: "the hall's state does not allow it now",
    413: "the body is over its cap (api.limits)",
    422: "invalid input: the message names the field",
    429: "too many at once or too many failures: Retry-After says when",
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text} for status, text in _STATUSES.items()
}


def _unreadable_body(exc: HTTPException) -> tuple[str, str]:
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return (
            "请求内容无法读取：应为UTF-8编码的JSON",
            "request body: not readable, it must be UTF-8 JSON",
        )
    return "请求内容无法读取", "request body: not readable"


def http_error(exc: HTTPException, method: str, path: str) -> tuple[int, dict[str, Any]]:
    """The status and body for an error raised by Starlette or FastAPI, not by hall's code."""
    status = exc.status_code
    if status == 400:  # FastAPI could not parse the body (not UTF-8, a broken form)
        zh, en = _unreadable_body(exc)
        return 422, {"error": {"code": "invalid_request", "message": zh, "message_en": en}}
    if status == 404:
        zh, en = f"地址 {path} 不存在", f"no such address: {path}"
    elif status == 405:
        zh, en = f"地址 {path} 不支持 {method} 请求", f"{path} does not accept {method}"
    else:
        zh, en = f"请求无效（HTTP {status}）：{exc.detail}", str(exc.detail)
    return status, {"error": {"code": f"http_{status}", "message": zh, "message_en": en}}
