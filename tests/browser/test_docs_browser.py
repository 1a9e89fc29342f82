"""/docs (Swagger UI) and /redoc (ReDoc) render the API in real Chromium with every request outside
127.0.0.1 blocked: the front-end files are envmon's own."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, Envmon, Watched

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_offline(envmon: Envmon, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{envmon.base}/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/stations/{code}/hours").first.wait_for()
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=str(ARTIFACTS / "docs_swagger.png"))
    assert watched.outside == []
    assert watched.errors == []


def test_redoc_renders_offline(envmon: Envmon, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{envmon.base}/redoc")
    page.locator("h1", has_text="envmon").first.wait_for(timeout=60_000)
    page.get_by_text("Report that the service is up").first.wait_for()
    # every tag of the OpenAPI document is listed in the side menu
    menu = page.locator("[role=menuitem]").all_inner_texts()
    assert {"public", "geo", "maps"} <= {m.strip() for m in menu}
    page.screenshot(path=str(ARTIFACTS / "docs_redoc.png"))
    assert watched.outside == []
    # ReDoc always draws its maker's logo from an outside CDN; the page's CSP refuses it unsent.
    refused = [e for e in watched.errors if "cdn.redoc.ly" in e and "Content Security Policy" in e]
    assert [e for e in watched.errors if e not in refused] == []
