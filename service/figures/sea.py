"""Nearshore seawater figures (GB 3097-1997): each point's class over a period and the 优良比例.

Per point: the period's item means (non-detects at ½ DL; where an item has manual samples in the
period, automatic ones are left out, as for sections) classed by ``stations.standards.seawater``,
and whether that class meets the target of the point's zone. Per bay / zone, district and the city:
优良（一、二类）水质比例 by points (good / classed points) and, where polygons exist, by area (each
classed point stands for an equal share of its polygon's km²), with the district's and the city's
``sea`` target, whether it is met and the budget (good points that may still slip below 二类).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

import geodata
from service.figures.sea_values import SeaFigures, SeaPoint, SeaRatio
from service.figures.water_figures import ratio_value
from service.store.sea import latest_sea_sample_time, sea_rows, sea_samples
from service.targets import CITY, get_target
from stations.cst import CST
from stations.ratios import Ratio
from stations.standards import tables as T
from stations.standards.seawater import seawater_class_period
from stations.targets import air_budget_counts, meets

_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
#: Years a period may name (monitoring records; guards the calendar's range).
FIRST_YEAR, LAST_YEAR = 1900, 2200


class PeriodError(ValueError):
    """A period that is neither ``YYYY`` nor ``YYYY-MM``."""


def period_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    """UTC ``[start, end)`` of a CST year ``YYYY`` or month ``YYYY-MM``."""
    m = _PERIOD.match(period)
    if m is None:
        raise PeriodError(f"period {period!r}: YYYY or YYYY-MM")
    y = int(m.group(1))
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise PeriodError(f"period {period!r}: a year in {FIRST_YEAR}..{LAST_YEAR}")
    if m.group(2) is None:
        a, b = dt.date(y, 1, 1), dt.date(y + 1, 1, 1)
    else:
        mo = int(m.group(2))
        a, b = dt.date(y, mo, 1), dt.date(y + (mo == 12), mo % 12 + 1, 1)
    return (
        dt.datetime.combine(a, dt.time(0), CST).astimezone(dt.UTC),
        dt.datetime.combine(b, dt.time(0), CST).astimezone(dt.UTC),
    )


def _manual_first(samples: pd.DataFrame) -> pd.DataFrame:
    """Drop automatic samples of a (point, item) that has manual samples in the period."""
    if samples.empty:
        return samples
    manual = samples["method"] == "manual"
    key = samples["section"].astype(str) + "\x00" + samples["item"].astype(str)
    covered = key.isin(set(key[manual]))
    return samples[manual | ~covered]


def _area_of_points(points: pd.DataFrame, areas: pd.DataFrame) -> list[str | None]:
    """Each point's area: its registered ``area_code`` when that area exists, else the polygon it
    lies in (first in code order), else None."""
    codes = [str(c) for c in areas["code"]]
    shapes = [shapely.geometry.shape(g) for g in areas["geometry"]]
    out: list[str | None] = []
    for code, lon, lat in zip(points["area_code"], points["lon"], points["lat"], strict=True):
        if code in codes:
            out.append(str(code))
            continue
        hit = None
        if pd.notna(lon) and pd.notna(lat):
            pt = shapely.Point(float(lon), float(lat))
            hit = next((c for c, s in zip(codes, shapes, strict=True) if s.covers(pt)), None)
        out.append(hit)
    return out


@dataclass(frozen=True, slots=True)
class _Scope:
    scope: str
    code: str
    name: str
    name_en: str | None
    target_class: str | None = None


def _ratio(
    scope: _Scope,
    pts: list[SeaPoint],
    share_km2: dict[str, float],
    target: float | None,
    target_text: str | None,
) -> SeaRatio:
    classed = [p for p in pts if p.sea_class is not None]
    good = sum(1 for p in classed if p.good)
    with_area = [p for p in classed if p.code in share_km2]
    km2 = sum(share_km2[p.code] for p in with_area)
    km2_good = sum(share_km2[p.code] for p in with_area if p.good)
    ok: bool | None = None
    budget: int | None = None
    if target_text is not None and classed:
        ok = meets(good, len(classed), target_text)
        budget, _ = air_budget_counts(
            good_days=good, valid_days=len(classed), remaining_days=0, target=target_text
        )
    return SeaRatio(
        scope=scope.scope,
        code=scope.code,
        name=scope.name,
        name_en=scope.name_en,
        demo=any(p.demo for p in pts),
        target_class=scope.target_class,
        by_points=ratio_value(Ratio(good, len(classed))),
        by_area=(km2_good / km2) if km2 > 0 else None,
        area_km2=round(km2, 3) if with_area else None,
        area_km2_good=round(km2_good, 3) if with_area else None,
        points_meeting_target=sum(1 for p in classed if p.meets_target),
        target=target,
        meets=ok,
        budget_points=budget,
    )


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def sea_points(engine: Engine, period: str) -> list[SeaPoint]:
    """Every seawater point with its class over ``period`` (``YYYY`` or ``YYYY-MM``, CST)."""
    return _figures(engine, period)[0]


def _sea_point(
    rec: Mapping[Hashable, Any],
    area: str | None,
    areas: pd.DataFrame,
    row: dict[str, Any] | None,
    period: str,
) -> SeaPoint:
    """One point's figures: its class (``row``, None when not sampled), target and means; a
    point without its own target takes its area's."""
    target = _text(rec["target_class"])
    if target is None and area is not None:
        target = _text(areas.loc[areas["code"] == area, "target_class"].iloc[0])
    cls = _text(row["cls"]) if row is not None else None
    means = {}
    if row is not None:
        means = {
            k: float(row[k])
            for k in (*T.SEA_ITEMS, *T.SEA_JUDGED_APART)
            if k in row and pd.notna(row[k])
        }
    return SeaPoint(
        code=str(rec["code"]),
        name=str(rec["name"]),
        name_en=_text(rec["name_en"]),
        district_code=_text(rec["district_code"]),
        area_code=area,
        target_class=target,
        demo=bool(rec["demo"]),
        lon=_num(rec["lon"]),
        lat=_num(rec["lat"]),
        period=period,
        sea_class=cls,
        deciding_items=_names(row, "deciding"),
        worse_than_ii=_names(row, "worse_than_ii"),
        good=None if cls is None else cls in T.SEA_GOOD_CLASSES,
        meets_target=(
            None
            if cls is None or target is None
            else T.SEA_CLASSES.index(cls) <= T.SEA_CLASSES.index(target)
        ),
        n_samples=0 if row is None else int(row["n_samples"]),
        means=means,
    )


def _area_shares(points: list[SeaPoint], areas: pd.DataFrame) -> dict[str, float]:
    """Each classed point stands for an equal share of its area's km²."""
    share: dict[str, float] = {}
    km2 = dict(zip(areas["code"].astype(str), areas["area_km2"], strict=True))
    by_area: dict[str, list[SeaPoint]] = {}
    for p in points:
        if p.area_code is not None and p.sea_class is not None:
            by_area.setdefault(p.area_code, []).append(p)
    for code, members in by_area.items():
        total = km2.get(code)
        if total is not None and pd.notna(total):
            for p in members:
                share[p.code] = float(total) / len(members)
    return share


def _figures(engine: Engine, period: str) -> tuple[list[SeaPoint], pd.DataFrame, dict[str, float]]:
    start, end = period_bounds(period)
    with engine.connect() as conn:
        points = sea_rows(conn, "points")
        areas = sea_rows(conn, "areas")
        samples = sea_samples(conn, start, end, [str(c) for c in points["code"]])
    samples = _manual_first(samples)
    classes = seawater_class_period(samples) if len(samples) else pd.DataFrame()
    area_of = _area_of_points(points, areas) if len(points) else []
    by_code: dict[str, dict[str, Any]] = {
        str(k): {str(c): x for c, x in v.items()} for k, v in classes.to_dict("index").items()
    }
    out = [
        _sea_point(rec, area, areas, by_code.get(str(rec["code"])), period)
        for rec, area in zip(points.to_dict("records"), area_of, strict=True)
    ]
    return out, areas, _area_shares(out, areas)


def _names(row: dict[str, Any] | None, column: str) -> list[str]:
    if row is None or not isinstance(row.get(column), str) or not row[column]:
        return []
    return [s for s in str(row[column]).split(",") if s]


def _target(engine: Engine, district: str, year: int) -> tuple[float | None, str | None]:
    t = get_target(engine, district, "sea", year)
    return float(t.value), str(t.value)


def sea_figures(engine: Engine, period: str) -> SeaFigures:
    """Points, bays / zones, districts and the city for ``period``; ratios with targets and budgets."""
    points, areas, share = _figures(engine, period)
    year = int(period[:4])
    area_ratios = [
        _ratio(
            _Scope(
                "area",
                str(a["code"]),
                str(a["name"]),
                _text(a["name_en"]),
                _text(a["target_class"]),
            ),
            [p for p in points if p.area_code == str(a["code"])],
            share,
            None,
            None,
        )
        for a in areas.to_dict("records")
    ]
    districts = geodata.load_districts()
    district_ratios = []
    for code, name, name_en in zip(
        districts["code"], districts["name"], districts["name_en"], strict=True
    ):
        target, text = _target(engine, str(code), year)
        members = [p for p in points if p.district_code == str(code)]
        district_ratios.append(
            _ratio(
                _Scope("district", str(code), str(name), str(name_en)), members, share, target, text
            )
        )
    target, text = _target(engine, CITY, year)
    city = _ratio(_Scope("city", CITY, "舟山市", "Zhoushan"), points, share, target, text)
    return SeaFigures(
        period=period,
        demo=any(p.demo for p in points),
        points=points,
        areas=area_ratios,
        districts=district_ratios,
        city=city,
    )


def sea_area_features(engine: Engine, period: str) -> list[dict[str, Any]]:
    """The bays / zones as GeoJSON features with their ratio (for the maps and the API)."""
    figures = sea_figures(engine, period)
    with engine.connect() as conn:
        areas = sea_rows(conn, "areas")
    by_code = {r.code: r for r in figures.areas}
    return [
        {
            "type": "Feature",
            "id": str(a["code"]),
            "geometry": a["geometry"],
            "properties": {
                **by_code[str(a["code"])].model_dump(mode="json"),
                "kind": _text(a["kind"]),
                "district_code": _text(a["district_code"]),
                "area_km2_polygon": _num(a["area_km2"]),
                "period": period,
            },
        }
        for a in areas.to_dict("records")
    ]


def sea_map_frames(engine: Engine, period: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The points and bays / zones of ``period`` as frames for ``maps.sea_layer`` (WGS-84)."""
    figures = sea_figures(engine, period)
    pts = [p.model_dump(mode="json") for p in figures.points]
    points = gpd.GeoDataFrame(
        pts,
        geometry=[shapely.Point(p["lon"], p["lat"]) if p["lon"] is not None else None for p in pts],
        crs="EPSG:4326",
    )
    with engine.connect() as conn:
        shapes = {
            str(r["code"]): shapely.geometry.shape(r["geometry"])
            for r in sea_rows(conn, "areas").to_dict("records")
        }
    rows = [
        {
            "code": a.code,
            "name": a.name,
            "name_en": a.name_en,
            "demo": a.demo,
            "target_class": a.target_class,
            "ratio": a.by_points.value,
            "percent": a.by_points.percent,
            "numerator": a.by_points.numerator,
            "denominator": a.by_points.denominator,
            "by_area": a.by_area,
            "period": period,
        }
        for a in figures.areas
    ]
    areas = gpd.GeoDataFrame(
        pd.DataFrame(rows, dtype=object),
        geometry=[shapes.get(str(r["code"])) for r in rows],
        crs="EPSG:4326",
    )
    return points, areas


def latest_sea_period(engine: Engine, today: dt.date) -> str:
    """The year the public figures show by default: the CST year of the newest sea sample up to
    ``today`` (so that a January map is not empty before the month's samples), else ``today``'s."""
    with engine.connect() as conn:
        newest = latest_sea_sample_time(conn)
    if newest is None:
        return f"{today.year:04d}"
    return f"{min(newest.astimezone(CST).year, today.year):04d}"


__all__ = [
    "PeriodError",
    "latest_sea_period",
    "period_bounds",
    "sea_area_features",
    "sea_figures",
    "sea_map_frames",
    "sea_points",
]
