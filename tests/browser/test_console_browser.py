"""The staff console in real Chromium, signed in through the sign-in form: a viewer reads every page
(and is offered no write), a signed-out browser is sent to sign in and back, reports open as HTML
and download as PDF; hostile text from an import is shown, never run. Writes:
``test_console_writes_browser.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from service.i18n import t
from tests.browser.conftest import Watched
from tests.browser.console_data import HOSTILE, console_server, sign_in

pytestmark = pytest.mark.browser

READ_PAGES = {
    "/staff/": "console.home.title",
    "/staff/reports": "console.reports.title",
    "/staff/imports": "console.imports.title",
    "/staff/quarantine": "console.quarantine.title",
    "/staff/runs": "console.runs.title",
    "/staff/webhooks": "console.webhooks.title",
    "/staff/alerts": "console.alerts.title",
}


@pytest.fixture(scope="module")
def console() -> Iterator[tuple[str, dict[str, str]]]:
    """A seeded envmon of this module's own (its targets and keys change here)."""
    with console_server() as server:
        yield server


def _errors(watched: Watched) -> list[str]:
    """Console errors other than the refusals a test provoked on purpose (4xx answers)."""
    return [e for e in watched.errors if not re.search(r"status of 4\d\d", e)]


def test_viewer_reads_every_page_and_is_offered_no_write(
    console: tuple[str, dict[str, str]], watched: Watched
) -> None:
    base, keys = console
    page = watched.page
    sign_in(page, base, keys["viewer"])
    assert urlsplit(page.url).path == "/staff/"
    for path, title in READ_PAGES.items():
        response = page.goto(f"{base}{path}?lang=zh")
        assert response is not None and response.status == 200, path
        page.get_by_role("heading", level=1, name=t(title, "zh")).wait_for()
        # No write control anywhere for a viewer (the sign-out form aside).
        assert page.locator("main form[method=post]").count() == 0, path
    page.goto(f"{base}/staff/targets?lang=zh&year=2026")
    row = page.locator("#targets tbody tr").filter(has_text="定海区").first
    assert "95.0%" in row.inner_text()
    assert page.locator("#audit").inner_text().count("市政府 2026 年考核目标调整") == 1
    assert page.get_by_role("button", name=t("console.save", "zh")).count() == 0
    # Quarantine: each refused row with its rule, under the uploaded file's name; hostile text shown.
    page.goto(f"{base}/staff/quarantine?lang=zh")
    table = page.locator("#quarantine").inner_text()
    assert "time: missing or unparseable time" in table and "2026-11 水质.csv" in table
    assert HOSTILE in table
    assert page.locator("#quarantine img").count() == 0
    # Sources: the failing collector with its error; alerts firing with their messages.
    page.goto(f"{base}/staff/runs?lang=zh")
    health = page.locator("#health tbody tr").filter(has_text="cnemc_air")
    assert t("console.health.failing", "zh") in health.inner_text()
    assert "HTTP 503 from upstream after 3 attempts" in health.inner_text()
    page.goto(f"{base}/staff/alerts?lang=zh")
    assert page.locator("#firing tbody tr").count() > 0
    # Webhooks: the delivery log, but subscriptions are for admins.
    page.goto(f"{base}/staff/webhooks?lang=zh")
    assert page.locator("#deliveries tbody tr").count() > 0
    assert page.locator("#subscriptions").count() == 0
    # Keys page: admins only; the navigation does not offer it.
    assert page.get_by_role("link", name=t("console.nav.keys", "zh")).count() == 0
    assert page.request.get(f"{base}/staff/keys").status == 403
    # English from the same catalogue.
    page.goto(f"{base}/staff/runs?lang=en")
    page.get_by_role("heading", level=1, name=t("console.runs.title", "en")).wait_for()
    assert _errors(watched) == [] and watched.outside == []


def test_signed_out_browser_is_sent_to_sign_in_and_back(
    console: tuple[str, dict[str, str]], watched: Watched
) -> None:
    base, keys = console
    page = watched.page
    page.goto(f"{base}/staff/alerts?lang=en")
    assert urlsplit(page.url).path == "/staff/login"
    page.get_by_label(t("staff.login.key", "en")).fill(keys["viewer"])
    page.get_by_role("button", name=t("staff.login.submit", "en")).click()
    page.get_by_role("heading", level=1, name=t("console.alerts.title", "en")).wait_for()
    assert urlsplit(page.url).path == "/staff/alerts"
    # The report: HTML in the page, PDF as a download with its fonts in the file.
    page.goto(f"{base}/staff/reports?lang=zh")
    page.locator("#district").select_option("330902")
    page.locator("#period").fill("2026-11")
    page.get_by_role("button", name=t("console.reports.view", "zh")).click()
    page.get_by_role("heading", level=1, name=re.compile("定海区2026年11月环境质量月报")).wait_for()
    page.go_back()
    with page.expect_download() as info:
        page.get_by_role("button", name=t("console.reports.pdf", "zh")).click()
    download = info.value
    assert download.suggested_filename == "envmon-330902-2026-11-zh.pdf"
    assert open(download.path(), "rb").read(5) == b"%PDF-"
    # A period not yet started is refused on the page, naming why.
    page.goto(f"{base}/staff/reports/view?district=city&period=2027-05&lang=zh")
    assert "has not started yet" in page.get_by_role("alert").inner_text()
    assert _errors(watched) == [] and watched.outside == []


def test_report_view_fits_a_phone_without_sideways_scrolling(
    console: tuple[str, dict[str, str]], browser: object
) -> None:
    base, keys = console
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        sign_in(page, base, keys["viewer"])
        page.goto(f"{base}/staff/reports/view?district=330902&period=2026-11&lang=zh")
        page.get_by_role("heading", level=1, name=re.compile("定海区2026年11月")).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
