"""The staff console's pages and writes over HTTP (API-key header; the browser tests sign in with
the cookie): every page answers for a viewer on both stores, writes need their role, a refused value
names its rule on the page, uploads report row by row, text from the store is escaped."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.auth import Role, create_key
from service.clock import FixedClock
from service.i18n import t
from service.targets import audit_trail, get_target
from tests.integration.api.conftest import BOTH_STORES, NOW, make_settings
from tests.integration.sea.test_sea_import_cli import BAYS_AND_POINTS

PAGES = (
    "/staff/",
    "/staff/reports",
    "/staff/targets",
    "/staff/imports",
    "/staff/quarantine",
    "/staff/runs",
    "/staff/webhooks",
    "/staff/alerts",
)


def _h(key: str) -> dict[str, str]:
    return {"X-API-Key": key, "Accept": "text/html"}


@pytest.fixture
def keys_app(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An app that may deliver to this machine (``webhook_allow_private``, development: http)."""
    settings = make_settings(tmp_path, environment="development", webhook_allow_private=True)
    app = create_app(settings, FixedClock(NOW))
    with TestClient(app) as client:
        keys = {r.name: create_key(app.state.engine, r, f"test-{r.name}")[1] for r in Role}
        yield client, keys


@BOTH_STORES
def test_every_page_answers_a_viewer_in_both_languages(
    client: TestClient, keys: dict[str, str]
) -> None:
    for path in PAGES:
        for lang in ("zh", "en"):
            r = client.get(f"{path}?lang={lang}", headers=_h(keys["viewer"]))
            assert r.status_code == 200, (path, r.text[:300])
            assert r.headers["content-type"].startswith("text/html")
            assert r.headers["cache-control"] == "no-store"
            assert "<title>" in r.text and t("console.title", lang) in r.text
            assert "<script" not in r.text  # no page script at all (CSP script-src 'self' holds)
    quarantine = client.get("/staff/quarantine", headers=_h(keys["viewer"])).text
    assert "1258A,2026-05-20T04:00,CO,-3" in quarantine and "negative" in quarantine
    assert client.get("/staff/keys", headers=_h(keys["viewer"])).status_code == 403
    assert client.get("/staff/keys", headers=_h(keys["admin"])).status_code == 200


def test_a_browser_without_a_session_is_sent_to_sign_in(client: TestClient) -> None:
    r = client.get(
        "/staff/targets?lang=en", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith("/staff/login?next=%2Fstaff%2Ftargets") or r.headers[
        "location"
    ].startswith("/staff/login?next=/staff/targets")
    assert client.get("/staff/targets").status_code == 401  # an API client: problem+json


def test_operator_changes_a_target_viewer_may_not(
    app: FastAPI, client: TestClient, keys: dict[str, str]
) -> None:
    form = {
        "district": "330903",
        "indicator": "water",
        "year": "2026",
        "percent": "92.5",
        "reason": "省厅下达",
    }
    assert client.post("/staff/targets", data=form, headers=_h(keys["viewer"])).status_code == 403
    assert client.post("/staff/targets", data=form).status_code == 401
    r = client.post(
        "/staff/targets?lang=zh", data=form, headers=_h(keys["operator"]), follow_redirects=False
    )
    assert r.status_code == 303 and "saved=330903-water" in r.headers["location"]
    engine = app.state.engine
    assert str(get_target(engine, "330903", "water", 2026).value) == "0.9250"
    [entry] = [a for a in audit_trail(engine, "330903", 2026) if a.reason == "省厅下达"]
    assert entry.who == "test-operator"
    page = client.get(r.headers["location"], headers=_h(keys["viewer"])).text
    assert "已保存：普陀区2026年Ⅰ～Ⅲ类断面比例目标。" in page and "92.5%" in page
    # Refusals name the rule and change nothing.
    for bad, message in (
        ({**form, "percent": "abc"}, t("console.targets.bad_value", "zh")),
        ({**form, "percent": "120"}, "range:0..1"),
        ({**form, "reason": "  "}, t("console.targets.reason_required", "zh")),
    ):
        r = client.post("/staff/targets?lang=zh", data=bad, headers=_h(keys["operator"]))
        assert r.status_code == 422 and message in r.text, r.text[:500]
        assert 'role="alert"' in r.text
    assert str(get_target(engine, "330903", "water", 2026).value) == "0.9250"


def test_lab_upload_reports_every_row_and_escapes_what_it_shows(
    client: TestClient, keys: dict[str, str]
) -> None:
    csv = (
        "断面名称,采样日期,溶解氧(mg/L),氨氮(mg/L)\n"
        "WS-330902-01,2026-05-10,8.1,0.35\n"
        "<b>unknown</b>,2026-05-10,6.0,1.10\n"
    ).encode()
    files = {"file": ("五月.csv", csv, "text/csv")}
    assert (
        client.post("/staff/imports/lab", files=files, headers=_h(keys["viewer"])).status_code
        == 403
    )
    r = client.post("/staff/imports/lab?lang=zh", files=files, headers=_h(keys["operator"]))
    assert r.status_code == 200, r.text[:500]
    assert "导入结果：五月.csv" in r.text and t("console.imports.done", "zh") in r.text
    assert re.search(r"<dt>新增</dt><dd>2</dd>", r.text)
    rows = re.findall(r"<tr><td data-label=[^>]*>(\d+)</td>", r.text)
    assert rows == ["3"]  # the unknown section's line, once (its items are one refused row)
    assert "&lt;b&gt;unknown&lt;/b&gt;" in r.text and "<b>unknown</b>" not in r.text
    # Fix and re-import: the quarantine page of this file offers the file as received.
    review = client.get("/staff/quarantine?lang=zh", headers=_h(keys["viewer"])).text
    [payload] = re.findall(
        r'href="/staff/quarantine\?lang=zh&amp;payload=(\d+)">五月\.csv<', review
    )
    page = client.get(f"/staff/quarantine?lang=zh&payload={payload}", headers=_h(keys["viewer"]))
    assert f'href="/staff/quarantine/file/{payload}"' in page.text
    original = client.get(f"/staff/quarantine/file/{payload}", headers=_h(keys["viewer"]))
    assert original.status_code == 200 and original.content == csv
    assert original.headers["content-type"] == "application/octet-stream"
    assert original.headers["content-disposition"].startswith("attachment;")
    assert "UTF-8''%E4%BA%94%E6%9C%88.csv" in original.headers["content-disposition"]
    assert (
        client.get("/staff/quarantine/file/999999", headers=_h(keys["viewer"])).status_code == 404
    )
    again = client.post("/staff/imports/lab?lang=zh", files=files, headers=_h(keys["operator"]))
    assert t("console.imports.skipped", "zh") in again.text
    wrong = client.post(
        "/staff/imports/lab?lang=en",
        files={"file": ("notes.txt", b"hello", "text/plain")},
        headers=_h(keys["operator"]),
    )
    assert wrong.status_code == 415 and "Unsupported file type" in wrong.text


def test_admin_creates_and_revokes_keys_operator_may_not(
    client: TestClient, keys: dict[str, str]
) -> None:
    form = {"name": "<i>新同事</i>", "role": "viewer"}
    assert client.post("/staff/keys", data=form, headers=_h(keys["operator"])).status_code == 403
    r = client.post("/staff/keys?lang=zh", data=form, headers=_h(keys["admin"]))
    assert r.status_code == 200
    [plain] = re.findall(r"<code>(envmon_[0-9a-f]+_[\w-]+)</code>", r.text)
    assert "&lt;i&gt;新同事&lt;/i&gt;" in r.text and "<i>新同事</i>" not in r.text
    key_id = plain.split("_")[1]
    assert client.get("/api/v1/staff/me", headers={"X-API-Key": plain}).status_code == 200
    r = client.post(
        f"/staff/keys/{key_id}/revoke?lang=zh", headers=_h(keys["admin"]), follow_redirects=False
    )
    assert r.status_code == 303
    assert client.get("/api/v1/staff/me", headers={"X-API-Key": plain}).status_code == 401
    listing = client.get("/staff/keys", headers=_h(keys["admin"])).text
    assert plain not in listing and key_id in listing
    assert client.post(f"/staff/keys/{key_id}/revoke", headers=_h(keys["admin"])).status_code == 409


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_admin_manages_webhook_subscriptions(
    client: TestClient, keys: dict[str, str], lang: str
) -> None:
    form = {"name": "duty", "url": "https://1.2.3.4/hook?token=s3cret", "format": "dingtalk"}
    assert (
        client.post("/staff/webhooks", data=form, headers=_h(keys["operator"])).status_code == 403
    )
    r = client.post(f"/staff/webhooks?lang={lang}", data=form, headers=_h(keys["admin"]))
    assert r.status_code == 200, r.text[:400]
    assert re.search(r"<code>whsec_[\w+/=]+</code>", r.text)
    assert "s3cret" not in r.text  # the URL's query is hidden
    [sub_id] = re.findall(r'action="/staff/webhooks/(\d+)/pause', r.text)
    r = client.post(
        f"/staff/webhooks/{sub_id}/pause?lang={lang}",
        headers=_h(keys["admin"]),
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/staff/webhooks?lang={lang}", headers=_h(keys["admin"])).text
    assert f'action="/staff/webhooks/{sub_id}/resume' in page
    refused = client.post(
        f"/staff/webhooks?lang={lang}",
        data={**form, "url": "http://10.0.0.8/hook"},
        headers=_h(keys["admin"]),
    )
    assert refused.status_code == 422 and "outbound_safety" in refused.text


def test_report_view_and_pdf(client: TestClient, keys: dict[str, str]) -> None:
    r = client.get(
        "/staff/reports/view?district=city&period=2026-04&lang=zh", headers=_h(keys["viewer"])
    )
    assert r.status_code == 200 and "舟山市2026年4月环境质量月报" in r.text
    pdf = client.get(
        "/staff/reports/pdf?district=330902&period=2026-04&report_lang=en",
        headers=_h(keys["viewer"]),
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == (
        'attachment; filename="envmon-330902-2026-04-en.pdf"'
    )
    future = client.get(
        "/staff/reports/view?district=city&period=2027&lang=en", headers=_h(keys["viewer"])
    )
    assert future.status_code == 422 and "has not started yet" in future.text
    bad = client.get(
        "/staff/reports/view?district=city&period=26&lang=en", headers=_h(keys["viewer"])
    )
    assert bad.status_code == 422


def test_operator_imports_a_section_registry_row_by_row(
    client: TestClient, keys: dict[str, str]
) -> None:
    bad = (
        "断面编码,断面名称,区县,经度,纬度,是否省控\n"
        "WS-330902-90,新建河口,定海区,122.10,30.02,是\n"
        "WS 330902 91,,定海区,122.11,30.03,否\n"
    ).encode()
    files = {"file": ("断面名录.csv", bad, "text/csv")}
    form = {"kind": "sections"}
    assert (
        client.post(
            "/staff/imports/registry", data=form, files=files, headers=_h(keys["viewer"])
        ).status_code
        == 403
    )
    r = client.post(
        "/staff/imports/registry?lang=zh", data=form, files=files, headers=_h(keys["operator"])
    )
    assert r.status_code == 422 and t("console.imports.refused", "zh") in r.text
    lines = re.findall(r"<tr><td data-label=[^>]*>(\d+)</td>", r.text)
    assert lines and set(lines) == {"3"}  # both problems are on line 3 (code and name)
    good = bad.decode().splitlines()[:2]
    files = {"file": ("断面名录.csv", ("\n".join(good) + "\n").encode(), "text/csv")}
    r = client.post(
        "/staff/imports/registry?lang=zh", data=form, files=files, headers=_h(keys["operator"])
    )
    assert r.status_code == 200, r.text[:800]
    assert "新增：WS-330902-90" in r.text
    versions = client.get("/staff/imports?lang=zh", headers=_h(keys["viewer"])).text
    assert re.search(r"断面名录\.csv</td>.*?>1</td>", versions, re.S)


def test_operator_imports_seawater_points_and_bays(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The bureau's seawater points and bays from the imports page, as ``envmon sea import`` does:
    a refused file names its bad row, a good one is stored as a version and listed by its kind."""
    page = client.get("/staff/imports?lang=zh", headers=_h(keys["operator"])).text
    assert '<option value="sea">海水点位与海湾</option>' in page
    broken = json.loads(json.dumps(BAYS_AND_POINTS))
    del broken["features"][0]["properties"]["水质目标"]  # a bay needs its target class
    form = {"kind": "sea"}
    files = {"file": ("海水点位与海湾.geojson", json.dumps(broken).encode(), "application/json")}
    r = client.post(
        "/staff/imports/registry?lang=zh", data=form, files=files, headers=_h(keys["operator"])
    )
    assert r.status_code == 422 and t("console.imports.refused", "zh") in r.text
    assert "BAY-A" in r.text or "水质目标" in r.text or "target" in r.text
    good = json.dumps(BAYS_AND_POINTS, ensure_ascii=False).encode()
    files = {"file": ("海水点位与海湾.geojson", good, "application/json")}
    r = client.post(
        "/staff/imports/registry?lang=zh", data=form, files=files, headers=_h(keys["operator"])
    )
    assert r.status_code == 200, r.text[:800]
    assert re.search(r"<dt>海水点位</dt><dd>3</dd>", r.text), r.text[-3000:]
    assert re.search(r"<dt>海湾、功能区</dt><dd>2</dd>", r.text)
    assert "新增：BAY-A, ZONE-B, ZS01, ZS02, ZS03" in r.text
    versions = client.get("/staff/imports?lang=zh", headers=_h(keys["viewer"])).text
    assert "console.imports." not in versions  # every kind has its name in the catalogue
    assert re.search(r">海水点位与海湾</td><td[^>]*>海水点位与海湾\.geojson</td>", versions)
    codes = {p["code"] for p in client.get("/api/v1/sea/points").json()["items"]}
    assert {"ZS01", "ZS02", "ZS03"} <= codes


def test_send_test_reaches_a_local_receiver(
    tmp_path: Path, keys_app: tuple[TestClient, dict[str, str]]
) -> None:
    client, keys = keys_app
    received: list[tuple[str, bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("webhook-signature", ""), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        form = {"name": "local", "url": url, "format": "envmon"}
        r = client.post("/staff/webhooks?lang=en", data=form, headers=_h(keys["admin"]))
        assert r.status_code == 200, r.text[:400]
        [sub_id] = re.findall(r'action="/staff/webhooks/(\d+)/test', r.text)
        assert (
            client.post(f"/staff/webhooks/{sub_id}/test", headers=_h(keys["viewer"])).status_code
            == 403
        )
        r = client.post(f"/staff/webhooks/{sub_id}/test?lang=en", headers=_h(keys["operator"]))
        assert r.status_code == 200 and 'role="status"' in r.text, r.text[:600]
        assert len(received) == 1 and received[0][0].startswith("v1,")
        assert b"alert.test" in received[0][1]
    finally:
        server.shutdown()


def test_zone_upload_is_parsed_under_the_limits_and_refusals_name_them(
    client: TestClient, keys: dict[str, str]
) -> None:
    from tests.integration.test_zone_upload_jobs import point_zones

    good = {"file": ("锚地.geojson", point_zones(3), "application/geo+json")}
    r = client.post("/staff/imports/zones?lang=zh", files=good, headers=_h(keys["operator"]))
    assert r.status_code == 200, r.text[:600]
    assert "导入结果：锚地.geojson" in r.text and re.search(r"<dt>新增</dt><dd>3</dd>", r.text)
    bad = {"file": ("坏.geojson", b'{"type": "FeatureCollection", "features": [', "text/plain")}
    r = client.post("/staff/imports/zones?lang=zh", files=bad, headers=_h(keys["operator"]))
    assert r.status_code == 422 and t("console.imports.refused", "zh") in r.text
    assert 'id="import-rows"' in r.text
    assert (
        client.post("/staff/imports/zones", files=good, headers=_h(keys["viewer"])).status_code
        == 403
    )


@pytest.mark.parametrize("demo", [True, False], ids=["demo", "live"])
def test_every_console_page_says_when_its_figures_are_demo(tmp_path: Path, demo: bool) -> None:
    """On the demo feed the console's figures are simulated: a banner says so on each page, in the
    page's language, as the maps' data box does; a live store without demo rows shows none."""

    application = create_app(make_settings(tmp_path, demo=demo), FixedClock(NOW))
    with TestClient(application) as c:
        key = create_key(application.state.engine, Role.admin, "banner")[1]
        for path in ("/staff/", "/staff/imports", "/staff/targets", "/staff/quarantine"):
            for lang in ("zh", "en"):
                page = c.get(f"{path}?lang={lang}", headers=_h(key))
                assert page.status_code == 200, (path, page.text[:300])
                banner = t("console.demo", lang)
                assert (banner in page.text) is demo, (path, lang)
