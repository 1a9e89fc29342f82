"""The staff console in real Chromium, signed in through the sign-in form: a viewer reads every page
and cannot write, an operator changes a target and uploads a lab file, an admin manages API keys and
webhook subscriptions; writes without the session's CSRF token, from another origin, or with a role
too low are refused and change nothing; hostile text from an import is shown, never run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from service.i18n import t
from tests.browser.conftest import ARTIFACTS, Watched
from tests.browser.console_data import HOOK_URL, HOSTILE, console_server, sign_in

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


def _token(page: object) -> str:
    """The session's CSRF token as the page's forms carry it (the sign-out form has it on every
    console page)."""
    field = page.locator('form[action^="/staff/logout"] input[name="csrf_token"]')  # type: ignore[attr-defined]
    value = field.get_attribute("value")
    assert value
    return str(value)


def test_viewer_reads_every_page_but_cannot_write(
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
    # A viewer's write, even with its own session's token from this site, is refused by role.
    page.goto(f"{base}/staff/targets?lang=zh")
    refused = page.request.post(
        f"{base}/staff/targets",
        form={
            "csrf_token": _token(page),
            "district": "330902",
            "indicator": "air",
            "year": "2026",
            "percent": "50",
            "reason": "viewer tries",
        },
        headers={"Origin": base},
    )
    assert refused.status == 403
    page.reload()
    assert "95.0%" in page.locator("#targets tbody tr").filter(has_text="定海区").first.inner_text()
    # English from the same catalogue.
    page.goto(f"{base}/staff/runs?lang=en")
    page.get_by_role("heading", level=1, name=t("console.runs.title", "en")).wait_for()
    assert _errors(watched) == [] and watched.outside == []


def test_operator_changes_a_target_and_uploads_a_lab_file(
    console: tuple[str, dict[str, str]], watched: Watched
) -> None:
    base, keys = console
    page = watched.page
    sign_in(page, base, keys["operator"])
    page.goto(f"{base}/staff/targets?lang=zh&year=2026")
    new_value = t(
        "console.targets.new_value_for",
        "zh",
        district="普陀区",
        indicator=t("console.indicator.air", "zh"),
    )
    reason = t(
        "console.targets.reason_for",
        "zh",
        district="普陀区",
        indicator=t("console.indicator.air", "zh"),
    )
    page.get_by_label(new_value).fill("96.5")
    page.get_by_label(reason).fill("区政府来函调整")
    form = page.locator("form").filter(has=page.get_by_label(new_value))
    form.get_by_role("button", name=t("console.save", "zh")).click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    row = page.locator("#targets tbody tr").filter(has_text="普陀区").first
    assert "96.5%" in row.inner_text() and "操作员 operator" in row.inner_text()
    audit = page.locator("#audit tbody tr").first.inner_text()
    assert "96.5%" in audit and "97.0%" in audit and "区政府来函调整" in audit
    # A change without a reason is refused (by the server too, not only the form) and changes
    # nothing.
    refused = page.request.post(
        f"{base}/staff/targets?lang=zh",
        form={
            "csrf_token": _token(page),
            "district": "330903",
            "indicator": "air",
            "year": "2026",
            "percent": "10",
            "reason": " ",
        },
        headers={"Origin": base},
    )
    assert refused.status == 422 and t("console.targets.reason_required", "zh") in refused.text()
    page.goto(f"{base}/staff/targets?lang=zh&year=2026")
    assert "96.5%" in page.locator("#targets tbody tr").filter(has_text="普陀区").first.inner_text()

    # Upload a lab file: the result row by row (one good row, one with an impossible date).
    page.goto(f"{base}/staff/imports?lang=zh")
    csv = (
        "断面名称,采样日期,溶解氧(mg/L),氨氮(mg/L)\n"
        "WS-330902-01,2026-11-10,8.1,0.35\n"
        "WS-330902-05,2026-02-30,6.0,1.10\n"
    ).encode()
    page.locator("#lab-file").set_input_files(
        files=[{"name": "十一月补测.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.locator("form").filter(has=page.locator("#lab-file")).get_by_role(
        "button", name=t("console.imports.upload", "zh")
    ).click()
    result = page.locator("#import-result")
    result.wait_for()
    text = result.inner_text()
    assert "十一月补测.csv" in text and t("console.imports.done", "zh") in text
    assert re.search(r"新增\s*2\b", text), text  # DO and NH3N of the good row
    rows = page.locator("#import-rows tbody tr")
    assert rows.count() == 2  # both items of the impossible date, each with its rule
    assert all("time" in rows.nth(i).inner_text() for i in range(2))
    # The same file again imports nothing twice.
    page.goto(f"{base}/staff/imports?lang=zh")
    page.locator("#lab-file").set_input_files(
        files=[{"name": "十一月补测.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.locator("form").filter(has=page.locator("#lab-file")).get_by_role(
        "button", name=t("console.imports.upload", "zh")
    ).click()
    page.locator("#import-result").filter(has_text=t("console.imports.skipped", "zh")).wait_for()
    # Operators replay messages but do not manage subscriptions or keys.
    page.goto(f"{base}/staff/webhooks?lang=zh")
    assert page.locator("#subscriptions").count() == 0
    forbidden = page.request.post(
        f"{base}/staff/keys",
        form={"csrf_token": _token(page), "name": "x", "role": "admin"},
        headers={"Origin": base},
    )
    assert forbidden.status == 403
    page.screenshot(path=str(ARTIFACTS / "console_operator.png"), full_page=True)
    assert _errors(watched) == [] and watched.outside == []


def test_admin_manages_keys_and_webhooks(
    console: tuple[str, dict[str, str]], watched: Watched
) -> None:
    base, keys = console
    page = watched.page
    sign_in(page, base, keys["admin"])
    page.get_by_role("link", name=t("console.nav.keys", "zh")).click()
    page.get_by_label(t("console.col.name", "zh")).fill("数据科 王工")
    page.get_by_label(t("console.col.role", "zh")).select_option("operator")
    page.get_by_role("button", name=t("console.keys.create_button", "zh")).click()
    shown = page.locator("#new-key code").inner_text()
    assert re.fullmatch(r"envmon_[0-9a-f]{12}_[\w-]{40,}", shown)
    key_id = shown.split("_")[1]
    row = page.locator("#keys tbody tr").filter(has_text=key_id)
    assert "数据科 王工" in row.inner_text() and t("console.keys.active", "zh") in row.inner_text()
    # Shown once: reloading the list shows the id, never the key.
    page.goto(f"{base}/staff/keys?lang=zh")
    assert shown not in page.content()
    page.get_by_role("button", name=t("console.keys.revoke_named", "zh", name="数据科 王工")).click()
    row = page.locator("#keys tbody tr").filter(has_text=key_id)
    assert t("console.keys.revoked", "zh") in row.inner_text()
    # The revoked key no longer signs in.
    other = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        stranger = other.new_page()
        stranger.goto(f"{base}/staff/login?lang=zh")
        stranger.get_by_label(t("staff.login.key", "zh")).fill(shown)
        stranger.get_by_role("button", name=t("staff.login.submit", "zh")).click()
        assert stranger.get_by_role("alert").inner_text() == t("staff.login.failed", "zh")
    finally:
        other.close()

    # Webhooks: create (the signing secret shown once), pause, resume, replay a message.
    page.goto(f"{base}/staff/webhooks?lang=zh")
    page.get_by_label(t("console.col.name", "zh")).fill("应急办 WeCom")
    page.locator("#wh-url").fill("https://1.2.3.5/hooks/envmon")
    page.locator("#wh-format").select_option("wecom")
    page.get_by_role("button", name=t("console.webhooks.create_button", "zh")).click()
    secret = page.locator("#webhook-secret code").inner_text()
    assert secret.startswith("whsec_")
    subs = page.locator("#subscriptions tbody tr")
    assert subs.count() == 2
    created = subs.filter(has_text="应急办 WeCom")
    assert "wecom" in created.inner_text()
    seeded = subs.filter(has_text="值班群 duty room")
    assert "token=abc123" not in seeded.inner_text()  # the query (robot tokens) is hidden
    assert HOOK_URL.split("?")[0] in seeded.inner_text()
    created.get_by_role("button", name=t("console.webhooks.pause", "zh")).click()
    created = page.locator("#subscriptions tbody tr").filter(has_text="应急办 WeCom")
    assert t("console.webhooks.paused", "zh") in created.inner_text()
    created.get_by_role("button", name=t("console.webhooks.resume", "zh")).click()
    created = page.locator("#subscriptions tbody tr").filter(has_text="应急办 WeCom")
    assert t("console.webhooks.enabled", "zh") in created.inner_text()
    # An unsafe URL is refused with the rule named, and nothing is added.
    page.locator("#wh-name").fill("内网")
    page.locator("#wh-url").fill("https://127.0.0.1/hook")
    page.get_by_role("button", name=t("console.webhooks.create_button", "zh")).click()
    assert "outbound_safety" in page.get_by_role("alert").inner_text()
    assert page.locator("#subscriptions tbody tr").count() == 2
    page.screenshot(path=str(ARTIFACTS / "console_admin_webhooks.png"), full_page=True)
    assert _errors(watched) == [] and watched.outside == []


def test_writes_without_the_token_or_from_another_origin_are_refused(
    console: tuple[str, dict[str, str]], watched: Watched
) -> None:
    base, keys = console
    page = watched.page
    sign_in(page, base, keys["admin"])
    page.goto(f"{base}/staff/keys?lang=zh")
    before = page.locator("#keys tbody tr").count()
    token = _token(page)
    form = {"name": "csrf probe", "role": "admin"}
    no_token = page.request.post(f"{base}/staff/keys", form=form, headers={"Origin": base})
    wrong = page.request.post(
        f"{base}/staff/keys", form={**form, "csrf_token": token[:-2] + "xx"}, headers={"Origin": base}
    )
    foreign = page.request.post(
        f"{base}/staff/keys",
        form={**form, "csrf_token": token},
        headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert (no_token.status, wrong.status, foreign.status) == (403, 403, 403)
    page.reload()
    assert page.locator("#keys tbody tr").count() == before
    assert "csrf probe" not in page.content()
    # The same form with the page's own token goes through (the refusals were the token's doing).
    ok = page.request.post(
        f"{base}/staff/keys", form={**form, "csrf_token": token}, headers={"Origin": base}
    )
    assert ok.status == 200 and "csrf probe" in ok.text()
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
