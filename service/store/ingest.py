"""Idempotent, vectorised ingest of air readings and water samples.

One call ingests one payload's frame inside the caller's transaction:

1. the store's own rule checks (key present, not in the future against the clock, no key twice in
   the payload) move offending rows to quarantine with a reason;
2. the keys already stored for the payload's source, stations and time span are read back in one
   query per chunk of codes and merged with the frame in pandas: new, unchanged, revised;
3. new rows are appended in bulk (``COPY`` / driver ``executemany``), revised rows are updated with
   one revision row each, and the affected CST days are marked for recomputation.

Re-ingesting the same frame therefore changes nothing, and an upstream correction becomes history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    String,
    Table,
    and_,
    bindparam,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)

from service.store.dialect import bulk_insert, upsert
from service.store.partitions import ensure_months, months_of
from service.store.tables import dirty_days, quarantine, readings, revisions, samples
from stations.cst import CST
from stations.model import Rejected

#: China Standard Time, in which the standards' natural days are counted.

#: How many station/section codes go into one ``IN (...)`` when reading existing keys back.
CODE_CHUNK = 500


@dataclass(frozen=True, slots=True)
class IngestCounts:
    """What one ingest did; counts add up to the rows given."""

    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    quarantined: int = 0

    def __add__(self, other: IngestCounts) -> IngestCounts:
        return IngestCounts(
            self.inserted + other.inserted,
            self.revised + other.revised,
            self.unchanged + other.unchanged,
            self.quarantined + other.quarantined,
        )


@dataclass(frozen=True, slots=True)
class _Spec:
    table: Table
    kind: str  # "air" | "water", as in revisions and dirty_days
    code: str  # station / section column
    item: str  # pollutant / item column
    values: tuple[str, ...]  # columns whose change is a revision (first one is the value)
    hourly: bool  # an end-of-hour label also touches the day its hour started in

    @property
    def keys(self) -> list[str]:
        return [self.code, "time", self.item]


AIR = _Spec(readings, "air", "station", "pollutant", ("value", "flag"), hourly=True)
WATER = _Spec(
    samples,
    "water",
    "section",
    "item",
    ("value", "detection_limit", "below_limit", "method"),
    hourly=False,
)


def ingest_readings(
    conn: Connection,
    frame: pd.DataFrame,
    source: str,
    payload_id: int,
    now: dt.datetime,
    *,
    newer_wins: bool = False,
) -> IngestCounts:
    """Ingest an air-readings frame (``stations.model.READING_COLUMNS``) from one payload.

    With ``newer_wins`` a stored value that came from a later-archived payload (higher id) is kept,
    not revised: a payload ingested late (re-ingested from the archive after its first ingest died)
    must not turn newer upstream values back into older ones. Such rows count as unchanged.
    """
    return _ingest(conn, AIR, frame, source, payload_id, now, newer_wins)


def ingest_samples(
    conn: Connection,
    frame: pd.DataFrame,
    source: str,
    payload_id: int,
    now: dt.datetime,
    *,
    newer_wins: bool = False,
) -> IngestCounts:
    """Ingest a water-samples frame (``stations.model.SAMPLE_COLUMNS``) from one payload
    (``newer_wins`` as for ``ingest_readings``)."""
    return _ingest(conn, WATER, frame, source, payload_id, now, newer_wins)


def quarantine_rows(
    conn: Connection,
    source: str,
    payload_id: int | None,
    rejected: Sequence[Rejected],
    now: dt.datetime,
) -> int:
    """Keep rejected input rows with their reason, field and line; returns how many."""
    if not rejected:
        return 0
    conn.execute(
        insert(quarantine),
        [
            {
                "source": source,
                "payload_id": payload_id,
                "row": r.row,
                "reason": r.reason,
                "field": r.field,
                "line": r.line,
                "created_at": now,
            }
            for r in rejected
        ],
    )
    return len(rejected)


def _ingest(
    conn: Connection,
    spec: _Spec,
    frame: pd.DataFrame,
    source: str,
    payload_id: int,
    now: dt.datetime,
    newer_wins: bool = False,
) -> IngestCounts:
    if frame.empty:
        return IngestCounts()
    if conn.dialect.name == "postgresql":
        # One writer per table and source at a time: the read-merge-append below is not atomic.
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"{spec.table.name}/{source}"},
        )
    frame = _normalise(spec, frame)
    frame, rejected = _check(spec, frame, now)
    n_quarantined = quarantine_rows(conn, source, payload_id, rejected, now)
    if frame.empty:
        return IngestCounts(quarantined=n_quarantined)

    existing = _existing(conn, spec, frame, source)
    merged = frame.merge(existing, on=spec.keys, how="left", suffixes=("", "_old"), indicator=True)
    is_new = (merged["_merge"] == "left_only").to_numpy()
    changed = np.zeros(len(merged), dtype=bool)
    for col in spec.values:
        changed |= ~_same(merged[col], merged[f"{col}_old"])
    if newer_wins:
        # A row without a payload (NaN) counts as older than any payload.
        changed &= (merged["payload_id"].fillna(-1) < payload_id).to_numpy()
    is_revised = ~is_new & changed

    new = merged.loc[is_new, [*spec.keys, *spec.values]]
    new = new.assign(source=source, payload_id=payload_id)
    if spec is AIR and conn.dialect.name == "postgresql":
        ensure_months(conn, months_of(new["time"]))  # the month partitions the rows go to
    bulk_insert(conn, spec.table, new)

    revised = merged.loc[is_revised]
    if not revised.empty:
        _revise(conn, spec, revised, source, payload_id, now)

    touched = pd.concat([new[[spec.code, "time"]], revised[[spec.code, "time"]]])
    _mark_dirty(conn, spec, touched, now)
    n_new, n_rev = int(is_new.sum()), int(is_revised.sum())
    return IngestCounts(n_new, n_rev, len(merged) - n_new - n_rev, n_quarantined)


def _normalise(spec: _Spec, frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns and dtypes; empty flags are NULL."""
    out = frame.loc[:, [*spec.keys, *spec.values]].copy()
    out["time"] = pd.to_datetime(out["time"], utc=True)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    if spec is AIR:
        flag = out["flag"].astype(object)
        out["flag"] = flag.where(flag.notna() & (flag != ""), None)
    else:
        out["detection_limit"] = pd.to_numeric(out["detection_limit"], errors="coerce")
        out["below_limit"] = out["below_limit"].fillna(False).astype(bool)
    return out


def _check(
    spec: _Spec, frame: pd.DataFrame, now: dt.datetime
) -> tuple[pd.DataFrame, list[Rejected]]:
    """The store's rules: a whole key, not in the future, each key once per payload."""
    rules = [
        (frame[spec.keys].isna().any(axis=1).to_numpy(), "incomplete key", None),
        ((frame["time"] > pd.Timestamp(now)).to_numpy(), "time in the future", "time"),
    ]
    bad = np.zeros(len(frame), dtype=bool)
    rejected: list[Rejected] = []
    for mask, reason, field in rules:
        mask = mask & ~bad
        rejected += _rejections(frame.loc[mask], reason, field)
        bad |= mask
    dup = frame.duplicated(spec.keys, keep="first").to_numpy() & ~bad
    rejected += _rejections(frame.loc[dup], "duplicate key in the same payload", spec.item)
    bad |= dup
    return frame.loc[~bad], rejected


def _rejections(rows: pd.DataFrame, reason: str, field: str | None) -> list[Rejected]:
    if rows.empty:
        return []
    # Per cell, but only over rejected rows; missing cells render empty.
    text_rows = rows.astype(object).map(lambda v: "" if pd.isna(v) else str(v))
    rendered = text_rows.columns[0] + "=" + text_rows.iloc[:, 0]
    for col in text_rows.columns[1:]:
        rendered = rendered + ";" + col + "=" + text_rows[col]
    return [Rejected(row=r, reason=reason, field=field) for r in rendered.tolist()]


def _existing(conn: Connection, spec: _Spec, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Stored rows of this source whose keys may collide with the frame's, as a frame."""
    t = spec.table
    cols: list[Any] = [t.c[c] for c in (*spec.keys, *spec.values, "payload_id")]
    if conn.dialect.name == "sqlite":
        # The stored text, parsed below in one vectorised call instead of row by row.
        cols[1] = type_coerce(t.c.time, String).label("time")
    codes = frame[spec.code].unique().tolist()
    start, end = frame["time"].min().to_pydatetime(), frame["time"].max().to_pydatetime()
    names = [c.name for c in cols]
    parts: list[pd.DataFrame] = []
    for i in range(0, len(codes), CODE_CHUNK):
        stmt = select(*cols).where(
            t.c.source == source,
            t.c.time.between(start, end),
            t.c[spec.code].in_(codes[i : i + CODE_CHUNK]),
        )
        rows = conn.execute(stmt).all()
        if rows:
            # Columns from plain tuples: handing Row objects to pandas probes each one slowly.
            columns = zip(*map(tuple, rows), strict=True)
            parts.append(pd.DataFrame(dict(zip(names, columns, strict=True))))
    if not parts:
        empty = frame.iloc[0:0][[*spec.keys, *spec.values]].copy()
        return empty.assign(payload_id=pd.Series(dtype="int64"))
    out = pd.concat(parts, ignore_index=True)[names]
    out["time"] = pd.to_datetime(out["time"], utc=True, format="ISO8601").astype(
        frame["time"].dtype
    )
    out["value"] = out["value"].astype("float64")
    return out


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality where two missing values are equal."""
    both_missing = a.isna().to_numpy() & b.isna().to_numpy()
    if pd.api.types.is_float_dtype(a.dtype):
        equal = np.isclose(
            a.to_numpy(dtype=float, na_value=np.nan),
            pd.to_numeric(b, errors="coerce").to_numpy(dtype=float, na_value=np.nan),
            rtol=1e-12,
            atol=0.0,
        )
    else:
        equal = (a.astype(object) == b.astype(object)).to_numpy(dtype=bool)
    return np.asarray(both_missing | equal, dtype=bool)


def _revise(
    conn: Connection,
    spec: _Spec,
    revised: pd.DataFrame,
    source: str,
    payload_id: int,
    now: dt.datetime,
) -> None:
    """Update changed rows and keep one revision row (old, new, when, which payload) per row."""
    t = spec.table
    records = _records(revised)
    conn.execute(
        update(t)
        .where(
            and_(
                t.c[spec.code] == bindparam("k_code"),
                t.c.time == bindparam("k_time"),
                t.c[spec.item] == bindparam("k_item"),
                t.c.source == source,
            )
        )
        .values({c: bindparam(f"v_{c}") for c in spec.values} | {"payload_id": payload_id}),
        [
            {"k_code": r[spec.code], "k_time": r["time"], "k_item": r[spec.item]}
            | {f"v_{c}": r[c] for c in spec.values}
            for r in records
        ],
    )
    flag_new, flag_old = ("flag", "flag_old") if spec is AIR else ("method", "method_old")
    conn.execute(
        insert(revisions),
        [
            {
                "kind": spec.kind,
                "code": r[spec.code],
                "time": r["time"],
                "item": r[spec.item],
                "source": source,
                "old_value": r["value_old"],
                "new_value": r["value"],
                "old_flag": r[flag_old],
                "new_flag": r[flag_new],
                "revised_at": now,
                "old_payload_id": r["payload_id"],
                "payload_id": payload_id,
            }
            for r in records
        ],
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Row dicts with Python scalars (NaN -> None, Timestamp -> datetime) for the few revised rows."""
    out = frame.astype(object).where(frame.notna(), None)
    records = [{str(k): v for k, v in r.items()} for r in out.to_dict("records")]
    for r in records:
        for key, value in r.items():
            if isinstance(value, pd.Timestamp):
                r[key] = value.to_pydatetime()
            elif isinstance(value, np.generic):
                r[key] = value.item()
    return records


def cst_days(times: pd.Series, hourly: bool) -> pd.Series:
    """CST natural days touched by ``times``.

    For an end-of-hour label the hour it covers may start the day before (00:00 CST closes 23-24 h);
    both days are returned so that recomputation is right whichever day the standards assign it to.
    """
    local = times.dt.tz_convert(CST)
    days = local.dt.date
    if hourly:
        days = pd.concat([days, (local - pd.Timedelta(hours=1)).dt.date])
    return pd.Series(days)


def _mark_dirty(conn: Connection, spec: _Spec, touched: pd.DataFrame, now: dt.datetime) -> None:
    if touched.empty:
        return
    codes = touched[spec.code]
    if spec.hourly:
        codes = pd.concat([codes, codes])
    marks = pd.DataFrame(
        {"code": codes.to_numpy(), "day": cst_days(touched["time"], spec.hourly).to_numpy()}
    )
    marks = marks.drop_duplicates()
    conn.execute(
        upsert(conn, dirty_days, ["kind", "code", "day"], ["marked_at"]),
        [
            {"kind": spec.kind, "code": code, "day": day, "marked_at": now}
            for code, day in marks.itertuples(index=False)
        ],
    )


def count_rows(conn: Connection, table: Table) -> int:
    """Number of rows in ``table`` (tests and run summaries)."""
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
