"""Payload formats match their documented shapes (envmon v1, Alertmanager v4, DingTalk, WeCom)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from service.alerts.payloads import RenderContext, render
from service.alerts.rules import AirRatio, AlertConfig, DistrictDay, Figures, SectionClass
from service.alerts.state import evaluate

T0 = dt.datetime(2026, 6, 1, 1, 2, 3, tzinfo=dt.UTC)
NAMES = {"330902": {"zh": "定海区", "en": "Dinghai District"}}
CTX = RenderContext(
    created_at=T0, lang="zh", receiver="bureau", external_url="https://envmon.example"
)


def _notification(n_days: int = 1):
    figs = Figures(
        days=tuple(
            DistrictDay("330902", dt.date(2026, 5, 1) + dt.timedelta(days=i), 150, "PM25")
            for i in range(n_days)
        )
    )
    (n,) = evaluate(figs, AlertConfig(), {}, T0).notifications
    return n


def _render(fmt: str, n=None, **kw) -> dict:
    ctx = RenderContext(
        created_at=T0,
        lang=kw.get("lang", "zh"),
        receiver="bureau",
        external_url="https://envmon.example",
        district_names=NAMES,
    )
    return json.loads(render(n or _notification(), fmt, ctx, kw.get("max_bytes", 256_000)))


def test_envmon_v1() -> None:
    body = _render("envmon")
    assert set(body) == {
        "version", "type", "created_at", "group_key", "status", "reason", "rule", "district",
        "group_labels", "title", "alerts", "truncated_alerts", "external_url",
    }  # fmt: skip
    assert body["version"] == "1" and body["status"] == "firing"
    assert body["created_at"] == "2026-06-01T01:02:03Z"
    (a,) = body["alerts"]
    assert set(a) == {
        "fingerprint", "status", "rule", "severity", "labels", "value", "threshold", "params",
        "starts_at", "ends_at", "summary", "url",
    }  # fmt: skip
    assert a["summary"]["zh"] == "定海区 2026-05-01 AQI 为 150（超过 100），首要污染物 PM25"
    assert a["summary"]["en"] == (
        "Dinghai District: AQI 150 on 2026-05-01 (above 100), primary pollutant PM25"
    )
    assert a["ends_at"] is None


def test_alertmanager_v4() -> None:
    body = _render("alertmanager")
    assert set(body) == {
        "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels",
        "commonLabels", "commonAnnotations", "externalURL", "alerts",
    }  # fmt: skip
    assert body["version"] == "4" and body["receiver"] == "bureau"
    assert body["groupLabels"] == {"alertname": "polluted_day", "district": "330902"}
    (a,) = body["alerts"]
    assert set(a) == {
        "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"
    }  # fmt: skip
    assert a["endsAt"] == "0001-01-01T00:00:00Z" and a["startsAt"] == "2026-06-01T01:02:03Z"
    assert a["labels"]["severity"] == "warning"
    assert body["commonLabels"]["alertname"] == "polluted_day"
    assert a["generatorURL"].startswith("https://envmon.example/")


def test_dingtalk_markdown() -> None:
    body = _render("dingtalk", lang="en")
    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": body["markdown"]["title"], "text": body["markdown"]["text"]},
    }
    assert body["markdown"]["title"] == "[FIRING] Dinghai District: Daily AQI above 100 (1)"
    assert body["markdown"]["text"].startswith("### [FIRING]")


def test_wecom_markdown_is_cut_to_4096_bytes() -> None:
    body = _render("wecom", _notification(200))
    assert set(body) == {"msgtype", "markdown"} and set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert '<font color="warning">' in content and "未列出" in content


def test_maximum_payload_size_truncates_alerts() -> None:
    body = _render("alertmanager", _notification(50), max_bytes=8000)
    assert 0 < len(body["alerts"]) < 50
    assert body["truncatedAlerts"] == 50 - len(body["alerts"])


def test_water_class_is_shown_as_on_screen() -> None:
    figs = Figures(sections=(SectionClass("S1", "330902", "V+", deciding_items=("TP",), name="X"),))
    (n,) = evaluate(figs, AlertConfig(), {}, T0).notifications
    zh = _render("envmon", n)["alerts"][0]["summary"]
    assert "劣Ⅴ" in zh["zh"] and "worse than V" in zh["en"]


def test_ratio_text() -> None:
    figs = Figures(air=(AirRatio("330902", 2026, 0.9512, 136, 143, 0.97),))
    (n,) = evaluate(figs, AlertConfig(), {}, T0).notifications
    summary = _render("envmon", n)["alerts"][0]["summary"]
    assert summary["zh"] == "定海区2026年优良天数比例为 95.1%（136/143 天），低于目标 97.0%"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown payload format"):
        render(_notification(), "slack", CTX)
