"""readings partitioned by month on PostgreSQL (declarative range partitioning on time)

A decade of hourly readings, partitioned by UTC month: time-bounded reads (a station's hours, an
ingest's collision check) open only the months they name, and each month's primary-key index stays
small (service/store/partitions.py). The existing rows move into one partition per month that holds
any; later months are made by the ingest as rows arrive, and a catch-all default partition takes
any row written before its month exists. The table keeps its name, columns, primary key
(station, time, pollutant, source) and time index, so every query and the metadata stay as they
were. SQLite is unchanged.

Revision ID: e21b7c40a9d3
Revises: 3c1f5e8a9d27
Create Date: 2026-12-07 01:00:00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = 'e21b7c40a9d3'
down_revision: str | None = '3c1f5e8a9d27'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENT = "hourly air readings; the primary key is the unique reading key"


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from service.store.partitions import month_bounds, month_name

    op.execute("ALTER TABLE readings RENAME TO readings_unpartitioned")
    op.execute("ALTER TABLE readings_unpartitioned RENAME CONSTRAINT pk_readings TO pk_readings_unpartitioned")
    op.execute("ALTER INDEX ix_readings_time RENAME TO ix_readings_unpartitioned_time")
    op.execute(
        "CREATE TABLE readings (LIKE readings_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING COMMENTS) PARTITION BY RANGE (time)"
    )
    op.execute("ALTER TABLE readings ADD CONSTRAINT pk_readings PRIMARY KEY (station, time, pollutant, source)")
    op.execute("CREATE INDEX ix_readings_time ON readings (time)")
    op.execute(f"COMMENT ON TABLE readings IS '{COMMENT}'")
    op.execute("CREATE TABLE readings_default PARTITION OF readings DEFAULT")
    span = bind.execute(
        text("SELECT min(time) AT TIME ZONE 'UTC', max(time) AT TIME ZONE 'UTC' FROM readings_unpartitioned")
    ).one()
    if span[0] is not None:
        for month in _months(span[0].date(), span[1].date()):
            first, nxt = month_bounds(month)
            op.execute(
                f"CREATE TABLE {month_name(month)} PARTITION OF readings "
                f"FOR VALUES FROM ('{first.isoformat()}') TO ('{nxt.isoformat()}')"
            )
    op.execute("INSERT INTO readings SELECT * FROM readings_unpartitioned")
    op.execute("DROP TABLE readings_unpartitioned")
    op.execute("ANALYZE readings")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE readings RENAME TO readings_partitioned")
    op.execute("ALTER TABLE readings_partitioned RENAME CONSTRAINT pk_readings TO pk_readings_partitioned")
    op.execute("ALTER INDEX ix_readings_time RENAME TO ix_readings_partitioned_time")
    op.execute(
        "CREATE TABLE readings (LIKE readings_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING COMMENTS)"
    )
    op.execute("ALTER TABLE readings ADD CONSTRAINT pk_readings PRIMARY KEY (station, time, pollutant, source)")
    op.execute("CREATE INDEX ix_readings_time ON readings (time)")
    op.execute(f"COMMENT ON TABLE readings IS '{COMMENT}'")
    op.execute("INSERT INTO readings SELECT * FROM readings_partitioned")
    op.execute("DROP TABLE readings_partitioned")  # drops every partition with it
