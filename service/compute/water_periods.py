"""Section month and year periods from the stored samples (sole writer of ``section_periods``).

Samples -> period means (½ DL for non-detects) -> ``stations.standards.water_class``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection

import geodata
from service.compute.cst import as_date
from service.store.computed import delete_section_periods, insert_section_periods
from service.store.queries import samples_between
from service.store.registry import section_attributes
from service.store.sea import sea_point_codes
from stations.cst import CST
from stations.standards import tables as T
from stations.standards import water_class
from stations.standards.water import period_means as item_means


def section_registry(conn: Connection) -> pd.DataFrame:
    """Sections with ``district_code``, ``waterbody`` (river|lake) and ``provincial``."""
    reg = pd.DataFrame(geodata.load_sections().drop(columns="geometry"))
    reg = reg[["code", "name", "name_en", "district_code", "waterbody", "provincial"]].set_index(
        "code"
    )
    rows = section_attributes(conn)
    # Column-wise, not row by row: the alerts hook calls this several times per collection.
    cols = ["name", "name_en", "district_code", "waterbody", "provincial"]
    store = pd.DataFrame(rows, columns=["code", *cols], dtype=object)
    store = store.drop_duplicates("code", keep="last").set_index("code")
    store["waterbody"] = store["waterbody"].where(store["waterbody"].isin(["river", "lake"]))
    new, dtypes = store.index.difference(reg.index), reg.dtypes.to_dict()
    reg = pd.concat(
        [reg.astype(object), pd.DataFrame({"waterbody": "river", "provincial": False}, index=new)]
    ).astype(object)
    known = store.notna()
    for col in cols:  # a stored value overrides the shipped one unless it is missing
        hit = store.index[known[col]]
        reg.loc[hit, col] = store.loc[hit, col]
    return reg.astype(dtypes)


def period_means(frame: pd.DataFrame, kind: str) -> tuple[dict[str, float], int]:
    """Item means of one section over a period from its samples, and the number of sampling times.

    Non-detects per ``stations.standards.water.period_means`` (½ DL, U12). Where the same item has
    manual samples in the period, automatic ones are left out (the monthly/annual section class
    comes from manual monitoring). A year is the mean of its monthly means (评价办法, 年度评价).
    Items outside GB 3838 表1 (water temperature, conductivity, ...) are ignored.
    """
    if frame.empty:
        return {}, 0
    f = frame[frame["item"].isin(list(T.WATER_LIMITS))]
    manual_items = set(f.loc[f["method"] == "manual", "item"])
    f = f[~((f["method"] == "automatic") & f["item"].isin(manual_items))]
    if f.empty:
        return {}, 0
    n_times = int(f["time"].nunique())
    if kind == "year":
        month = f["time"].dt.tz_convert(CST).dt.strftime("%Y-%m")
        monthly = [item_means(part)[0] for _, part in f.groupby(month)]
        means = pd.concat(monthly).mean(axis=0)
    else:
        means = item_means(f)[0].iloc[0]
    return {str(k): float(v) for k, v in means.items() if pd.notna(v)}, n_times


def recompute_sections(conn: Connection, touched: pd.DataFrame, now: dt.datetime) -> int:
    """Recompute the month and year periods of every (section, day) in ``touched``."""
    if touched.empty:
        return 0
    # Seawater points are classed under GB 3097 (service.figures.sea), never as GB 3838 sections.
    touched = touched[~touched["code"].astype(str).isin(sea_point_codes(conn))]
    if touched.empty:
        return 0
    reg = section_registry(conn)
    periods: set[tuple[str, str, str]] = set()
    for code, day in zip(touched["code"], touched["day"], strict=True):
        d = as_date(day)
        periods.add((str(code), f"{d.year:04d}-{d.month:02d}", "month"))
        periods.add((str(code), f"{d.year:04d}", "year"))
    delete_section_periods(conn, sorted((c, p) for c, p, _ in periods))
    rows = []
    for code, period, kind in sorted(periods):
        start, end = _period_bounds(period)
        frame = samples_between(conn, start, end, [code])
        means, n = period_means(frame, kind)
        if not means:
            continue
        waterbody = str(reg["waterbody"].get(code, "river")) if code in reg.index else "river"
        wc = water_class(means, waterbody="lake" if waterbody == "lake" else "river")
        rows.append(
            {
                "section": code,
                "period": period,
                "period_kind": kind,
                "cls": wc.cls,
                "deciding": list(wc.deciding),
                "worse_than_iii": list(wc.worse_than_iii),
                "n_samples": n,
                "means": means,
                "computed_at": now,
            }
        )
    insert_section_periods(conn, rows)
    return len(rows)


def _period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """UTC ``[start, end)`` of a CST month ``YYYY-MM`` or year ``YYYY``."""
    if len(period) == 4:
        y = int(period)
        a, b = dt.date(y, 1, 1), dt.date(y + 1, 1, 1)
    else:
        y, m = (int(x) for x in period.split("-"))
        a = dt.date(y, m, 1)
        b = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (
        dt.datetime.combine(a, dt.time(0), CST).astimezone(dt.UTC),
        dt.datetime.combine(b, dt.time(0), CST).astimezone(dt.UTC),
    )
