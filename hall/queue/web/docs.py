"""The API's documentation pages, /docs (Swagger UI) and /redoc, working offline.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc Google's
fonts); a hall has no internet. The scripts and styles come from the pinned
``fastapi-offline`` package (MIT; Swagger UI is Apache-2.0, ReDoc MIT) and are
served by the daemon under ``/docs/assets/``. ``api.docs: false`` leaves all of
this out, /openapi.json too (``create_app``).
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse
from starlette.requests import Request

from hall.queue.core.domain import not_found

ASSETS_URL = "/docs/assets"
ASSETS_DIR = files("fastapi_offline") / "static"
#: The files served, and their types: nothing else of the package's folder.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}


def add_docs(app: FastAPI) -> None:
    """Serve /docs, /docs/oauth2-redirect, /redoc and their assets (anyone; GET and HEAD).

    The schema they show names no secret; ``api.docs: false`` leaves them out.
    """
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = f"{ASSETS_URL}/favicon.png"

    async def swagger_ui(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    async def swagger_ui_redirect(_request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(_request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )

    async def asset(request: Request) -> FileResponse:
        name = request.path_params["name"]
        if name not in ASSETS:
            raise not_found("文件", "file")
        return FileResponse(
            str(ASSETS_DIR / name), media_type=ASSETS[name], headers={"Cache-Control": "no-cache"}
        )

    # As FastAPI adds its own /docs and /redoc: plain routes, GET and HEAD, not in the schema.
    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/docs/oauth2-redirect", swagger_ui_redirect, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
    app.add_route(ASSETS_URL + "/{name}", asset, include_in_schema=False)
