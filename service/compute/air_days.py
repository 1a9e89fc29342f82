"""Station days and district/city days from the stored hourly readings (sole writer of both tables).

Station -> district: the store's ``stations`` rows (``district_code``) over the shipped registry
(``geodata.load_stations(include_demo=True)``). Stations with no district (e.g. national-archive
stations elsewhere in China) get station days but enter no district or city. The city (``"city"``)
is the mean over every station that has a district (docs/standards.md §2.3: mean of concentrations, then
IAQI).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection

import geodata
from service.compute.cst import as_date, cst_day_bounds
from service.store.compute_tables import DAY_INDICATORS
from service.store.computed import (
    delete_district_days,
    insert_district_days,
    replace_station_days,
    station_day_indicators,
)
from service.store.queries import readings_between
from service.store.registry import station_district_zones
from service.targets import CITY
from stations.model import POLLUTANTS
from stations.standards import daily_values, district_daily


def station_districts(conn: Connection) -> dict[str, str]:
    """Station code -> district code: shipped registry, overridden by the store's rows."""
    reg = geodata.load_stations(include_demo=True)
    mapping = {
        str(c): str(d)
        for c, d in zip(reg["code"], reg["district_code"], strict=True)
        if pd.notna(d)
    }
    for code, district, zone in station_district_zones(conn):
        if zone:  # a zone monitor (yard, port) never counts in a district's AQI figures
            mapping.pop(code, None)
        elif district:
            mapping[code] = district
    return mapping


def recompute_air_keys(conn: Connection, keys: pd.DataFrame, now: dt.datetime) -> tuple[int, int]:
    """Recompute the (``code``, ``day``) station days in ``keys`` and the district/city days they
    belong to; returns the numbers of station-day and district-day rows written."""
    if keys.empty:
        return 0, 0
    keys = keys.assign(day=[as_date(d) for d in keys["day"]]).drop_duplicates(["code", "day"])
    daily = _daily_for(conn, keys)
    n_station = _write_station_days(conn, keys, daily, now)
    mapping = station_districts(conn)
    touched = sorted(set(keys.loc[keys["code"].isin(list(mapping)), "day"]))
    n_district = _recompute_districts(conn, touched, mapping, now)
    return n_station, n_district


# --------------------------------------------------------------------------------- station days ---


def _daily_for(conn: Connection, keys: pd.DataFrame) -> pd.DataFrame:
    """``daily_values`` for the (station, day) pairs in ``keys`` from the stored hourly readings."""
    frames = []
    # One query per distinct day span (an hourly ingest or a full recompute gives every station the
    # same span), not one per station; 500 stations per IN list.
    spans = keys.groupby("code")["day"].agg(["min", "max"])
    for (first, last), group in spans.groupby(["min", "max"], sort=True):
        start, _ = cst_day_bounds(as_date(first))
        _, end = cst_day_bounds(as_date(last))
        codes = [str(c) for c in group.index]
        for i in range(0, len(codes), 500):
            part = codes[i : i + 500]
            wide = readings_between(conn, start, end, part, pollutants=POLLUTANTS, wide=True)
            if not wide.empty:
                frames.append(wide.reset_index())
    if not frames:
        return pd.DataFrame()
    hourly = pd.concat(frames, ignore_index=True)
    daily = daily_values(hourly)
    daily["day"] = [d.date() for d in pd.to_datetime(daily["date"])]
    wanted = set(zip(keys["code"], keys["day"], strict=True))
    sel = [(s, d) in wanted for s, d in zip(daily["station"], daily["day"], strict=True)]
    return daily[sel]


def _write_station_days(
    conn: Connection, keys: pd.DataFrame, daily: pd.DataFrame, now: dt.datetime
) -> int:
    pairs = list(zip(keys["code"], keys["day"], strict=True))
    rows: list[dict[str, Any]] = []
    for rec in daily.to_dict("records"):
        row = _day_row(rec, now)
        row.update(
            station=str(rec["station"]),
            day=rec["day"],
            valid={k: bool(rec.get(f"valid_{k}")) for k in DAY_INDICATORS},
            n_hours={p: _int(rec.get(f"n_{p}")) or 0 for p in POLLUTANTS},
        )
        rows.append(row)
    replace_station_days(conn, pairs, rows)
    return len(rows)


# -------------------------------------------------------------------------------- district days ---


def _station_daily_frame(
    conn: Connection, stations_: Sequence[str], days: Sequence[dt.date]
) -> pd.DataFrame:
    frame = station_day_indicators(conn, stations_, days)
    for k in DAY_INDICATORS:
        frame[k] = pd.to_numeric(frame[k], errors="coerce").astype("float64")
    frame["date"] = pd.to_datetime(frame["day"])
    return frame


def _recompute_districts(
    conn: Connection, days: Iterable[dt.date], mapping: Mapping[str, str], now: dt.datetime
) -> int:
    """Recompute every district and the city on ``days`` from the stored station days."""
    days = sorted(set(days))
    if not days:
        return 0
    delete_district_days(conn, days)
    frame = _station_daily_frame(conn, sorted(mapping), days)
    if frame.empty:
        return 0
    valid_any = frame[list(DAY_INDICATORS)].notna().any(axis=1)
    contributing = (
        frame[valid_any]
        .assign(district=frame["station"].map(mapping))
        .groupby(["district", "day"])["station"]
        .agg(lambda s: sorted(s))
    )
    city_contrib = frame[valid_any].groupby("day")["station"].agg(lambda s: sorted(s))
    parts = [
        district_daily(frame, dict(mapping)),
        district_daily(frame, dict.fromkeys(mapping, CITY)),
    ]
    out = pd.concat(parts, ignore_index=True)
    rows = []
    for rec in out.to_dict("records"):
        day = as_date(rec["date"])
        district = str(rec["district"])
        members = (
            city_contrib.get(day, []) if district == CITY else contributing.get((district, day), [])
        )
        row = _day_row(rec, now)
        row.update(district=district, day=day, n_stations=len(members), stations=list(members))
        rows.append(row)
    insert_district_days(conn, rows)
    return len(rows)


# ----------------------------------------------------------------------------------------- rows ---


def _day_row(rec: Mapping[Any, Any], now: dt.datetime) -> dict[str, Any]:
    """Columns shared by station and district days from one ``daily_values``-shaped record."""
    level = _int(rec.get("level"))
    out: dict[str, Any] = {k.lower(): _num(rec.get(k)) for k in DAY_INDICATORS}
    out.update(
        aqi=_int(rec.get("aqi")),
        level=level if level else None,
        primary_pollutants=_names(rec.get("primary")),
        iaqi={k: int(v) for k in DAY_INDICATORS if (v := _num(rec.get(f"iaqi_{k}"))) is not None},
        standard=str(rec["standard"]),
        ratio_valid=int(bool(rec.get("ratio_valid"))),
        computed_at=now,
    )
    return out


def _names(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [v for v in str(value).split(",") if v]


def _num(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return None if math.isnan(f) else f


def _int(value: Any) -> int | None:
    f = _num(value)
    return None if f is None else int(f)
