"""Stations and sections, seeded from geodata's registry (upserted: re-seeding updates in place)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Table

import geodata
from geodata.demo_yards import load_demo_monitors
from service.store.dialect import upsert
from service.store.registry import imported_codes
from service.store.sea import seed_demo_sea
from service.store.tables import sections, stations


def upsert_places(conn: Connection, table: Table, places: pd.DataFrame, now: dt.datetime) -> int:
    """Upsert a (Geo)DataFrame of places into ``stations`` or ``sections``; returns the row count.

    Longitude/latitude (WGS-84) come from the point geometry when the frame has one, else from
    ``lon``/``lat`` columns; a place without a published position keeps NULLs.
    """
    if places.empty:
        return 0
    frame = pd.DataFrame(index=places.index)
    wanted = [c.name for c in table.columns if c.name not in {"lon", "lat", "updated_at"}]
    for name in wanted:
        frame[name] = places[name] if name in places.columns else None
    if "geometry" in places.columns:
        geom = places.geometry
        present = geom.notna() & ~geom.is_empty
        frame["lon"] = geom.x.where(present)
        frame["lat"] = geom.y.where(present)
    else:
        frame["lon"], frame["lat"] = places.get("lon"), places.get("lat")
    frame["demo"] = frame["demo"].fillna(False).astype(bool)
    frame["updated_at"] = now
    records = [
        {str(k): v for k, v in r.items()}
        for r in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]
    update = [c for c in frame.columns if c != "code"]
    conn.execute(upsert(conn, table, ["code"], update), records)
    return len(records)


def seed_places(conn: Connection, now: dt.datetime, include_demo: bool = True) -> tuple[int, int]:
    """Seed stations (with the demo ones when asked) and sections from the shipped geodata; with
    the demo ones, also the demo seawater points and areas (``geodata.sea_demo``).

    A code the bureau imported (``envmon stations|sections import``) is left as imported: the
    package's copy never overwrites the bureau's correction.
    """
    shipped_stations = geodata.load_stations(include_demo=include_demo)
    shipped_sections = geodata.load_sections()
    keep_st, keep_sec = imported_codes(conn, "stations"), imported_codes(conn, "sections")
    if include_demo:  # the demo yard's and port's monitors, labelled demo (geodata.demo_yards)
        shipped_stations = pd.concat([shipped_stations, load_demo_monitors()], ignore_index=True)
    n_stations = upsert_places(
        conn, stations, shipped_stations[~shipped_stations["code"].isin(keep_st)], now
    )
    n_sections = upsert_places(
        conn, sections, shipped_sections[~shipped_sections["code"].isin(keep_sec)], now
    )
    if include_demo:
        seed_demo_sea(conn, now)
    return n_stations, n_sections


__all__ = ["seed_places", "upsert_places"]
