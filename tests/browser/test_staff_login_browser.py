"""Staff sign-in in real Chromium: /maps/staff sends a browser to the sign-in page; a wrong key is
refused on the page, a freshly created viewer key opens the staff map, and signing out (a POST
carrying the session's CSRF token, from a no-referrer page) ends the session in the store."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.auth import Role, create_key
from service.i18n import t
from tests.browser.conftest import ARTIFACTS, Envmon, Watched

pytestmark = pytest.mark.browser


def _fresh_viewer_key(envmon: Envmon) -> str:
    """A new viewer key in the running server's store (SQLite in WAL mode takes a second writer)."""
    from service.store.engine import init_store

    data_dir = envmon.extra["data_dir"]
    assert isinstance(data_dir, Path)
    engine = init_store(f"sqlite:///{data_dir / 'envmon.sqlite3'}")
    try:
        return create_key(engine, Role.viewer, "signed-in viewer")[1]
    finally:
        engine.dispose()


def test_sign_in_opens_the_staff_map_and_sign_out_ends_it(envmon: Envmon, watched: Watched) -> None:
    page = watched.page
    key = _fresh_viewer_key(envmon)
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})  # a bureau browser
    page.goto(f"{envmon.base}/maps/staff?basemap=offline")
    assert urlsplit(page.url).path == "/staff/login"
    page.get_by_role("heading", name=t("staff.login.title", "zh")).wait_for()

    # A wrong key: the form again, with the error announced, and no cookie.
    field = page.get_by_label(t("staff.login.key", "zh"))
    field.fill(key[:-2] + "xx")
    page.get_by_role("button", name=t("staff.login.submit", "zh")).click()
    assert page.get_by_role("alert").inner_text() == t("staff.login.failed", "zh")
    assert not [c for c in page.context.cookies() if c["name"] == "envmon_staff"]

    page.get_by_label(t("staff.login.key", "zh")).fill(key)
    page.get_by_role("button", name=t("staff.login.submit", "zh")).click()
    page.locator(".leaflet-container").wait_for()
    page.locator(".leaflet-control-layers-overlays").wait_for()
    assert page.url == f"{envmon.base}/maps/staff?basemap=offline"
    [cookie] = [c for c in page.context.cookies() if c["name"] == "envmon_staff"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert key not in cookie["value"]
    assert page.evaluate("document.cookie") == ""  # HttpOnly: not readable by scripts
    who = t("staff.session.signed_in", "zh", name="signed-in viewer", role=t("staff.role.viewer"))
    assert page.locator("#envmon-session").inner_text().startswith(who)
    page.screenshot(path=str(ARTIFACTS / "staff_signed_in.png"))

    page.get_by_role("button", name=t("staff.session.logout", "zh")).click()
    page.get_by_role("heading", name=t("staff.login.title", "zh")).wait_for()
    assert urlsplit(page.url).path == "/staff/login"
    assert not [c for c in page.context.cookies() if c["name"] == "envmon_staff"]
    # The session ended in the store: a copy of the cookie opens nothing.
    replay = page.request.get(
        f"{envmon.base}/api/v1/staff/me", headers={"Cookie": f"envmon_staff={cookie['value']}"}
    )
    assert replay.status == 401
    page.goto(f"{envmon.base}/maps/staff?basemap=offline")
    assert urlsplit(page.url).path == "/staff/login"
    assert watched.outside == []
    # Chromium logs the wrong key's 401 answer as a failed load; nothing else may fail.
    assert [e for e in watched.errors if "401" not in e] == []
    assert len(watched.errors) == 1
