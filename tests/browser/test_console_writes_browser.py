"""Console writes in real Chromium, each with the signed-in key's role and the session's CSRF token:
an operator changes a target and uploads a lab file, an admin manages API keys and webhook
subscriptions; a viewer's write, and writes without the token or from another origin, are refused
and change nothing."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.i18n import t
from tests.browser.conftest import ARTIFACTS, Watched
from tests.browser.console_data import HOOK_URL, console_server, sign_in

pytestmark = pytest.mark.browser


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


def test_viewer_cannot_write(console: tuple[str, dict[str, str]], watched: Watched) -> None:
    base, keys = console
    page = watched.page
    sign_in(page, base, keys["viewer"])
    page.goto(f"{base}/staff/targets?lang=zh&year=2026")
    assert page.get_by_role("button", name=t("console.save", "zh")).count() == 0
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
    nav = page.get_by_role("navigation", name=t("console.nav.label", "zh"))
    nav.get_by_role("link", name=t("console.nav.keys", "zh")).click()
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
    page.get_by_role(
        "button", name=t("console.keys.revoke_named", "zh", name="数据科 王工")
    ).click()
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
    # An unsafe URL (credentials in it) is refused with the rule named, and nothing is added.
    page.locator("#wh-name").fill("带口令")
    page.locator("#wh-url").fill("https://user:pw@1.2.3.6/hook")
    page.get_by_role("button", name=t("console.webhooks.create_button", "zh")).click()
    assert "outbound_safety" in page.get_by_role("alert").inner_text()
    assert page.locator("#subscriptions tbody tr").count() == 2
    # Send a test message to a receiver on this machine: it arrives signed, the page says so.
    received: list[bytes] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.locator("#wh-name").fill("本机接收")
        page.locator("#wh-url").fill(f"http://127.0.0.1:{server.server_address[1]}/hook")
        page.get_by_role("button", name=t("console.webhooks.create_button", "zh")).click()
        page.get_by_role(
            "button", name=t("console.webhooks.test_named", "zh", name="本机接收")
        ).click()
        page.get_by_role("status").filter(has_text=t("webhook.test.sent", "zh")).wait_for()
        assert len(received) == 1 and b"alert.test" in received[0]
    finally:
        server.shutdown()
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
        f"{base}/staff/keys",
        form={**form, "csrf_token": token[:-2] + "xx"},
        headers={"Origin": base},
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
