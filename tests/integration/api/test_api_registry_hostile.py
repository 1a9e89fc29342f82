"""Hostile registry files through every way in: the staff console's upload and the API answer 422
naming the rule, the CLI refuses in its usual words; nothing is stored and nothing crashes."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.i18n import t

#: A CSV whose header repeats a column name, and a GeoJSON with no features.
REPEATED = ("repeated.csv", "编码,名称,编码\nA1,甲,A2\n".encode(), "column '编码' given twice")
EMPTY = ("empty.geojson", b'{"type": "FeatureCollection", "features": []}', "holds no rows")
RULES = {REPEATED[0]: "one_column", EMPTY[0]: "has_rows"}
KINDS = ["stations", "sections", "sea"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("upload", [REPEATED, EMPTY], ids=["repeated column", "no features"])
def test_console_upload_refuses_with_the_rule_on_the_page(
    client: TestClient, keys: dict[str, str], kind: str, upload: tuple[str, bytes, str]
) -> None:
    name, raw, words = upload
    r = client.post(
        "/staff/imports/registry?lang=en",
        data={"kind": kind},
        files={"file": (name, raw, "application/octet-stream")},
        headers={"Authorization": f"Bearer {keys['operator']}"},
    )
    assert r.status_code == 422, r.text[-800:]
    assert t("console.imports.refused", "en") in r.text
    page = html.unescape(r.text)
    assert f'<td data-label="Reason">{RULES[name]}: ' in page and words in page
    versions = client.get(
        "/staff/imports?lang=en", headers={"Authorization": f"Bearer {keys['viewer']}"}
    )
    assert name not in versions.text  # nothing stored


@pytest.mark.parametrize("kind", ["stations", "sections"])
@pytest.mark.parametrize("upload", [REPEATED, EMPTY], ids=["repeated column", "no features"])
def test_api_import_refuses_with_the_field_and_rule(
    client: TestClient, keys: dict[str, str], kind: str, upload: tuple[str, bytes, str]
) -> None:
    name, raw, words = upload
    r = client.post(
        f"/api/v1/staff/registry/{kind}/import",
        headers={"Authorization": f"Bearer {keys['operator']}"},
        files={"file": (name, raw, "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    field = "line 1: 编码" if name == REPEATED[0] else "file"
    assert [(e["field"], e["rule"]) for e in errors] == [(field, RULES[name])]
    assert words in errors[0]["message"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("upload", [REPEATED, EMPTY], ids=["repeated column", "no features"])
def test_cli_import_refuses_on_stderr_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    upload: tuple[str, bytes, str],
) -> None:
    monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ENVMON_DEMO", "false")
    name, raw, words = upload
    path = tmp_path / name
    path.write_bytes(raw)
    out = CliRunner().invoke(cli, [kind, "import", str(path), "--who", "test"])
    # A refused registry file exits 1 with the refusal, as every refused registry file does.
    assert out.exit_code == 1, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
    assert out.stdout == "" and "Traceback" not in out.stderr
    assert out.stderr.startswith(f"{name}: refused, 1 problem(s):\n")
    assert f"({RULES[name]})" in out.stderr and words in out.stderr
