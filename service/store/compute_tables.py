"""Computed figures and targets: station days, district days, section periods, targets and their audit.

``service.compute`` is the only writer of ``station_days``, ``district_days`` and ``section_periods``;
``service.targets`` the only writer of ``targets`` and ``target_audit``. Days are natural days in
China Standard Time (``Date``); concentrations are µg/m³ (CO mg/m³) as in ``stations.standards``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from service.store.tables import BigId, UTCDateTime, metadata

#: Daily indicators of HJ 633 (keys of ``stations.standards.day_aqi``), one column each.
DAY_INDICATORS: tuple[str, ...] = (
    "SO2_24h",
    "NO2_24h",
    "PM10_24h",
    "CO_24h",
    "O3_8h",
    "O3_1h",
    "PM25_24h",
)


def _concentration_columns() -> list[Column[Any]]:
    return [Column(name.lower(), Float) for name in DAY_INDICATORS]


def _aqi_columns() -> list[Column[Any]]:
    return [
        Column("aqi", Integer, comment="NULL: no valid AQI that day"),
        Column("level", Integer),
        Column("primary_pollutants", JSON, comment="list of indicator keys; empty when AQI <= 50"),
        Column("iaqi", JSON, comment="indicator key -> IAQI"),
        Column("standard", String(16), nullable=False, comment="HJ633-2012 | HJ633-2026"),
        Column(
            "ratio_valid", Integer, nullable=False, default=0, comment="1: counts in 优良天数比例"
        ),
        Column("computed_at", UTCDateTime, nullable=False),
    ]


station_days = Table(
    "station_days",
    metadata,
    Column("station", String(32), primary_key=True),
    Column("day", Date, primary_key=True, comment="natural day in China Standard Time"),
    *_concentration_columns(),
    Column("valid", JSON, comment="indicator key -> bool (GB 3095 表4 / HJ 663 validity)"),
    Column("n_hours", JSON, comment="pollutant -> valid hours"),
    *_aqi_columns(),
    comment="one station's daily values, IAQI and AQI (HJ 633 日报)",
)
Index("ix_station_days_day", station_days.c.day)

district_days = Table(
    "district_days",
    metadata,
    Column("district", String(12), primary_key=True, comment="district code or 'city'"),
    Column("day", Date, primary_key=True, comment="natural day in China Standard Time"),
    *_concentration_columns(),
    Column("n_stations", Integer, nullable=False, default=0),
    Column("stations", JSON, comment="codes of the stations that contributed"),
    *_aqi_columns(),
    comment="district or city day: mean of station concentrations, then IAQI/AQI",
)
Index("ix_district_days_day", district_days.c.day)
#: The data-version check reads the newest ``computed_at`` on every cached request (an index seek).
Index("ix_district_days_computed_at", district_days.c.computed_at)

section_periods = Table(
    "section_periods",
    metadata,
    Column("section", String(32), primary_key=True),
    Column("period", String(7), primary_key=True, comment="YYYY-MM (month) or YYYY (year)"),
    Column("period_kind", String(8), nullable=False),
    Column("cls", String(4), comment="I..V or V+ (劣Ⅴ); NULL: no valid result"),
    Column("deciding", JSON, comment="items that reach the section's class"),
    Column("worse_than_iii", JSON, comment="items worse than Ⅲ (超标项目)"),
    Column("n_samples", Integer, nullable=False, default=0),
    Column("means", JSON, comment="item -> period mean (mg/L), non-detects at ½ DL"),
    Column("computed_at", UTCDateTime, nullable=False),
    CheckConstraint("period_kind IN ('month', 'year')", name="period_kind"),
    comment="section class per month and year (GB 3838-2002 single factor)",
)
Index("ix_section_periods_computed_at", section_periods.c.computed_at)

targets = Table(
    "targets",
    metadata,
    Column("district", String(12), primary_key=True, comment="district code or 'city'"),
    Column("indicator", String(8), primary_key=True, comment="air | water | sea"),
    Column("year", Integer, primary_key=True),
    Column("value", Numeric(6, 4), nullable=False, comment="0..1, e.g. 0.9700"),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(120), nullable=False),
    CheckConstraint("indicator IN ('air', 'water', 'sea')", name="indicator"),
    CheckConstraint("value >= 0 AND value <= 1", name="value"),
    comment="targets per district, indicator and year (优良天数比例, Ⅰ–Ⅲ类断面比例)",
)

target_audit = Table(
    "target_audit",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("district", String(12), nullable=False),
    Column("indicator", String(8), nullable=False),
    Column("year", Integer, nullable=False),
    Column("old_value", Numeric(6, 4)),
    Column("new_value", Numeric(6, 4), nullable=False),
    Column("who", String(120), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("reason", Text),
)
Index("ix_target_audit_key", target_audit.c.district, target_audit.c.indicator, target_audit.c.year)

__all__ = [
    "DAY_INDICATORS",
    "district_days",
    "section_periods",
    "station_days",
    "target_audit",
    "targets",
]
