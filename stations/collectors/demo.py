"""Deterministic demo feed: plausible hourly air readings and monthly water samples, no upstream needed.

Pure and idempotent: every random number is a counter-based hash (splitmix64) of ``(seed, station,
hour, pollutant)`` or ``(seed, day, ...)`` — never of call order — so the same hour always gets the same
value, whatever window is asked for, and re-pulling a window changes nothing.

Shapes, tuned to a clean coastal city like Zhoushan (annual PM2.5 ≈ 20 µg/m³, O3 the usual primary
pollutant, ≈ 95–98 % excellent/good days):

* PM2.5: winter high (≈ 30 µg/m³ in January), summer low (≈ 9 in July), small morning/evening bumps;
  a regional day-to-day factor shared by all stations (smooth across midnight); rare polluted
  episodes (mostly winter, ×2.5–4 for a day). PM10 ≈ 1.5–1.9 × PM2.5.
* O3: afternoon peak (≈ 14:30 CST), night floor; spring (May) and autumn (late Sep–Oct) maxima,
  lower in the plum-rain/typhoon summer; a regional day factor, so a few days per season exceed
  the 8-h limit of 160 µg/m³.
* NO2 morning and evening rush-hour peaks; SO2 low; CO 0.4–0.8 mg/m³, higher in winter.
* Outages: about 1.5 % of station-days lose a block of 2–10 hours (all pollutants), and 0.3 % of
  single values are missing.

Water: one manual sample per section per month (the 10th, 10:00 CST), river or reservoir profile by
the waterbody text (水库/湖/reservoir/lake -> reservoir), mostly class II–III, with non-detects for the
trace items. Seawater (``sea_points``, the demo sea points): one sample per point per month (the 12th,
10:00 CST), GB 3097 items with nutrients near the 二/三类 limits.

Payload format of :class:`DemoCollector` (``envmon.demo/1``), column-oriented JSON::

    {"format": "envmon.demo/1", "seed": 0, "window": {"start": iso, "end": iso},
     "readings": {"station": [...], "time": [iso UTC...], "pollutant": [...], "value": [...]},
     "samples": {"section": [...], "time": [...], "item": [...], "value": [...],
                 "detection_limit": [...|null], "below_limit": [...]}}
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import httpx
import numpy as np
import numpy.typing as npt
import pandas as pd

from stations.collectors._checks import (
    check_readings,
    check_samples,
    never_raises,
    payload_rejected,
)
from stations.collectors.base import Payload, Window
from stations.cst import CST
from stations.model import READING_COLUMNS, Parsed, empty_readings, empty_samples

FORMAT: Final = "envmon.demo/1"
FLAG: Final = "demo"
_U64 = np.uint64
_POLL: Final = ("PM25", "PM10", "SO2", "NO2", "O3", "CO")

U64Array = npt.NDArray[np.uint64]
FArray = npt.NDArray[np.float64]


def _mix(x: U64Array) -> U64Array:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps, as intended)."""
    with np.errstate(over="ignore"):
        z = np.atleast_1d(x) + _U64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
        return np.asarray(z ^ (z >> _U64(31)), dtype=np.uint64)


def _key(*parts: npt.ArrayLike) -> U64Array:
    acc = np.zeros(np.broadcast(*[np.asarray(p) for p in parts]).shape, dtype=np.uint64)
    for p in parts:
        acc = _mix(acc ^ np.asarray(p).astype(np.int64).astype(np.uint64))
    return acc


def _uniform(*parts: npt.ArrayLike) -> FArray:
    return (_key(*parts) >> _U64(11)).astype(np.float64) / float(1 << 53)


def _normal(*parts: npt.ArrayLike) -> FArray:
    u1 = np.clip(_uniform(*parts, 1), 1e-12, 1.0)
    u2 = _uniform(*parts, 2)
    return np.asarray(np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2), dtype=np.float64)


def _code(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _hours(window: Window) -> npt.NDArray[np.int64]:
    """Whole end-of-hour labels in [start, end) as hours since the epoch."""
    start = int(np.ceil(window.start.timestamp() / 3600.0))
    end = int(np.ceil(window.end.timestamp() / 3600.0))
    return np.arange(start, max(start, end), dtype=np.int64)


def _smooth_day(seed: int, tag: int, day: npt.NDArray[np.int64], frac: FArray) -> FArray:
    """A day-level standard normal, linearly blended into the next day's (continuous at midnight)."""
    a = _normal(seed, tag, day)
    b = _normal(seed, tag, day + 1)
    return np.asarray(a * (1.0 - frac) + b * frac, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _HourGrid:
    """Every (station, hour) pair of a simulation, flattened, with its CST calendar terms."""

    seed: int
    S: npt.NDArray[np.int64]  # station code per pair
    H: npt.NDArray[np.int64]  # end-of-hour label, hours since the epoch (UTC)
    names: npt.NDArray[np.object_]
    local: npt.NDArray[np.int64]  # CST hours since epoch
    lh: FArray  # middle of the hour ending at the label, CST hour of day
    day: npt.NDArray[np.int64]  # CST day number
    frac: FArray  # fraction of the CST day at the label
    doy: FArray  # day 0 = 1970-01-01: close enough to day of year
    season: FArray  # +1 mid-January, -1 mid-July

    def station_factor(self, tag: int, sd: float) -> FArray:
        """A log-normal factor fixed per station."""
        return np.exp(sd * _normal(self.seed, tag, self.S))

    def hourly(self, tag: int, sd: float) -> FArray:
        """A log-normal factor drawn afresh every station-hour."""
        return np.exp(sd * _normal(self.seed, tag, self.S, self.H))

    def afternoon(self) -> FArray:
        """The photochemical day shape, peaking at 14:30 CST."""
        return np.exp(-(((self.lh - 14.5) / 3.4) ** 2))


def _hour_grid(stations: Sequence[str], hours: npt.NDArray[np.int64], seed: int) -> _HourGrid:
    """The (station, hour) pairs of ``stations`` over ``hours``, station-major."""
    st = np.array([_code(s) for s in stations], dtype=np.int64)
    local = np.tile(hours, len(st)) + 8
    day = local // 24
    doy = day.astype(np.float64) % 365.2425
    return _HourGrid(
        seed=seed,
        S=np.repeat(st, len(hours)),
        H=np.tile(hours, len(st)),
        names=np.repeat(np.array(list(stations), dtype=object), len(hours)),
        local=local,
        lh=(local % 24).astype(np.float64) - 0.5,
        day=day,
        frac=(local % 24).astype(np.float64) / 24.0,
        doy=doy,
        season=np.cos(2 * np.pi * (doy - 15.0) / 365.2425),
    )


def _winter_episode(g: _HourGrid) -> FArray:
    """Winter pollution episodes: a day-level multiplier, blended into the next day's."""
    seed, day, frac = g.seed, g.day, g.frac
    ep_p = 0.012 + 0.025 * np.clip(g.season, 0, None)
    episode = np.where(_uniform(seed, 12, day) < ep_p, 2.5 + 1.5 * _uniform(seed, 13, day), 1.0)
    ep_next = np.where(
        _uniform(seed, 12, day + 1) < ep_p, 2.5 + 1.5 * _uniform(seed, 13, day + 1), 1.0
    )
    return np.asarray(episode * (1 - frac) + ep_next * frac, dtype=np.float64)


def _particulates(g: _HourGrid, regional: FArray, episode: FArray) -> tuple[FArray, FArray]:
    """PM2.5 and PM10 (µg/m³): seasonal, evening-peaked, regional and episodic."""
    lh = g.lh
    pm25 = (
        (19.0 + 11.0 * g.season)
        * (1 + 0.12 * np.cos(2 * np.pi * (lh - 21) / 24) + 0.08 * np.cos(4 * np.pi * (lh - 9) / 24))
        * np.exp(0.42 * regional)
        * episode
        * g.station_factor(21, 0.12)
        * g.hourly(22, 0.15)
    )
    pm10 = pm25 * (1.5 + 0.4 * _uniform(g.seed, 23, g.S, g.H)) + 3.0 * g.hourly(24, 0.3)
    return pm25, pm10


def _ozone(g: _HourGrid) -> FArray:
    """O3 (µg/m³): spring and autumn seasons, an afternoon peak, photochemical episodes."""
    seed, day, doy = g.seed, g.day, g.doy
    o3_regional = _smooth_day(seed, 31, day, g.frac)
    amp = (
        38.0
        + 48.0 * np.exp(-(((doy - 135.0) / 40.0) ** 2))
        + 40.0 * np.exp(-(((doy - 280.0) / 32.0) ** 2))
    )
    # Photochemical episodes: sunny, stagnant days in the O3 seasons (about 1 day in 8 there).
    o3_season = np.exp(-(((doy - 135.0) / 40.0) ** 2)) + np.exp(-(((doy - 280.0) / 32.0) ** 2))
    o3_ep = np.where(
        _uniform(seed, 34, day) < 0.13 * o3_season, 1.8 + 0.4 * _uniform(seed, 35, day), 1.0
    )
    return np.asarray(
        (
            (38.0 + 10.0 * np.cos(2 * np.pi * (doy - 120.0) / 365.2425))
            + amp * np.exp(0.28 * o3_regional) * o3_ep * g.afternoon()
        )
        * g.station_factor(32, 0.08)
        * g.hourly(33, 0.1),
        dtype=np.float64,
    )


def _values(g: _HourGrid) -> dict[str, FArray]:
    """Every pollutant's rounded hourly value (µg/m³, CO mg/m³) per station-hour."""
    regional = _smooth_day(g.seed, 11, g.day, g.frac)
    episode = _winter_episode(g)
    pm25, pm10 = _particulates(g, regional, episode)
    o3 = _ozone(g)
    lh = g.lh
    no2 = (
        (17.0 + 7.0 * g.season)
        * (1 + 0.35 * np.cos(2 * np.pi * (lh - 8) / 12) * (np.abs(lh - 14) > 3))
        * (1 - 0.25 * g.afternoon())
        * np.exp(0.25 * regional)
        * g.station_factor(41, 0.2)
        * g.hourly(42, 0.2)
    )
    so2 = (
        (6.0 + 2.0 * g.season)
        * np.exp(0.2 * regional)
        * g.station_factor(51, 0.25)
        * g.hourly(52, 0.2)
    )
    co = (0.55 + 0.18 * g.season) * np.exp(0.2 * regional) * np.sqrt(episode) * g.hourly(61, 0.12)
    return {
        "PM25": np.round(pm25),
        "PM10": np.asarray(np.round(np.maximum(pm10, pm25)), dtype=np.float64),
        "SO2": np.maximum(np.round(so2), 2.0),
        "NO2": np.maximum(np.round(no2), 2.0),
        "O3": np.maximum(np.round(o3), 2.0),
        "CO": np.round(co, 1),
    }


def _outage(g: _HourGrid) -> npt.NDArray[np.bool_]:
    """Outages: a block of 2-10 hours on ~1.5 % of station-days."""
    seed, S, day = g.seed, g.S, g.day
    out_day = _uniform(seed, 71, S, day) < 0.015
    out_start = np.floor(24 * _uniform(seed, 72, S, day))
    out_len = 2 + np.floor(9 * _uniform(seed, 73, S, day))
    hod = (g.local % 24).astype(np.float64)
    return np.asarray(out_day & (hod >= out_start) & (hod < out_start + out_len), dtype=np.bool_)


def _readings_frame(g: _HourGrid, values: dict[str, FArray]) -> pd.DataFrame:
    """Long readings (READING_COLUMNS) without the outages and single missing values (0.3 %)."""
    outage = _outage(g)
    frames = []
    times = pd.to_datetime(g.H * 3600, unit="s", utc=True)
    for i, p in enumerate(_POLL):
        keep = ~outage & (_uniform(g.seed, 81 + i, g.S, g.H) >= 0.003)
        frames.append(
            pd.DataFrame(
                {
                    "station": g.names[keep],
                    "time": times[keep],
                    "pollutant": p,
                    "value": values[p][keep].astype("float64"),
                    "flag": FLAG,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True).sort_values(
        ["time", "station", "pollutant"], kind="stable"
    )
    out = out.loc[:, list(READING_COLUMNS)].reset_index(drop=True)
    out["time"] = out["time"].astype("datetime64[ns, UTC]")
    for col in ("station", "pollutant", "flag"):
        out[col] = out[col].astype(object)
    return out


def simulate_hours(stations: Sequence[str], window: Window, seed: int) -> pd.DataFrame:
    """Hourly readings (READING_COLUMNS, UTC end-of-hour labels, flag "demo") for ``stations``."""
    hours = _hours(window)
    if not len(stations) or not len(hours):
        return empty_readings()
    g = _hour_grid(stations, hours, seed)
    return _readings_frame(g, _values(g))


#: (item, river median, reservoir median, log-sd, detection limit or None -> always measured)
_WATER_PROFILE: Final[tuple[tuple[str, float, float, float, float | None], ...]] = (
    ("DO", 7.8, 8.6, 0.10, None),
    ("CODMn", 4.2, 2.8, 0.25, None),
    ("COD", 16.0, 11.0, 0.25, 4.0),
    ("BOD5", 2.8, 1.6, 0.30, 0.5),
    ("NH3N", 0.45, 0.15, 0.45, 0.025),
    ("TP", 0.12, 0.025, 0.40, 0.01),
    ("TN", 1.9, 0.9, 0.30, 0.05),
    ("F", 0.45, 0.30, 0.25, 0.05),
    ("fecal_coliform", 3000.0, 600.0, 0.8, 20.0),
    ("Hg", 0.00001, 0.00001, 0.5, 0.00004),
    ("Cd", 0.00005, 0.00005, 0.5, 0.0001),
    ("Cr6", 0.002, 0.002, 0.5, 0.004),
    ("CN", 0.002, 0.002, 0.5, 0.004),
    ("phenol", 0.0002, 0.0002, 0.5, 0.0003),
)


#: Demo monitor profiles by siting: parameter -> (base in the stored unit, working-hours factor,
#: episode factor). Yards paint and blast by day (08-17 CST) with rare spraying episodes that may
#: pass the limits; ports follow ship movements. Shapes only, no yard's real figures.
_MONITOR_PROFILES: Final[dict[str, dict[str, tuple[float, float, float]]]] = {
    "boundary": {"NMHC": (0.8, 2.0, 2.6), "BENZENE": (2.0, 1.5, 3.0),
                 "TOLUENE": (15.0, 2.0, 4.0), "XYLENES": (20.0, 2.0, 4.0)},
    "plant": {"NMHC": (1.6, 2.5, 3.0)},
    "port": {"NO": (12.0, 1.6, 2.5), "NO2": (38.0, 1.4, 1.8), "SO2": (9.0, 1.3, 2.5),
             "PM25": (24.0, 1.2, 1.5)},
}  # fmt: skip
#: Share of working hours with a spraying episode (yards) or a ship at berth (ports).
_MONITOR_EPISODE_P: Final = 0.03
_NO_TO_NO2: Final = 46.0055 / 30.006  # NOx as NO2 = NO2 + NO x M(NO2)/M(NO)


def simulate_monitor_hours(
    monitors: Sequence[tuple[str, str]], window: Window, seed: int
) -> pd.DataFrame:
    """Hourly readings of demo yard and port monitors, ``(code, siting)`` with siting ``boundary``,
    ``plant`` or ``port`` (``stations.parameters`` units; NOx as NO2 from NO and NO2)."""
    hours = _hours(window)
    frames = []
    for code, siting in monitors:  # a handful of demo monitors
        profile = _MONITOR_PROFILES.get(siting, {})
        if not profile or not len(hours):
            continue
        c = _code(code)
        local = hours + 8
        lh = local % 24
        working = (lh >= 8) & (lh <= 17)
        episode = working & (_uniform(seed, 31, c, hours) < _MONITOR_EPISODE_P)
        values = {}
        for i, (param, (base, work, ep)) in enumerate(profile.items()):
            noise = np.exp(0.25 * _normal(seed, 32 + i, c, hours))
            values[param] = base * noise * np.where(working, work, 1.0) * np.where(episode, ep, 1.0)
        if "NO" in values and "NO2" in values:
            values["NOX"] = values["NO2"] + values["NO"] * _NO_TO_NO2
        times = pd.to_datetime(hours * 3600, unit="s", utc=True)
        for param, v in values.items():
            frames.append(
                pd.DataFrame(
                    {"station": code, "time": times, "pollutant": param, "value": np.round(v, 3)}
                )
            )
    if not frames:
        return empty_readings()
    out = pd.concat(frames, ignore_index=True)
    out["flag"] = FLAG
    return out[list(READING_COLUMNS)]


def _is_reservoir(waterbody: str) -> bool:
    w = waterbody.lower()
    return any(k in w for k in ("水库", "湖", "reservoir", "lake"))


def simulate_samples(
    sections: Sequence[tuple[str, str]], window: Window, seed: int
) -> pd.DataFrame:
    """Monthly manual samples (SAMPLE_COLUMNS) for ``(section code, waterbody)`` pairs."""
    start_cst = window.start.astimezone(CST)
    month = dt.date(start_cst.year, start_cst.month, 1)
    rows: list[dict[str, Any]] = []
    while True:
        when = dt.datetime(month.year, month.month, 10, 2, tzinfo=dt.UTC)  # 10:00 CST
        if when >= window.end:
            break
        if when >= window.start:
            mi = month.year * 12 + month.month
            summer = -np.cos(2 * np.pi * (month.month - 1) / 12)
            for code, waterbody in sections:
                res = _is_reservoir(waterbody)
                sc = _code(code)
                ph = 7.4 + 0.3 * float(_normal(seed, 91, sc, mi)[0])
                rows.append(
                    {
                        "section": code,
                        "time": when,
                        "item": "pH",
                        "value": round(ph, 2),
                        "detection_limit": np.nan,
                        "below_limit": False,
                    }
                )
                for k, (item, riv, resv, sd, dl) in enumerate(_WATER_PROFILE):
                    med = resv if res else riv
                    if item == "DO":
                        med -= 1.2 * summer
                    v = med * float(np.exp(sd * _normal(seed, 100 + k, sc, mi))[0])
                    below = dl is not None and v < dl
                    rows.append(
                        {
                            "section": code,
                            "time": when,
                            "item": item,
                            "value": float(dl) if below and dl is not None else float(f"{v:.3g}"),
                            "detection_limit": float(dl) if dl is not None else np.nan,
                            "below_limit": bool(below),
                        }
                    )
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    if not rows:
        return empty_samples()
    out = pd.DataFrame(rows)
    out["time"] = pd.to_datetime(out["time"], utc=True).astype("datetime64[ns, UTC]")
    out["method"] = "manual"
    for col in ("section", "item", "method"):
        out[col] = out[col].astype(object)
    return out.loc[:, list(empty_samples().columns)]


#: Nearshore seawater (GB 3097 items, mg/L): (item, median, log-sd, detection limit or None).
#: Zhoushan's sea is rich in nutrients (the Changjiang plume): DIN and phosphate around the 二/三类
#: limits, so the demo year shows a mix of classes; everything else is clean.
_SEA_PROFILE: Final[tuple[tuple[str, float, float, float | None], ...]] = (
    ("DO", 7.0, 0.08, None),
    ("COD", 1.1, 0.25, None),
    ("DIN", 0.30, 0.30, None),
    ("PO4_P", 0.026, 0.30, 0.002),
    ("petroleum", 0.025, 0.45, 0.01),
    ("Cu", 0.002, 0.4, 0.001),
    ("Pb", 0.0008, 0.5, 0.0005),
    ("Hg", 0.00003, 0.5, 0.00002),
    ("salinity", 24.0, 0.10, None),
)


def simulate_sea_samples(points: Sequence[str], window: Window, seed: int) -> pd.DataFrame:
    """Monthly manual seawater samples (SAMPLE_COLUMNS) for sea point codes (the 12th, 10:00 CST).

    Each point has a steady factor on its nutrients (some points are always worse than others);
    DO dips in summer; values below a detection limit are reported as non-detects.
    """
    start_cst = window.start.astimezone(CST)
    month = dt.date(start_cst.year, start_cst.month, 1)
    rows: list[dict[str, Any]] = []
    while True:
        when = dt.datetime(month.year, month.month, 12, 2, tzinfo=dt.UTC)  # 10:00 CST
        if when >= window.end:
            break
        if when >= window.start:
            mi = month.year * 12 + month.month
            summer = -np.cos(2 * np.pi * (month.month - 1) / 12)
            for code in points:
                sc = _code(code)
                nutrients = float(np.exp(0.35 * _normal(seed, 201, sc)[0]))
                ph = 8.05 + 0.12 * float(_normal(seed, 202, sc, mi)[0])
                rows.append(_sample(code, when, "pH", round(ph, 2), None, False))
                for k, (item, med, sd, dl) in enumerate(_SEA_PROFILE):
                    m = med * (nutrients if item in ("DIN", "PO4_P") else 1.0)
                    if item == "DO":
                        m -= 0.8 * summer
                    v = m * float(np.exp(sd * _normal(seed, 210 + k, sc, mi))[0])
                    below = dl is not None and v < dl
                    value = float(dl) if below and dl is not None else float(f"{v:.3g}")
                    rows.append(_sample(code, when, item, value, dl, bool(below)))
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    if not rows:
        return empty_samples()
    out = pd.DataFrame(rows)
    out["time"] = pd.to_datetime(out["time"], utc=True).astype("datetime64[ns, UTC]")
    out["method"] = "manual"
    for col in ("section", "item", "method"):
        out[col] = out[col].astype(object)
    return out.loc[:, list(empty_samples().columns)]


def _sample(
    code: str, when: dt.datetime, item: str, value: float, dl: float | None, below: bool
) -> dict[str, Any]:
    return {
        "section": code,
        "time": when,
        "item": item,
        "value": value,
        "detection_limit": float(dl) if dl is not None else np.nan,
        "below_limit": below,
    }


@never_raises
def parse_demo(raw: bytes, *, now: dt.datetime | None = None) -> Parsed:
    """Read an ``envmon.demo/1`` payload; never raises on bad data."""
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return payload_rejected(raw, f"payload: not JSON ({exc})")
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        return payload_rejected(raw, f"payload: not {FORMAT}")
    parsed = Parsed()
    try:
        r = obj.get("readings") or {}
        if r:
            cand = pd.DataFrame(
                {
                    "station": pd.Series(r["station"], dtype=object),
                    "time": pd.to_datetime(pd.Series(r["time"]), utc=True, errors="coerce"),
                    "pollutant": pd.Series(r["pollutant"], dtype=object),
                    "value": pd.to_numeric(pd.Series(r["value"]), errors="coerce"),
                    "flag": FLAG,
                }
            )
            parsed.readings, parsed.rejected = check_readings(cand, now=now)
        s = obj.get("samples") or {}
        if s:
            cand_s = pd.DataFrame(
                {
                    "section": pd.Series(s["section"], dtype=object),
                    "time": pd.to_datetime(pd.Series(s["time"]), utc=True, errors="coerce"),
                    "item": pd.Series(s["item"], dtype=object),
                    "value": pd.to_numeric(pd.Series(s["value"]), errors="coerce"),
                    "detection_limit": pd.to_numeric(
                        pd.Series(s["detection_limit"]), errors="coerce"
                    ),
                    "below_limit": pd.Series(s["below_limit"]).astype(bool),
                    "method": "manual",
                }
            )
            parsed.samples, bad = check_samples(cand_s, now=now)
            parsed.rejected += bad
    except (KeyError, TypeError, ValueError) as exc:
        return payload_rejected(raw, f"payload: malformed {FORMAT} ({exc})")
    return parsed


class DemoCollector:
    """The simulator behind the collector protocol; ``fetch`` makes no HTTP call."""

    name: ClassVar[str] = "demo"

    def __init__(
        self,
        stations: Sequence[str],
        sections: Sequence[tuple[str, str]] = (),
        *,
        seed: int = 0,
        sea_points: Sequence[str] = (),
        monitors: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.stations = list(stations)
        self.sections = list(sections)
        self.sea_points = list(sea_points)
        self.seed = seed
        #: Demo yard and port monitors: (code, siting boundary | plant | port).
        self.monitors = list(monitors)

    def parse(self, raw: bytes, now: dt.datetime | None = None) -> Parsed:
        return parse_demo(raw, now=now)

    def fetch(self, client: httpx.Client, window: Window) -> list[Payload]:
        readings = simulate_hours(self.stations, window, self.seed)
        if self.monitors:
            readings = pd.concat(
                [readings, simulate_monitor_hours(self.monitors, window, self.seed)],
                ignore_index=True,
            )
        samples = simulate_samples(self.sections, window, self.seed)
        if self.sea_points:
            sea = simulate_sea_samples(self.sea_points, window, self.seed)
            if len(sea):
                samples = pd.concat([samples, sea], ignore_index=True) if len(samples) else sea
        body = {
            "format": FORMAT,
            "seed": self.seed,
            "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
            "readings": {
                "station": readings["station"].tolist(),
                "time": [t.isoformat() for t in readings["time"]],
                "pollutant": readings["pollutant"].tolist(),
                "value": readings["value"].tolist(),
            },
            "samples": {
                "section": samples["section"].tolist(),
                "time": [t.isoformat() for t in samples["time"]],
                "item": samples["item"].tolist(),
                "value": samples["value"].tolist(),
                "detection_limit": [
                    None if pd.isna(v) else float(v) for v in samples["detection_limit"]
                ],
                "below_limit": samples["below_limit"].astype(bool).tolist(),
            },
        }
        return [
            Payload(
                source=self.name,
                url=f"demo://seed/{self.seed}",
                raw=json.dumps(body, separators=(",", ":")).encode(),
                content_type="application/json",
                meta={
                    "window_start": window.start.isoformat(),
                    "window_end": window.end.isoformat(),
                },
            )
        ]
