"""The core tables of the store: one SQLAlchemy ``metadata`` that every ``*_tables.py`` module extends.

Times are ``UTCDateTime`` (aware UTC in and out on both backends); CST days are ``Date`` columns that
already hold the China Standard Time calendar day. Coordinates are WGS-84 longitude/latitude floats on
both backends; on PostgreSQL the migrations add a generated PostGIS ``geom`` point with a GiST index.

Readings and samples carry no foreign key to ``stations`` / ``sections``: the national archive holds
stations all over China, which the bureau's registry does not list, and analysts import them anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Stable constraint names so that Alembic migrations (and SQLite batch mode) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Big integer ids that still autoincrement on SQLite (which only does so for INTEGER PRIMARY KEY).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC timestamp on both backends (SQLite hands back naive values; this re-attaches UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given to the store; times are aware UTC")
            value = value.astimezone(dt.UTC)
            # SQLite keeps text; dropping the zone keeps one sortable format for every row.
            return value.replace(tzinfo=None) if dialect.name == "sqlite" else value
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _place_columns() -> list[Column[Any]]:
    """Columns shared by stations and sections (geodata's registry columns plus WGS-84 lon/lat)."""
    return [
        Column("code", String(32), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("name_en", String(200)),
        Column("district_code", String(12)),
        Column("kind", String(40)),
        Column("source", String(80)),
        Column("demo", Boolean, nullable=False, default=False),
        Column("lon", Float),
        Column("lat", Float),
        Column("updated_at", UTCDateTime),
        # The bureau's registry (envmon stations|sections import): other names its files use (JSON
        # list of text) and the datum the coordinates were given in (stored converted to WGS-84).
        Column("aliases", JSON),
        Column("datum", String(200)),
    ]


stations = Table(
    "stations",
    metadata,
    *_place_columns(),
    Column("provincial", Boolean),
    # The harbour zone (zone_features.code) a boundary/plant/port monitor belongs to; NULL for the
    # AQI stations. A station with a zone is kept out of the AQI lists and district figures.
    Column("zone", String(120)),
    comment="监测站点: air stations",
)

sections = Table(
    "sections",
    metadata,
    *_place_columns(),
    Column("control_level", String(40)),
    Column("provincial", Boolean),
    Column("waterbody", String(200)),
    Column("coord_status", String(40)),
    comment="断面: surface-water sections",
)

raw_payloads = Table(
    "raw_payloads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(80), nullable=False),
    Column("url", Text, nullable=False, default=""),
    Column("content_type", String(120), nullable=False, default=""),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size", BigInteger, nullable=False),
    Column("compression", String(16), nullable=False, default="zlib"),
    Column("body", LargeBinary, nullable=False),
    Column("meta", JSON),
    # Set in the same transaction as the rows parsed from the payload: an archived payload without
    # it was interrupted between archive and ingest and is parsed again on the next attempt.
    Column("ingested_at", UTCDateTime),
    Column("n_accepted", Integer),
    Column("n_rejected", Integer),
)
# Each run looks up its source's orphans (archived, never ingested): a partial index keeps that off
# the payload bodies, which SQLite stores in the table itself.
Index(
    "ix_raw_payloads_orphans",
    raw_payloads.c.source,
    raw_payloads.c.id,
    sqlite_where=raw_payloads.c.ingested_at.is_(None),
    postgresql_where=raw_payloads.c.ingested_at.is_(None),
)

readings = Table(
    "readings",
    metadata,
    Column("station", String(32), primary_key=True),
    Column("time", UTCDateTime, primary_key=True, comment="end of the hour, UTC"),
    Column("pollutant", String(16), primary_key=True),
    Column("source", String(80), primary_key=True),
    Column("value", Float),
    Column("flag", String(40)),
    # No foreign key on the two bulk tables: PostgreSQL checks one per row, which cost 40 % of the
    # COPY rate (tests/bench/bench_ingest.py); payloads are archived first and never deleted.
    Column("payload_id", BigId, nullable=False),
    comment="hourly air readings; the primary key is the unique reading key",
)
Index("ix_readings_time", readings.c.time)

samples = Table(
    "samples",
    metadata,
    Column("section", String(32), primary_key=True),
    Column("time", UTCDateTime, primary_key=True),
    Column("item", String(32), primary_key=True),
    Column("source", String(80), primary_key=True),
    Column("value", Float),
    Column("detection_limit", Float),
    Column("below_limit", Boolean, nullable=False, default=False),
    Column("method", String(16), nullable=False),
    Column("payload_id", BigId, nullable=False),  # no foreign key: see readings
    CheckConstraint("method IN ('manual', 'automatic')", name="method"),
    comment="water samples (manual lab and automatic stations)",
)
Index("ix_samples_time", samples.c.time)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source", String(80), nullable=False),
    Column("payload_id", BigId, ForeignKey("raw_payloads.id")),
    Column("row", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("field", String(80)),
    Column("line", Integer),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_quarantine_payload_id", quarantine.c.payload_id)

collector_runs = Table(
    "collector_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("collector", String(80), nullable=False),
    Column("trigger", String(16), nullable=False, default="schedule"),
    Column("window_start", UTCDateTime),
    Column("window_end", UTCDateTime),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("fetched", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("revised", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    # degraded: the run completed but quarantined most of its rows (RUN_DEGRADED_SHARE in
    # service.collect); a monitor and the alert rules read it like a failure.
    CheckConstraint("status IN ('running', 'ok', 'degraded', 'failed')", name="status"),
)
Index(
    "ix_collector_runs_collector_started", collector_runs.c.collector, collector_runs.c.started_at
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False, comment="air | water"),
    Column("code", String(32), nullable=False, comment="station or section code"),
    Column("time", UTCDateTime, nullable=False),
    Column("item", String(32), nullable=False, comment="pollutant or water item"),
    Column("source", String(80), nullable=False),
    Column("old_value", Float),
    Column("new_value", Float),
    Column("old_flag", String(40)),
    Column("new_flag", String(40)),
    Column("revised_at", UTCDateTime, nullable=False),
    Column("old_payload_id", BigId, ForeignKey("raw_payloads.id")),
    Column("payload_id", BigId, ForeignKey("raw_payloads.id"), nullable=False),
    CheckConstraint("kind IN ('air', 'water')", name="kind"),
)
Index("ix_revisions_key", revisions.c.kind, revisions.c.code, revisions.c.time)

dirty_days = Table(
    "dirty_days",
    metadata,
    Column("kind", String(8), primary_key=True, comment="air | water"),
    Column("code", String(32), primary_key=True, comment="station or section code"),
    Column("day", Date, primary_key=True, comment="natural day in China Standard Time (UTC+8)"),
    Column("marked_at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('air', 'water')", name="kind"),
    comment="recompute queue: station-days / section-days whose data changed",
)

__all__ = [
    "BigId",
    "UTCDateTime",
    "collector_runs",
    "dirty_days",
    "metadata",
    "quarantine",
    "raw_payloads",
    "readings",
    "revisions",
    "samples",
    "sections",
    "stations",
]
