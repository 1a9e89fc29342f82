"""Zone supervision (issue 16): per harbour zone and period, its monitors and nearby AQI stations
against the city's background; the inputs of the zone alert rules.

``zone_summary(engine, zone, end_day, days, staff=...)`` answers the zone page
(``GET /api/v1/zones/{id}/summary``), the staff map's zone popups and the monthly report. The public
answer holds zone-level statistics only; ``staff=True`` adds each monitor's statistics and the
exceedance hours with their values (a yard monitor's raw data are the bureau's, staff-only).

``zone_checks(engine, now, options)`` gives the alert rules what they look at (``service.alerts``).
Definitions of the statistics: ``stations.zone_stats``; limits: ``stations.standards.fugitive``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from geodata.crs import WGS84
from geodata.demo_yards import load_demo_zones
from geodata.spatial import point_zone_distances_km
from service.figures.values import Value
from service.settings import Settings
from service.store.zone_monitoring import last_reading_times, registry_places, span_readings
from service.zones import current_version, load_zones
from stations.collectors.zone_monitors import is_invalid_flag
from stations.cst import CST, format_cst
from stations.parameters import PARAMETERS
from stations.standards.fugitive import FugitiveLimit, applicable_limits, hourly_exceedances
from stations.zone_stats import role_statistics, window_rise

#: Parameters whose statistics the zone page shows (stored units: µg/m³; NMHC, TVOC mg/m³).
SUPERVISED: tuple[str, ...] = ("NO2", "SO2", "PM25", "NOX", "NMHC", "TVOC")
#: Stored units of the AQI pollutants among them.
_AQI_UNITS = {"NO2": "µg/m³", "SO2": "µg/m³", "PM25": "µg/m³"}
#: Monitor siting from the registry kind.
SITING = {"boundary_air": "boundary", "plant_air": "plant", "port_air": "port"}
#: The parameter a zone's daily line follows, by zone kind (NMHC at yards, NO2 elsewhere).
LEAD = {"ship_repair_yard": "NMHC"}


class UnknownZone(LookupError):
    """No current zone (nor demo zone) has this code."""


@dataclass(frozen=True, slots=True)
class SupervisionOptions:
    """What the zone figures need from the settings (``from_settings``)."""

    limits: tuple[FugitiveLimit, ...] = field(default_factory=applicable_limits)
    near_km: float = 3.0
    background: tuple[str, ...] = ()
    window_h: float = 3.0
    rise_limits: Mapping[str, float] = field(default_factory=dict)
    silent_h: float = 6.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SupervisionOptions:
        return cls(
            limits=applicable_limits(
                special=settings.supervision.gb37822_special_limits,
                db33_applies=settings.supervision.db33_2146_applies,
                db33_boundary_nmhc_mg=settings.supervision.db33_2146_boundary_nmhc_mg,
            ),
            near_km=settings.supervision.supervision_near_km,
            background=tuple(settings.supervision.supervision_background_stations),
            window_h=settings.supervision.zone_alert_window_hours,
            rise_limits=dict(settings.supervision.zone_rise_limits),
            silent_h=settings.supervision.zone_monitor_silent_hours,
        )


# ----------------------------------------------------------------------------------- values ---


class ParameterStat(Value):
    """One parameter of one group over the period: ``role`` monitor | nearby | background."""

    parameter: str
    unit: str
    basis: str | None = None
    role: str
    n_stations: int
    n_hours: int
    mean: float | None
    p95: float | None
    diff_to_background: float | None = None


class LimitRef(Value):
    """A limit that applies to the zone's monitors, with its clause."""

    key: str
    standard: str
    clause: str
    parameter: str
    siting: str
    value: float
    unit: str
    setting: str | None = None
    exceedance_hours: int = 0


class DayPoint(Value):
    """One CST day of the zone's lead parameter: monitors' and background means, exceedance hours."""

    day: dt.date
    parameter: str
    monitor_mean: float | None
    background_mean: float | None
    exceedance_hours: int


class MonitorStat(Value):
    """One monitor (staff view): siting, last data, statistics and exceedance hours per limit."""

    code: str
    name: str
    siting: str
    demo: bool
    last_time: dt.datetime | None
    statistics: list[ParameterStat]
    exceedance_hours: dict[str, int]
    #: Distinct hours above at least one limit (an hour above two limits counts once).
    hours_above_any: int = 0


class ExceedanceHour(Value):
    """One monitor-hour above one limit (staff view); ``time`` is the end of the hour (UTC)."""

    station: str
    time: dt.datetime
    parameter: str
    value: float
    threshold: float
    limit: str


class ZoneSummary(Value):
    """A zone over ``[start, end]`` (CST days). ``staff`` says whether monitor detail is included."""

    code: str
    name: str
    name_en: str | None = None
    kind: str
    district_code: str | None = None
    demo: bool
    source: str | None = None
    start: dt.date
    end: dt.date
    staff: bool
    monitor_codes: list[str]
    nearby_stations: list[str]
    background_stations: list[str]
    statistics: list[ParameterStat]
    exceedance_hours: int
    limits: list[LimitRef]
    daily: list[DayPoint]
    monitors: list[MonitorStat] | None = None
    exceedances: list[ExceedanceHour] | None = None


# ------------------------------------------------------------------------------------ context ---


@dataclass(frozen=True, slots=True)
class _Context:
    zones: gpd.GeoDataFrame
    places: pd.DataFrame
    members: pd.DataFrame  # zone, station, role
    monitors: pd.DataFrame  # station, siting, zone, zone_kind


def supervised_zones(engine: Engine, places: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """The current zones, plus the demo yard and port while no zone file was imported and the
    registry holds demo monitors (``geodata.demo_yards``; labelled demo)."""
    zones = load_zones(engine)
    if "demo" not in zones.columns:
        zones["demo"] = False
    if places is None:
        with engine.connect() as conn:
            places = registry_places(conn)
    demo_monitors = places["zone"].notna() & places["demo"].astype(bool)
    if current_version(engine) is None and bool(demo_monitors.any()):
        demo = load_demo_zones()
        zones = gpd.GeoDataFrame(
            pd.concat([zones, demo[~demo["code"].isin(zones["code"])]], ignore_index=True),
            crs=WGS84,
        )
    zones["demo"] = zones["demo"].fillna(False).astype(bool)
    return zones


def _context(engine: Engine, options: SupervisionOptions) -> _Context:
    with engine.connect() as conn:
        places = registry_places(conn)
    zones = supervised_zones(engine, places)
    kind_of = dict(zip(zones["code"].astype(str), zones["kind"].astype(str), strict=True))
    mon = places[places["zone"].notna() & places["zone"].isin(list(kind_of))]
    monitors = pd.DataFrame(
        {
            "station": mon["code"].astype(str),
            "siting": mon["kind"].map(SITING).fillna("port").astype(str),
            "zone": mon["zone"].astype(str),
            "zone_kind": mon["zone"].map(kind_of).astype(str),
        }
    )
    aqi = places[places["zone"].isna() & places["lon"].notna() & places["lat"].notna()]
    rows = [monitors.assign(role="monitor")[["zone", "station", "role"]]]
    if len(aqi) and len(zones):
        pts = gpd.GeoDataFrame(
            aqi[["code"]], geometry=gpd.points_from_xy(aqi["lon"], aqi["lat"]), crs=WGS84
        )
        km = point_zone_distances_km(pts, zones)
        near = km.le(options.near_km)
        pairs = _pairs(near)
        rows.append(pairs.assign(role="nearby")[["zone", "station", "role"]])
        if options.background:
            bg_codes = [c for c in options.background if c in set(aqi["code"])]
            bg = pd.DataFrame(
                [(z, s) for z in zones["code"].astype(str) for s in bg_codes],
                columns=["zone", "station"],
            )
        else:
            marked = aqi.loc[aqi["kind"] == "background_air", "code"].astype(str).tolist()
            if marked:
                bg = pd.DataFrame(
                    [(z, s) for z in zones["code"].astype(str) for s in marked],
                    columns=["zone", "station"],
                )
            else:
                bg = _pairs(~near)
        rows.append(bg.assign(role="background")[["zone", "station", "role"]])
    members = pd.concat(rows, ignore_index=True)
    return _Context(zones, places, members, monitors.reset_index(drop=True))


def _pairs(mask: pd.DataFrame) -> pd.DataFrame:
    """(station, zone) of every True cell of a stations x zones frame."""
    i, j = np.nonzero(mask.to_numpy(dtype=bool))
    return pd.DataFrame({"station": mask.index.to_numpy()[i], "zone": mask.columns.to_numpy()[j]})


def _day_of(times: pd.Series) -> pd.Series:
    """The CST day an end-of-hour label's hour started in (an empty read has no time type yet)."""
    return (pd.to_datetime(times, utc=True) - pd.Timedelta(hours=1)).dt.tz_convert(CST).dt.date


def _valid(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(valid=~is_invalid_flag(frame["flag"]).to_numpy())


def _span(day_start: dt.date, day_end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC bounds of the end-of-hour labels of CST days ``[day_start, day_end]``."""
    start = dt.datetime.combine(day_start, dt.time(1), CST).astimezone(dt.UTC)
    end = dt.datetime.combine(day_end + dt.timedelta(days=1), dt.time(1), CST).astimezone(dt.UTC)
    return start, end


def _num(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if np.isnan(number) else round(number, 4)


def _unit(parameter: str) -> tuple[str, str | None]:
    p = PARAMETERS.get(parameter)
    if p is not None:
        return p.unit, p.basis
    return _AQI_UNITS.get(parameter, "µg/m³"), None


def _stats_by(frame: pd.DataFrame, column: str) -> dict[str, list[ParameterStat]]:
    """``role_statistics`` rows as ``ParameterStat`` lists by ``column`` (zone or monitor), in the
    frame's order, from one pass over its rows (a few per zone and monitor)."""
    out: dict[str, list[ParameterStat]] = {}
    for r in frame.to_dict("records"):
        unit, basis = _unit(str(r["parameter"]))
        out.setdefault(str(r[column]), []).append(
            ParameterStat(
                parameter=str(r["parameter"]),
                unit=unit,
                basis=basis,
                role=str(r["role"]),
                n_stations=int(r["n_stations"]),
                n_hours=int(r["n_hours"]),
                mean=_num(r["mean"]),
                p95=_num(r["p95"]),
                diff_to_background=_num(r["diff"]),
            )
        )
    return out


def _counts(frame: pd.DataFrame, keys: list[str]) -> dict[Any, int]:
    """Distinct exceedance hours (``time``) per ``keys`` of an exceedance frame."""
    if frame.empty:
        return {}
    counts = frame.groupby(keys)["time"].nunique()
    return {k: int(v) for k, v in counts.items()}


# ------------------------------------------------------------------------------------- summary ---


def zone_summary(
    engine: Engine,
    zone: str,
    end_day: dt.date,
    days: int = 30,
    *,
    staff: bool = False,
    options: SupervisionOptions | None = None,
) -> ZoneSummary:
    """Statistics of ``zone`` over the ``days`` CST days ending ``end_day``; raises ``UnknownZone``."""
    out = zone_summaries(engine, [zone], end_day, days, staff=staff, options=options)
    if zone not in out:
        raise UnknownZone(zone)
    return out[zone]


def zone_summaries(
    engine: Engine,
    zones: Sequence[str] | None,
    end_day: dt.date,
    days: int = 30,
    *,
    staff: bool = False,
    options: SupervisionOptions | None = None,
) -> dict[str, ZoneSummary]:
    """``zone_summary`` of several zones at once (``None``: every zone with monitors), from one
    read of the registry and one of the readings: the staff map's zone layer asks for all of them.
    Unknown codes are left out of the answer."""
    options = options or SupervisionOptions()
    ctx = _context(engine, options)
    wanted = set(ctx.monitors["zone"]) if zones is None else set(zones)
    table = ctx.zones[ctx.zones["code"].astype(str).isin(wanted)].drop_duplicates("code")
    if table.empty:
        return {}
    start_day = end_day - dt.timedelta(days=days - 1)
    start, end = _span(start_day, end_day)
    members = ctx.members[ctx.members["zone"].isin(wanted)]
    monitors = ctx.monitors[ctx.monitors["zone"].isin(wanted)]
    parameters = sorted(set(SUPERVISED) | {lim.parameter for lim in options.limits})
    with engine.connect() as conn:
        frame = _valid(span_readings(conn, start, end, sorted(set(members["station"])), parameters))
        last = last_reading_times(conn, monitors["station"].tolist())
    frame = frame.assign(day=_day_of(frame["time"]))
    stats = role_statistics(frame, members)
    stats = stats[stats["parameter"].isin(SUPERVISED)]
    exceed = hourly_exceedances(frame, monitors, options.limits)
    exceed = exceed.assign(day=_day_of(exceed["time"]))
    own = role_statistics(frame, monitors.assign(zone=monitors["station"], role="monitor"))
    kinds = dict(zip(table["code"].astype(str), table["kind"].astype(str), strict=True))
    daily = _daily(frame, members, exceed, kinds)
    names = dict(zip(ctx.places["code"], ctx.places["name"], strict=True))
    demo_of = dict(zip(ctx.places["code"], ctx.places["demo"].astype(bool), strict=True))
    # Everything per zone and per monitor from one pass over all zones' rows; the loop below
    # only looks its zone up.
    stats_by = _stats_by(stats, "zone")
    own_by = _stats_by(own, "zone")
    hours_by = _counts(exceed, ["zone"])
    per_limit = _counts(exceed, ["zone", "limit"])
    monitor_hours: dict[str, dict[str, int]] = {}
    for (station, limit), n in _counts(exceed, ["station", "limit"]).items():
        monitor_hours.setdefault(str(station), {})[str(limit)] = n
    any_hour = _counts(exceed, ["station"])
    exceedances: dict[str, list[ExceedanceHour]] = {}
    if staff:
        for r in exceed.sort_values(["time", "station", "limit"]).to_dict("records"):
            exceedances.setdefault(str(r["zone"]), []).append(
                ExceedanceHour(
                    station=str(r["station"]),
                    time=pd.Timestamp(r["time"]).to_pydatetime(),
                    parameter=str(r["parameter"]),
                    value=float(r["value"]),
                    threshold=float(r["threshold"]),
                    limit=str(r["limit"]),
                )
            )
    members_by: dict[str, dict[str, list[str]]] = {}
    for m in members.to_dict("records"):
        members_by.setdefault(str(m["zone"]), {}).setdefault(str(m["role"]), []).append(
            str(m["station"])
        )
    monitors_by: dict[str, list[dict[Hashable, Any]]] = {}
    for m in monitors.to_dict("records"):
        monitors_by.setdefault(str(m["zone"]), []).append(m)
    out = {}
    for z in table.to_dict("records"):  # one per zone
        code = str(z["code"])
        mons = monitors_by.get(code, [])
        roles = members_by.get(code, {})
        sitings = {m["siting"] for m in mons}
        limits = [
            lim
            for lim in options.limits
            if lim.siting in sitings and (not lim.zone_kinds or kinds[code] in lim.zone_kinds)
        ]
        summary = ZoneSummary(
            code=code,
            name=str(z["name"]),
            name_en=_text(z.get("name_en")),
            kind=kinds[code],
            district_code=_text(z.get("district_code")),
            demo=bool(z["demo"]) or any(demo_of.get(m["station"], False) for m in mons),
            source=_text(z.get("source")),
            start=start_day,
            end=end_day,
            staff=staff,
            monitor_codes=sorted(str(m["station"]) for m in mons),
            nearby_stations=sorted(roles.get("nearby", [])),
            background_stations=sorted(roles.get("background", [])),
            statistics=stats_by.get(code, []),
            exceedance_hours=hours_by.get(code, 0),
            limits=[
                LimitRef(
                    key=lim.key,
                    standard=lim.standard,
                    clause=lim.clause,
                    parameter=lim.parameter,
                    siting=lim.siting,
                    value=lim.value,
                    unit=lim.unit,
                    setting=lim.setting,
                    exceedance_hours=per_limit.get((code, lim.key), 0),
                )
                for lim in limits
            ],
            daily=_day_points(daily, code, LEAD.get(kinds[code], "NO2"), start_day, end_day),
        )
        if staff:
            summary.monitors = [
                MonitorStat(
                    code=str(m["station"]),
                    name=str(names.get(m["station"], m["station"])),
                    siting=str(m["siting"]),
                    demo=bool(demo_of.get(m["station"], False)),
                    last_time=last.get(str(m["station"])),
                    statistics=own_by.get(str(m["station"]), []),
                    exceedance_hours=monitor_hours.get(str(m["station"]), {}),
                    hours_above_any=any_hour.get(str(m["station"]), 0),
                )
                for m in sorted(mons, key=lambda m: str(m["station"]))
            ]
            summary.exceedances = exceedances.get(code, [])
        out[code] = summary
    return out


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


@dataclass(frozen=True, slots=True)
class _Daily:
    means: Mapping[Any, float]  # (zone, role, day) -> mean of the lead parameter
    hours: Mapping[Any, int]  # (zone, day) -> distinct exceedance hours


def _daily(
    frame: pd.DataFrame, members: pd.DataFrame, exceed: pd.DataFrame, kinds: Mapping[str, str]
) -> _Daily:
    """Daily means of each zone's lead parameter per role, and exceedance hours, for all zones in
    one group-by each."""
    lead = members.assign(
        pollutant=members["zone"].map(lambda z: LEAD.get(kinds.get(z, ""), "NO2"))
    )
    sub = frame[frame["valid"].to_numpy(dtype=bool)].merge(
        lead[["zone", "station", "role", "pollutant"]], on=["station", "pollutant"]
    )
    means = (
        sub.groupby(["zone", "role", "day"])["value"].mean() if len(sub) else pd.Series(dtype=float)
    )
    hours = (
        exceed.groupby(["zone", "day"])["time"].nunique() if len(exceed) else pd.Series(dtype=int)
    )
    return _Daily(means.to_dict(), hours.to_dict())


def _day_points(
    daily: _Daily, zone: str, lead: str, start_day: dt.date, end_day: dt.date
) -> list[DayPoint]:
    """The zone's ``DayPoint`` for every CST day of ``[start_day, end_day]``."""
    return [
        DayPoint(
            day=d,
            parameter=lead,
            monitor_mean=_num(daily.means.get((zone, "monitor", d))),
            background_mean=_num(daily.means.get((zone, "background", d))),
            exceedance_hours=int(daily.hours.get((zone, d), 0)),
        )
        for d in pd.date_range(start_day, end_day, freq="D").date
    ]


def monitored_zones(engine: Engine) -> list[tuple[str, str | None]]:
    """(code, district code) of every supervised zone that has monitors, by code."""
    with engine.connect() as conn:
        places = registry_places(conn)
    zones = supervised_zones(engine, places)
    with_monitors = set(places["zone"].dropna().astype(str))
    out = []
    for code, district in zip(zones["code"].astype(str), zones["district_code"], strict=True):
        if code in with_monitors:
            out.append((code, None if district is None or pd.isna(district) else str(district)))
    return sorted(out)


# -------------------------------------------------------------------------------- alert inputs ---


@dataclass(frozen=True, slots=True)
class ZoneCheck:
    """What the zone alert rules see of one zone with monitors, as of ``now``.

    ``worst``: the highest exceedance (value / threshold) in the window, or None;
    ``rises``: parameter -> (zone mean, background mean, rise) over the window;
    ``last_seen``: monitor code -> (name, end of its latest hour or None).
    """

    zone: str
    name: str
    kind: str
    district: str
    demo: bool
    worst: Mapping[str, object] | None
    rises: Mapping[str, tuple[float, float, float]]
    last_seen: Mapping[str, tuple[str, dt.datetime | None]]


def zone_checks(
    engine: Engine, now: dt.datetime, options: SupervisionOptions | None = None
) -> tuple[ZoneCheck, ...]:
    """One ``ZoneCheck`` per zone that has monitors (vectorised over all zones at once)."""
    options = options or SupervisionOptions()
    ctx = _context(engine, options)
    if ctx.monitors.empty:
        return ()
    # The window holds the hours whose end-of-hour label lies in (now - window, now].
    start = now - dt.timedelta(hours=options.window_h) + dt.timedelta(seconds=1)
    codes = sorted(set(ctx.members["station"]))
    parameters = sorted(set(options.rise_limits) | {lim.parameter for lim in options.limits})
    with engine.connect() as conn:
        frame = _valid(span_readings(conn, start, now + dt.timedelta(seconds=1), codes, parameters))
        last = last_reading_times(conn, ctx.monitors["station"].tolist())
    exceed = hourly_exceedances(frame, ctx.monitors, options.limits)
    if len(exceed):
        # The worst hour: furthest above its limit, then the latest, then the national standard
        # before the provincial one (the order of ``options.limits``).
        order = {lim.key: i for i, lim in enumerate(options.limits)}
        exceed = exceed.assign(
            ratio=exceed["value"] / exceed["threshold"], order=exceed["limit"].map(order)
        )
    rises = window_rise(frame, ctx.members, pd.Timestamp(start))
    zones = ctx.zones.set_index(ctx.zones["code"].astype(str))
    names = dict(zip(ctx.places["code"], ctx.places["name"], strict=True))
    demo_of = dict(zip(ctx.places["code"], ctx.places["demo"].astype(bool), strict=True))
    out = []
    for code, mons in ctx.monitors.groupby("zone", sort=True):  # one per zone
        z = zones.loc[str(code)]
        mine = exceed[exceed["zone"] == code] if len(exceed) else exceed
        worst = None
        if len(mine):
            w = mine.sort_values(["ratio", "time", "order"], ascending=[False, False, True]).iloc[0]
            lim = next(lim for lim in options.limits if lim.key == w["limit"])
            worst = {
                "monitor": str(w["station"]),
                "monitor_name": str(names.get(w["station"], w["station"])),
                "parameter": str(w["parameter"]),
                "value": float(w["value"]),
                "threshold": float(w["threshold"]),
                "unit": PARAMETERS[lim.parameter].unit,
                "limit": lim.key,
                "standard": lim.standard,
                "clause": lim.clause,
                "time": w["time"].to_pydatetime().isoformat(),
                "time_cst": format_cst(w["time"]),
                "hours": int(mine["time"].nunique()),
            }
        r = rises[rises["zone"] == code]
        district = z.get("district_code")
        out.append(
            ZoneCheck(
                zone=str(code),
                name=str(z["name"]),
                kind=str(z["kind"]),
                district="city" if district is None or pd.isna(district) else str(district),
                demo=bool(z["demo"]) or any(demo_of.get(c, False) for c in mons["station"]),
                worst=worst,
                rises={
                    str(p): (float(a), float(b), float(c))
                    for p, a, b, c in zip(
                        r["parameter"], r["zone_mean"], r["background_mean"], r["rise"], strict=True
                    )
                },
                last_seen={
                    str(s): (str(names.get(s, s)), last.get(str(s))) for s in mons["station"]
                },
            )
        )
    return tuple(out)


__all__ = [
    "SupervisionOptions",
    "UnknownZone",
    "ZoneCheck",
    "ZoneSummary",
    "monitored_zones",
    "supervised_zones",
    "zone_checks",
    "zone_summaries",
    "zone_summary",
]
