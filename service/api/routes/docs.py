"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) served by envmon itself, so they work offline and
under ``script-src 'self'``: the front-end files come from the ``fastapi-offline`` package's static
directory (Swagger UI and ReDoc bundles; MIT / Apache-2.0), the start-up script from
``service/api/static``. Mounted only when ``ENVMON_DOCS_ENABLED`` (off by default in production).
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Final

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from service.api.errors import NotFound

router = APIRouter(include_in_schema=False)

#: Files the pages may load, by URL name -> (directory key, file name).
FILES: Final = {
    "swagger-ui-bundle.js": ("vendor", "swagger-ui-bundle.js"),
    "swagger-ui.css": ("vendor", "swagger-ui.css"),
    "redoc.standalone.js": ("vendor", "redoc.standalone.js"),
    "favicon.png": ("vendor", "favicon.png"),
    "swagger-init.js": ("own", "swagger-init.js"),
}
PREFIX: Final = "/static/docs"
#: The pages load only envmon's files: ReDoc's footer logo (an image on an outside CDN, drawn
#: unconditionally) is refused by the browser, never requested. Inline styles are the bundles' own.
DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "frame-ancestors 'self'"
)


@cache
def _dirs() -> dict[str, Path]:
    return {
        "vendor": Path(fastapi_offline.__file__).resolve().parent / "static",
        "own": Path(__file__).resolve().parent.parent / "static",
    }


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title>"
        f"<link rel='icon' type='image/png' href='{PREFIX}/favicon.png'>{head}</head>"
        f"<body style='margin:0'>{body}</body></html>",
        headers={"Content-Security-Policy": DOCS_CSP},
    )


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``."""
    spec = html.escape(f"{request.scope.get('root_path', '')}{request.app.openapi_url}")
    return _page(
        "envmon API · Swagger UI",
        f"<link rel='stylesheet' href='{PREFIX}/swagger-ui.css'>",
        f"<div id='swagger-ui' data-openapi='{spec}'></div>"
        f"<script src='{PREFIX}/swagger-ui-bundle.js'></script>"
        f"<script src='{PREFIX}/swagger-init.js'></script>",
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over ``/openapi.json``."""
    spec = html.escape(f"{request.scope.get('root_path', '')}{request.app.openapi_url}")
    return _page(
        "envmon API · ReDoc",
        "",
        f"<redoc spec-url='{spec}'></redoc><script src='{PREFIX}/redoc.standalone.js'></script>",
    )


@router.get(PREFIX + "/{name}")
def docs_file(name: str) -> FileResponse:
    """One of the documentation pages' front-end files (allow-listed by name)."""
    entry = FILES.get(name)
    if entry is None:
        raise NotFound("thing.resource", ident=name)
    where, file = entry
    return FileResponse(_dirs()[where] / file, headers={"Cache-Control": "public, max-age=86400"})


__all__ = ["DOCS_CSP", "FILES", "PREFIX", "router"]
