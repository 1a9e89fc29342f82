"""The zone alert rules (pure): limit, rise against background, monitor silent; per zone kind."""

from __future__ import annotations

import datetime as dt

from service.alerts.rules import (
    ZONE_LIMIT_EXCEEDED,
    ZONE_MONITOR_SILENT,
    ZONE_RISE,
    AlertConfig,
    Figures,
    SilenceLimits,
    ZoneWatch,
    signals,
)
from service.alerts.state import evaluate

NOW = dt.datetime(2026, 11, 3, 6, tzinfo=dt.UTC)
WORST = {"monitor": "YB1", "monitor_name": "东厂界", "parameter": "NMHC", "value": 4.5,
         "threshold": 4.0, "unit": "mg/m³", "limit": "gb16297_nmhc", "standard": "GB 16297-1996",
         "clause": "表2", "time": NOW.isoformat(), "time_cst": "2026-11-03 14:00 CST", "hours": 1}  # fmt: skip


def _by_rule(figures: Figures, config: AlertConfig | None = None) -> dict[str, list]:
    out: dict[str, list] = {}
    for s in signals(figures, config or AlertConfig(), NOW):
        out.setdefault(s.rule, []).append(s)
    return out


def test_limit_fires_once_per_zone_with_the_zone_label() -> None:
    yard = ZoneWatch("y1", "某船厂", "ship_repair_yard", "330903", worst=WORST)
    clean = ZoneWatch("y2", "另一船厂", "ship_repair_yard", "330903")
    sigs = _by_rule(Figures(zones=(yard, clean)))[ZONE_LIMIT_EXCEEDED]
    assert [(s.labels["zone"], s.fire, s.value, s.threshold) for s in sigs] == [
        ("y1", True, 4.5, 4.0),
        ("y2", False, None, None),
    ]
    step = evaluate(Figures(zones=(yard, clean)), AlertConfig(), {}, NOW)
    (note,) = [n for n in step.notifications if n.rule == ZONE_LIMIT_EXCEEDED]
    assert [a.labels["zone"] for a in note.alerts] == ["y1"]


def test_rise_against_background_by_hand() -> None:
    # NO2: monitors 70, background 25 -> rise 45 > 40 fires; SO2: 30 - 12 = 18 < 20 does not.
    port = ZoneWatch("p1", "某港区", "port_area", "330902",
                     rises={"NO2": (70.0, 25.0, 45.0, 40.0), "SO2": (30.0, 12.0, 18.0, 20.0)})  # fmt: skip
    sigs = {s.labels["parameter"]: s for s in _by_rule(Figures(zones=(port,)))[ZONE_RISE]}
    assert (sigs["NO2"].fire, sigs["NO2"].value, sigs["NO2"].threshold) == (True, 45.0, 40.0)
    assert (sigs["SO2"].fire, sigs["SO2"].value) == (False, 18.0)


def test_rules_per_zone_kind() -> None:
    # A route has no rise rule; an anchorage no limit rule.
    route = ZoneWatch("r1", "航路", "route", "city", rises={"NO2": (90.0, 20.0, 70.0, 40.0)})
    anchorage = ZoneWatch("a1", "锚地", "anchorage", "city", worst=WORST)
    rules = _by_rule(Figures(zones=(route, anchorage)))
    assert [s.labels["zone"] for s in rules.get(ZONE_RISE, [])] == []
    assert [s.labels["zone"] for s in rules.get(ZONE_LIMIT_EXCEEDED, [])] == ["r1"]


def test_monitor_silent_after_its_hours() -> None:
    seen = {
        "M1": ("甲", NOW - dt.timedelta(hours=6)),  # exactly 6 h: not yet silent
        "M2": ("乙", NOW - dt.timedelta(hours=6, minutes=30)),  # 6.5 h > 6 h
        "M3": ("丙", None),  # never delivered
    }
    yard = ZoneWatch("y1", "某船厂", "ship_repair_yard", "330903", last_seen=seen)
    config = AlertConfig(silence=SilenceLimits(zone_monitor_h=6.0))
    sigs = {
        s.labels["code"]: s for s in _by_rule(Figures(zones=(yard,)), config)[ZONE_MONITOR_SILENT]
    }
    assert {k: (s.fire, s.value) for k, s in sigs.items()} == {
        "M1": (False, 6.0),
        "M2": (True, 6.5),
        "M3": (True, None),
    }
    assert all(s.labels["zone"] == "y1" for s in sigs.values())
