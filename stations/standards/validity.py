"""Daily values from hourly series (GB 3095 表4, HJ 663 日评价) and their AQI, vectorised.

Hours are labelled by their END: hour 1 covers 00:00-01:00 CST and hour 24 (the value stamped
00:00 of the next date) belongs to the previous natural day. The hot path reshapes each pollutant to
a ``station x day x 24`` array; there is no Python loop per reading, station or day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from stations.standards import tables as T
from stations.standards.aqi import bits_to_names, combine, iaqi, round_half_even
from stations.standards.assumptions import DEFAULT, Assumptions

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

POLLUTANTS: Final = ("SO2", "NO2", "PM10", "PM25", "CO", "O3")
#: Pollutants whose daily value is the 24-h mean.
MEAN_24H: Final = ("SO2", "NO2", "PM10", "PM25", "CO")
_SECONDS_PER_HOUR: Final = 3600
_CST_OFFSET_S: Final = 8 * _SECONDS_PER_HOUR
_EFFECTIVE_2026_DAY: Final = int(
    (np.datetime64(T.HJ633_2026_EFFECTIVE, "D") - np.datetime64(0, "D")).astype(np.int64)
)


def moving_mean(
    values: FloatArray, window: int, min_count: int
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Moving mean over the ``window`` hours ending at each hour of a (stations, hours) series, and
    its valid-hour count; NaN where fewer than ``min_count`` hours are valid. Hours before the start
    of the series count as missing. Exact shifted sums (``window`` vectorised adds), no cumsum drift.
    """
    s, h = values.shape
    padded = np.concatenate([np.full((s, window - 1), np.nan), values], axis=1)
    valid = ~np.isnan(padded)
    filled = np.where(valid, padded, 0.0)
    total = np.zeros((s, h))
    n = np.zeros((s, h), dtype=np.int64)
    for k in range(window):  # one vectorised shift per hour of the window, not per reading
        total += filled[:, k : k + h]
        n += valid[:, k : k + h]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n >= min_count, total / n, np.nan)
    return mean, n


def o3_8h_moving(o3: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """O3 8-h moving mean (real-time O3_8h) and its hour count: >= 6 of 8 hours (GB 3095-2012 表4)."""
    return moving_mean(o3, T.O3_8H_WINDOW, T.MIN_HOURS_O3_8H)


def moving_24h(values: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """24-h moving mean (real-time PM10_24h / PM25_24h, 2012) and its count: >= 20 of 24 hours."""
    return moving_mean(values, 24, T.MIN_HOURS_24H)


def hour_order_sum(values: FloatArray) -> FloatArray:
    """Sum over the last axis (the 24 hours of a day) of the valid values, added one hour after
    the other from the first: the order a grouped reduction (``flox``, engine ``numpy``) adds in, so
    that the chunked archive path (``service.archive_graph``) equals this core to the last digit."""
    total = np.zeros(values.shape[:-1])
    for k in range(values.shape[-1]):  # one vectorised add per hour, not per reading
        total += np.where(np.isnan(values[..., k]), 0.0, values[..., k])
    return total


def o3_8h_day_windows(o3d: FloatArray) -> FloatArray:
    """The O3 8-h means of the windows ending 08..24 h of each day of a (stations, days, 24) array:
    (stations, days, 17), NaN where fewer than 6 of the 8 hours are valid (GB 3095-2012 表4).

    The windows lie inside their own day, so per-day running sums suffice (short sums: no
    long-series cumulative rounding error)."""
    hvalid = ~np.isnan(o3d)
    cs = np.cumsum(np.nan_to_num(o3d, nan=0.0), axis=2)
    cn = np.cumsum(hvalid, axis=2, dtype=np.int16)
    first = T.MDA8_FIRST_WINDOW_END_HOUR - 1
    w = T.O3_8H_WINDOW
    total = cs[:, :, first:].copy()
    total[:, :, 1:] -= cs[:, :, : 24 - w]
    cnt = cn[:, :, first:].copy()
    cnt[:, :, 1:] -= cn[:, :, : 24 - w]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt >= T.MIN_HOURS_O3_8H, total / cnt, np.nan)


def daily_from_reductions(
    reductions: Mapping[str, npt.NDArray[np.generic]], assumptions: Assumptions = DEFAULT
) -> dict[str, npt.NDArray[np.generic]]:
    """The :func:`daily_arrays` output from per-day reductions of the hourly values (any shape):
    ``n_<P>`` valid hours and ``sum_<P>`` (:func:`hour_order_sum`) for SO2, NO2, PM10, PM25, CO;
    ``n_O3`` and ``max_O3`` (largest valid hour, NaN or -inf when none); ``n_O3_8h_windows`` and
    ``max_O3_8h`` (largest valid window of :func:`o3_8h_day_windows`, NaN or -inf when none).
    The validity rules (>= 20 hours, >= 14 windows or above 160, O3 1-h) are applied here once."""
    out: dict[str, npt.NDArray[np.generic]] = {}
    for p in MEAN_24H:
        n = np.asarray(reductions[f"n_{p}"]).astype(np.int64)
        total = np.asarray(reductions[f"sum_{p}"], dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{p}_24h"] = np.where(n >= T.MIN_HOURS_24H, total / n, np.nan)
        out[f"n_{p}"] = n
    n_win = np.asarray(reductions["n_O3_8h_windows"]).astype(np.int64)
    # Round off the running-sum noise (~1e-12) so that a mean of exactly 160 is not "above 160".
    with np.errstate(invalid="ignore"):
        mda8 = np.round(np.asarray(reductions["max_O3_8h"], dtype=np.float64), 9)
        ok8 = (n_win >= T.MIN_WINDOWS_MDA8) | (mda8 > T.MDA8_EXCEEDANCE_LIMIT)
    out["O3_8h"] = np.where(ok8 & (n_win > 0), mda8, np.nan)
    out["n_O3_8h_windows"] = n_win
    n_o3 = np.asarray(reductions["n_O3"]).astype(np.int64)
    max1 = np.asarray(reductions["max_O3"], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok1 = (n_o3 >= assumptions.o3_1h_max_min_hours) | (max1 > T.O3_1H_LIMIT)
    out["O3_1h"] = np.where(ok1 & (n_o3 > 0), max1, np.nan)
    out["n_O3"] = n_o3
    return out


def daily_arrays(
    hourly: Mapping[str, FloatArray], assumptions: Assumptions = DEFAULT
) -> dict[str, npt.NDArray[np.generic]]:
    """Daily concentrations of (stations, days*24) hourly arrays whose first hour ends 01:00 CST.

    Returns (stations, days) arrays: ``<P>_24h`` means (>= 20 valid hours) and ``n_<P>`` hour
    counts for SO2, NO2, PM10, PM25, CO; ``O3_8h`` = daily max 8-h over windows ending 08..24 h
    (>= 14 valid windows, or max > 160), ``n_O3_8h_windows``; ``O3_1h`` = daily max 1-h
    (>= ``assumptions.o3_1h_max_min_hours`` valid hours, or max > 200), ``n_O3``. NaN = invalid.
    Missing pollutants give all-NaN outputs.
    """
    shape = next(iter(hourly.values())).shape
    s, h = shape
    d = h // 24
    nan = np.full(shape, np.nan)
    red: dict[str, npt.NDArray[np.generic]] = {}
    for p in MEAN_24H:
        values = hourly.get(p, nan).reshape(s, d, 24)
        red[f"n_{p}"] = np.count_nonzero(~np.isnan(values), axis=2)
        red[f"sum_{p}"] = hour_order_sum(values)
    o3d = hourly.get("O3", nan).reshape(s, d, 24)
    windows = o3_8h_day_windows(o3d)
    wvalid = ~np.isnan(windows)
    red["n_O3_8h_windows"] = np.count_nonzero(wvalid, axis=2)
    red["max_O3_8h"] = np.where(wvalid, windows, -np.inf).max(axis=2)
    hvalid = ~np.isnan(o3d)
    red["n_O3"] = np.count_nonzero(hvalid, axis=2)
    red["max_O3"] = np.where(hvalid, o3d, -np.inf).max(axis=2)
    return daily_from_reductions(red, assumptions)


def standards_for_days(
    day_numbers: npt.ArrayLike, standard: str | None = None
) -> npt.NDArray[np.str_]:
    """Rule set per day (days since 1970-01-01 in CST): HJ633-2012 before 2026-03-01, else 2026."""
    dn = np.asarray(day_numbers, dtype=np.int64)
    if standard is not None:
        return np.full(dn.shape, T.normalise_standard(standard))
    return np.where(dn < _EFFECTIVE_2026_DAY, T.HJ633_2012, T.HJ633_2026)


def score_days(
    daily: Mapping[str, FloatArray],
    standards: npt.NDArray[np.str_],
    assumptions: Assumptions = DEFAULT,
) -> dict[str, npt.NDArray[np.generic]]:
    """IAQI per daily indicator, AQI, level, primary/exceeding/missing for flat (n,) daily arrays.

    Rows are scored under their own rule set (``standards``). O3 8-h > 800: the O3 1-h IAQI stands
    in (2012) or 300 (2026, U2). O3 1-h under 2026 per U3. Missing indicators per U6; ``ratio_valid``
    per U8.
    """
    keys = T.DAILY_INDICATORS
    n = len(standards)
    mat = np.full((n, len(keys)), np.nan)
    over800 = np.zeros(n, dtype=bool)
    required = np.ones((n, len(keys)), dtype=bool)
    for rs in T.RULE_SETS:
        rows = standards == rs
        if not rows.any():
            continue
        all_rows = bool(rows.all())
        for j, key in enumerate(keys):
            x = daily[key] if all_rows else daily[key][rows]
            vals, flags = iaqi(key, x, rs, assumptions=assumptions)
            if key == "O3_8h":
                hit = (flags & 16) > 0  # IAQIFlag.ABOVE_800
                over800[rows] = hit
            mat[rows, j] = vals
        if rs == T.HJ633_2026 and not assumptions.daily_o3_1h_2026:
            j1 = keys.index("O3_1h")
            substitute = rows & over800 & np.isnan(mat[:, keys.index("O3_8h")])
            mat[rows & ~substitute, j1] = np.nan
            required[rows & ~substitute, j1] = False
    required[over800 & np.isnan(mat[:, keys.index("O3_8h")]), keys.index("O3_8h")] = False
    c = combine(mat, required, assumptions)
    out: dict[str, npt.NDArray[np.generic]] = {f"iaqi_{k}": mat[:, j] for j, k in enumerate(keys)}
    complete = c.missing_bits == 0
    present = ~np.isnan(c.aqi)
    if assumptions.ratio_day == "all_six_or_exceeding":
        ratio_valid = present & (complete | (c.aqi > T.EXCEEDING_ABOVE))
    else:
        ratio_valid = present
    out.update(
        aqi=c.aqi,
        level=c.level,
        primary=bits_to_names(c.primary_bits, keys),
        exceeding=bits_to_names(c.exceeding_bits, keys),
        missing=bits_to_names(c.missing_bits, keys),
        complete=complete,
        ratio_valid=ratio_valid,
    )
    return out


def _reject(frame: pd.DataFrame, mask: BoolArray, field: str, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"row": frame.index[mask], "field": field, "reason": reason},
        columns=["row", "field", "reason"],
    )


def _end_of_hour_seconds(time: pd.Series) -> tuple[npt.NDArray[np.int64], BoolArray]:
    t = pd.to_datetime(time)
    if getattr(t.dt, "tz", None) is None:
        raise ValueError("time: must be tz-aware (the END of each hour); got naive timestamps")
    naive = t.dt.tz_convert("UTC").dt.tz_localize(None)
    nat = naive.isna().to_numpy()
    secs = naive.to_numpy(dtype="datetime64[s]").astype(np.int64)
    return np.where(nat, 0, secs), nat


def daily_values(
    hourly: pd.DataFrame,
    *,
    standard: str | None = None,
    assumptions: Assumptions = DEFAULT,
) -> pd.DataFrame:
    """One row per station and natural CST day from hourly rows (GB 3095 表4, HJ 663, HJ 633).

    ``hourly``: wide rows ``station, time`` (tz-aware END of hour) and any of ``SO2, NO2, PM10,
    PM25, CO, O3`` (µg/m³; CO mg/m³). Out: ``station, date`` (CST calendar day, naive midnight),
    ``standard`` (per day unless forced), the seven daily concentrations (NaN = not valid),
    ``valid_<indicator>``, hour/window counts ``n_*``, ``iaqi_<indicator>``, ``aqi`` (NaN =
    missing), ``level`` (0 = missing), ``category_zh``, ``category_en``, ``primary``,
    ``exceeding``, ``missing`` (comma-joined indicator keys), ``complete``, ``ratio_valid``.

    Rows that cannot be placed (no station, no/naive-free NaT time, time not on the hour, duplicate
    station-hour) and negative values are listed in ``result.attrs["rejected"]`` (row index, field,
    reason); they never enter a mean.
    """
    for col in ("station", "time"):
        if col not in hourly.columns:
            raise ValueError(f"{col}: required column missing from the hourly frame")
    secs, nat = _end_of_hour_seconds(hourly["time"])
    local = secs + _CST_OFFSET_S - _SECONDS_PER_HOUR  # start of the hour, CST
    off_hour = ~nat & (secs % _SECONDS_PER_HOUR != 0)
    no_station = hourly["station"].isna().to_numpy()
    bad = nat | off_hour | no_station
    rejected = [
        _reject(hourly, nat, "time", "missing or unparseable time"),
        _reject(
            hourly, off_hour, "time", "not on the hour (hourly values are labelled by hour end)"
        ),
        _reject(hourly, no_station, "station", "missing station code"),
    ]
    # Factorise the whole column (fast on categoricals), then keep the placeable rows.
    all_codes, stations = pd.factorize(hourly["station"], sort=True)
    s = len(stations)
    day_all = local // 86400
    d0 = int(day_all[~bad].min()) if (~bad).any() else 0
    n_days = int(day_all[~bad].max()) - d0 + 1 if (~bad).any() else 0
    cell = np.where(
        bad, -1, all_codes.astype(np.int64) * n_days * 24 + (local - d0 * 86400) // 3600
    )
    # Duplicate station-hours: the first row wins (reverse assignment leaves the first index).
    first = np.full(s * n_days * 24, -1, dtype=np.int64)
    rows = np.flatnonzero(~bad)
    first[cell[rows[::-1]]] = rows[::-1]
    dup = np.zeros(len(hourly), dtype=bool)
    dup[rows] = first[cell[rows]] != rows
    rejected.append(_reject(hourly, dup, "time", "duplicate station-hour (first kept)"))
    keep = ~(bad | dup)
    codes = all_codes[keep]
    day = day_all[keep]
    flat_hour = (day - d0) * 24 + (local[keep] % 86400) // _SECONDS_PER_HOUR

    arrays: dict[str, FloatArray] = {}
    for p in POLLUTANTS:
        if p not in hourly.columns:
            continue
        v = pd.to_numeric(hourly[p], errors="coerce").to_numpy(dtype=np.float64)
        nonnum = hourly[p].notna().to_numpy() & np.isnan(v)
        neg = v < 0
        rejected.append(_reject(hourly, nonnum, p, "not a number"))
        rejected.append(_reject(hourly, neg, p, "negative concentration"))
        v = np.where(neg, np.nan, v)[keep]
        a = np.full((s, n_days * 24), np.nan)
        a[codes, flat_hour] = v
        arrays[p] = a
    if not arrays:
        arrays["SO2"] = np.full((s, n_days * 24), np.nan)

    daily = daily_arrays(arrays, assumptions)
    has_row = np.zeros((s, n_days), dtype=bool)
    has_row[codes, day - d0] = True
    out = station_days_frame(
        daily, has_row, stations, d0, standard=standard, assumptions=assumptions
    )
    out.attrs["rejected"] = pd.concat(rejected, ignore_index=True)
    return out


def station_days_frame(
    daily: Mapping[str, npt.NDArray[np.generic]],
    has_row: BoolArray,
    stations: npt.ArrayLike,
    first_day: int,
    *,
    standard: str | None = None,
    assumptions: Assumptions = DEFAULT,
) -> pd.DataFrame:
    """The :func:`daily_values` frame from :func:`daily_arrays` output (stations, days) arrays:
    one scored row per station-day where ``has_row`` (the station had any accepted hour that day).

    ``stations``: the labels of the first axis; ``first_day``: the CST day number (days since
    1970-01-01) of the second axis' first column.
    """
    s, n_days = has_row.shape
    labels = np.asarray(stations, dtype=object)
    sel = has_row.ravel()
    flat = {k: np.asarray(v).reshape(-1)[sel] for k, v in daily.items()}
    day_numbers = (
        (np.arange(n_days, dtype=np.int64)[None, :] + first_day).repeat(s, axis=0).ravel()[sel]
    )
    st_codes = np.arange(s).repeat(n_days)[sel]
    rs = standards_for_days(day_numbers, standard)
    scored = score_days(flat, rs, assumptions)

    out = pd.DataFrame(
        {
            "station": labels[st_codes],
            "date": day_numbers.astype("datetime64[D]").astype("datetime64[s]"),
            "standard": rs.astype(object),
        }
    )
    for k in T.DAILY_INDICATORS:
        out[k] = flat[k]
    for k in T.DAILY_INDICATORS:
        out[f"valid_{k}"] = ~np.isnan(flat[k])
    for k in (*[f"n_{p}" for p in POLLUTANTS], "n_O3_8h_windows"):
        out[k] = flat[k]
    for k, v in scored.items():
        out[k] = v
    level = np.asarray(scored["level"])
    zh = np.array([None, *(lv.category_zh for lv in T.AQI_LEVELS)], dtype=object)
    en = np.array([None, *(lv.category_en for lv in T.AQI_LEVELS)], dtype=object)
    out["category_zh"] = zh[level]
    out["category_en"] = en[level]
    return out


def _round_district(values: FloatArray, indicator: str, assumptions: Assumptions) -> FloatArray:
    if assumptions.district_mean_rounding == "none":
        return values

    return round_half_even(values, T.PREROUND_DECIMALS[indicator.split("_", 1)[0]])


def district_daily(
    station_daily: pd.DataFrame,
    station_district: Mapping[str, str] | pd.Series,
    *,
    hourly: pd.DataFrame | None = None,
    standard: str | None = None,
    assumptions: Assumptions = DEFAULT,
) -> pd.DataFrame:
    """A district's (or the city's) day: per pollutant the arithmetic mean of the valid station daily
    concentrations, then IAQI and AQI (never a mean of station AQIs; docs/standards.md §2.3).

    ``station_daily``: output of :func:`daily_values`. ``station_district``: station -> district
    (map every station to one name for the city). Stations without a district are left out and
    listed in ``result.attrs["unmapped"]``. Out: ``district, date, standard``, the seven means,
    ``n_<indicator>`` (stations that contributed), ``stations`` (count with any valid value), then
    the same IAQI/AQI columns as :func:`daily_values`. U7: with ``district_o3_order ==
    "mda8_of_mean_hourly"`` the O3 8-h comes from the district-mean hourly series (``hourly``
    required). Rounding of the means: ``district_mean_rounding`` (U5).
    """
    mapping = pd.Series(station_district, dtype=object)
    frame = station_daily.copy()
    frame["district"] = frame["station"].map(mapping)
    unmapped = sorted(frame.loc[frame["district"].isna(), "station"].astype(str).unique())
    frame = frame[frame["district"].notna()]
    keys = list(T.DAILY_INDICATORS)
    grouped = frame.groupby(["district", "date"], sort=True)[keys]
    means = grouped.mean()
    counts = grouped.count().add_prefix("n_")
    any_valid = frame[keys].notna().any(axis=1).groupby([frame["district"], frame["date"]]).sum()
    out = pd.concat([means, counts], axis=1)
    out["stations"] = any_valid
    out = out.reset_index()

    if assumptions.district_o3_order == "mda8_of_mean_hourly":
        if hourly is None:
            raise ValueError("hourly: required when district_o3_order='mda8_of_mean_hourly' (U7)")
        h = hourly.assign(district=hourly["station"].map(mapping)).dropna(subset=["district"])
        h_mean = pd.DataFrame(h.groupby(["district", "time"])["O3"].mean()).reset_index()
        d8 = daily_values(h_mean.rename(columns={"district": "station"}), assumptions=assumptions)
        o3 = d8.set_index(["station", "date"])["O3_8h"]
        idx = pd.MultiIndex.from_frame(out[["district", "date"]])
        out["O3_8h"] = o3.reindex(idx).to_numpy()

    for k in keys:
        out[k] = _round_district(out[k].to_numpy(dtype=np.float64), k, assumptions)
    dates = out["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    rs = standards_for_days(dates, standard)
    out.insert(2, "standard", rs.astype(object))
    scored = score_days({k: out[k].to_numpy(dtype=np.float64) for k in keys}, rs, assumptions)
    for k, v in scored.items():
        out[k] = v
    level = np.asarray(scored["level"])
    out["category_zh"] = np.array([None, *(lv.category_zh for lv in T.AQI_LEVELS)], dtype=object)[
        level
    ]
    out["category_en"] = np.array([None, *(lv.category_en for lv in T.AQI_LEVELS)], dtype=object)[
        level
    ]
    out.attrs["unmapped"] = unmapped
    return out
