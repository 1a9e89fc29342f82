"""Assessment figures per district and for the city (HJ 663 statistics, composite index, what ozone
costs), with 同比 and 环比, from the computed district days. Store + clock in, typed values out.

The district (city) daily values are the ones ``service.compute`` stores: per pollutant the mean of
the stations' valid daily values. Statistics are computed by ``stations.standards.assessment``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import geodata
from maps.cocontrol import CoControlRow
from service.clock import Clock
from service.compute.cst import cst_today
from service.compute.summaries import district_daily_series
from service.store.compute_tables import DAY_INDICATORS
from service.targets import CITY, district_codes
from stations.standards import assessment_tables as AT
from stations.standards.assessment import assess, compare, earlier_composite_edition
from stations.standards.assessment_periods import Period, parse_period
from stations.standards.assumptions import DEFAULT, Assumptions

CITY_NAMES = ("舟山市", "Zhoushan City")


@dataclass(frozen=True, slots=True)
class AreaAssessment:
    """One district's (or the city's) assessment of a period, beside the same period last year and
    the period before. ``current``/``year_ago``/``previous`` are ``Assessment.as_json`` objects."""

    code: str
    name_zh: str
    name_en: str
    period: Period
    current: dict[str, Any]
    year_ago: dict[str, Any] | None
    previous: dict[str, Any] | None
    compared_with_last_year: dict[str, Any] | None
    compared_with_previous: dict[str, Any] | None
    stations: list[str]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (the API body, report and export source)."""
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "period": {
                "label": self.period.label,
                "kind": self.period.kind,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "complete": self.period.complete,
            },
            "stations": self.stations,
            "current": self.current,
            "year_ago": self.year_ago,
            "previous": self.previous,
            "compared_with_last_year": self.compared_with_last_year,
            "compared_with_previous": self.compared_with_previous,
        }


def area_names() -> dict[str, tuple[str, str]]:
    """District code -> (Chinese, English) name, and the city."""
    d = geodata.load_districts()
    names = {
        str(c): (str(n), str(e)) for c, n, e in zip(d["code"], d["name"], d["name_en"], strict=True)
    }
    names[CITY] = CITY_NAMES
    return names


def default_period(clock: Clock) -> str:
    """Year to date of the current CST year (the whole last year on 1 January)."""
    today = cst_today(clock)
    return (
        f"{today.year - 1:04d}" if (today.month, today.day) == (1, 1) else f"{today.year:04d}-ytd"
    )


def resolve_period(text: str | None, clock: Clock) -> Period:
    """The period named by ``text`` (``YYYY``, ``YYYY-MM``, ``YYYYQn``, ``YYYY-ytd``, a day range),
    cut at yesterday; ``ValueError`` naming the accepted forms or an unstarted period."""
    return parse_period(text or default_period(clock), cst_today(clock))


def _arrays(frame: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, np.ndarray]:
    idx = pd.Index([start + dt.timedelta(days=i) for i in range((end - start).days + 1)])
    if frame.empty:
        return {k: np.full((1, len(idx)), np.nan) for k in DAY_INDICATORS}
    f = frame.set_index("day")
    return {
        k: pd.to_numeric(f[k.lower()], errors="coerce")
        .reindex(idx)
        .to_numpy(dtype=np.float64)[None, :]
        for k in DAY_INDICATORS
    }


def _slice(frame: pd.DataFrame, p: Period) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[(frame["day"] >= p.start) & (frame["day"] <= p.end)]


def area_assessment(
    engine: Engine,
    clock: Clock,
    code: str,
    period: str | None = None,
    assumptions: Assumptions = DEFAULT,
) -> AreaAssessment:
    """Assessment of district ``code`` (or ``"city"``) for ``period`` (default: year to date), with
    the same days last year (同比) and the previous month/quarter (环比). ``KeyError`` for an
    unknown district; ``ValueError`` for a period that cannot be read."""
    if code not in district_codes():
        raise KeyError(code)
    p = resolve_period(period, clock)
    ya = p.year_ago()
    prev = p.previous()
    first = min(ya.start, prev.start if prev is not None else ya.start)
    frame = district_daily_series(engine, code, first, p.end)
    if not frame.empty:
        frame = frame.assign(day=[pd.Timestamp(d).date() for d in frame["day"]])
    cur_frame = _slice(frame, p)
    current = assess(
        _arrays(cur_frame, p.start, p.end), p.start, series=[code], assumptions=assumptions
    )
    cur = current.as_json(0)
    edition = earlier_composite_edition(current)

    def earlier(q: Period | None) -> dict[str, Any] | None:
        if q is None:
            return None
        part = _slice(frame, q)
        if part.empty:
            return None
        a = assess(
            _arrays(part, q.start, q.end),
            q.start,
            series=[code],
            composite_edition=edition,
            assumptions=assumptions,
        )
        return a.as_json(0)

    old, before = earlier(ya), earlier(prev)
    stations = sorted(
        {s for lst in cur_frame.get("stations", pd.Series(dtype=object)) for s in (lst or [])}
    )
    zh, en = area_names().get(code, (code, code))
    return AreaAssessment(
        code=code,
        name_zh=zh,
        name_en=en,
        period=p,
        current=cur,
        year_ago=old,
        previous=before,
        compared_with_last_year=compare(cur, old),
        compared_with_previous=compare(cur, before),
        stations=stations,
    )


def all_area_assessments(
    engine: Engine, clock: Clock, period: str | None = None, assumptions: Assumptions = DEFAULT
) -> list[AreaAssessment]:
    """Every district and the city (city last), for the staff map's co-control panel and reports."""
    codes = [c for c in district_codes() if c != CITY] + [CITY]
    return [area_assessment(engine, clock, c, period, assumptions) for c in codes]


def cocontrol_panel_rows(
    engine: Engine,
    clock: Clock,
    lang: str = "zh",
    period: str | None = None,
    assumptions: Assumptions = DEFAULT,
) -> tuple[Period, list[CoControlRow]]:
    """The staff map's co-control panel: one row per district and the city (city last)."""
    areas = all_area_assessments(engine, clock, period, assumptions)
    rows = []
    for a in areas:
        cur = a.current
        stats, days = cur["statistics"], cur["days"]
        yoy = a.compared_with_last_year
        rows.append(
            CoControlRow(
                name=a.name_en if lang == "en" else a.name_zh,
                pm25=stats["PM25"],
                pm25_change_percent=None
                if yoy is None
                else yoy["statistics"]["PM25"]["change_percent"],
                o3_p90=stats["O3_8h_p90"],
                composite=stats["composite_index"],
                ratio=days["excellent_good_ratio"],
                ratio_without_o3=days["ratio_without_o3"],
                lost_pm25=days["lost_PM25"],
                lost_o3=days["lost_O3"],
                lost_both=days["lost_PM25_O3"],
                sufficient=all(s["sufficient"] for s in stats["sufficiency"].values()),
            )
        )
    return resolve_period(period, clock), rows


def assessment_export_rows(
    engine: Engine, clock: Clock, period: str | None = None, assumptions: Assumptions = DEFAULT
) -> list[dict[str, Any]]:
    """One flat row per district and the city (city last) for the assessment CSV: the statistics,
    their sufficiency and limits, the composite index and shares, exceedance days, ratios, days
    lost, the ozone season and the 同比/环比 changes in per cent (percentage points for ratios)."""
    rows = []
    for a in all_area_assessments(engine, clock, period, assumptions):
        cur = a.current
        st = cur["statistics"]
        row: dict[str, Any] = {
            "code": a.code,
            "name": a.name_zh,
            "name_en": a.name_en,
            "period": a.period.label,
            "period_start": cur["start"],
            "period_end": cur["end"],
            "complete": a.period.complete,
            "limit_edition": cur["limit_edition"],
        }
        for k in AT.STATISTICS:
            row[k] = st[k]
            row[f"{k}.published"] = cur["published"][k]
            row[f"{k}.days"] = st["sufficiency"][k]["days"]
            row[f"{k}.required"] = st["sufficiency"][k]["required"]
            row[f"{k}.sufficient"] = st["sufficiency"][k]["sufficient"]
            row[f"{k}.limit"] = cur["limits"][k]["limit"]
            row[f"{k}.meets"] = cur["limits"][k]["meets"]
        row["composite_index"] = st["composite_index"]
        for k in AT.COMPOSITE_ITEMS:
            row[f"composite.share.{k}"] = cur["composite"]["share"][k]
        row["composite.largest"] = cur["composite"]["largest"]
        for k, v in cur["exceedance_days"].items():
            row[f"exceedance_days.{k}"] = v
        for k, v in cur["days"].items():
            row[f"days.{k}"] = v
        season = cur["ozone_season"]
        for k in ("O3_8h_p90", "O3_8h_exceedance_days", "lost_to_O3", "lost_to_PM25_O3"):
            row[f"ozone_season.{k}"] = season[k]
        for name, cmp in (
            ("year_on_year", a.compared_with_last_year),
            ("on_previous", a.compared_with_previous),
        ):
            for k in (*AT.STATISTICS, "composite_index"):
                row[f"{name}.{k}.change_percent"] = (
                    None if cmp is None else cmp["statistics"][k]["change_percent"]
                )
            row[f"{name}.excellent_good_ratio.change_points"] = (
                None if cmp is None else cmp["ratios"]["excellent_good_ratio"]["change_points"]
            )
        rows.append(row)
    return rows
