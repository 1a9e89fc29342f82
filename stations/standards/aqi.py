"""HJ 633 air-quality index (空气质量指数): IAQI, AQI, level, primary and exceeding pollutants.

Exactness: concentrations are quantised to ``tables.CONC_DECIMALS`` decimals (1e-6 µg/m³, or mg/m³
for CO) and the IAQI of HJ 633 式(1) is then computed in int64 arithmetic, so the rounding up
(向上进位取整) never falls into the float trap (CO 2.2 -> 55, PM2.5 4.9 -> 7). Vectorised: one call
scores a whole array; bad values give a missing IAQI and a flag, never an exception.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from stations.cst import CST
from stations.standards import tables as T
from stations.standards.assumptions import DEFAULT, Assumptions

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
FlagArray = npt.NDArray[np.uint8]


class IAQIFlag(enum.IntFlag):
    """Bits of the per-value flag array returned by :func:`iaqi`."""

    MISSING = 1  # NaN / None / not given
    NEGATIVE = 2  # below zero: not a concentration
    INVALID = 4  # not a number, or infinite
    ABOVE_RANGE = 8  # above the top breakpoint: IAQI capped at 500 (docs/standards.md §1.6)
    ABOVE_800 = 16  # SO2 1-h or O3 8-h above 800: 表1 注(2)(3) / 表3 注b,c applies


class IAQIResult(NamedTuple):
    """``values``: whole-number IAQI as float64, NaN where missing; ``flags``: :class:`IAQIFlag` bits."""

    values: FloatArray
    flags: FlagArray


_SCALE: Final = 10**T.CONC_DECIMALS
_PM_PRIMARY_CODE: Final = {"PM25": "PM25", "PM10": "PM10"}


def _table(indicator: str, standard: str) -> T.Breakpoints:
    key = T.INDICATOR_TABLE_ALIAS.get(indicator, indicator)
    try:
        return T.BREAKPOINTS[standard][key]
    except KeyError:
        known = sorted([*T.BREAKPOINTS[standard], *T.INDICATOR_TABLE_ALIAS])
        raise ValueError(
            f"indicator: unknown {indicator!r}; expected one of {', '.join(known)}"
        ) from None


@functools.lru_cache(maxsize=64)
def _segments(
    bp: T.Breakpoints,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, float]:
    """Per segment, in 1e-6 units as exact float64 integers: search nodes, C_lo, IAQI_lo,
    IAQI_hi - IAQI_lo, C_hi - C_lo; and the top concentration."""
    conc = np.asarray(bp.conc, dtype=np.float64) * _SCALE
    nodes = np.asarray(bp.iaqi, dtype=np.float64)
    return conc, conc[:-1], nodes[:-1], np.diff(nodes), np.diff(conc), float(conc[-1])


def _as_float(values: Any) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Float array of ``values`` and a mask of entries that were not numbers (never raises)."""
    try:
        x = np.asarray(values, dtype=np.float64)
        invalid = np.isinf(x)
    except (TypeError, ValueError):
        obj = np.asarray(values, dtype=object)
        flat = pd.to_numeric(pd.Series(obj.ravel()), errors="coerce").to_numpy(np.float64)
        raw_missing = pd.isna(pd.Series(obj.ravel())).to_numpy()
        x = flat.reshape(obj.shape)
        invalid = (np.isnan(flat) & ~raw_missing).reshape(obj.shape) | np.isinf(x)
    return x, invalid


def quantise(x: FloatArray, decimals: int = T.CONC_DECIMALS) -> IntArray:
    """``x`` in units of 10**-decimals as int64 (NaN and inf must be masked out by the caller)."""
    return np.rint(np.where(np.isfinite(x), x, 0.0) * 10.0**decimals).astype(np.int64)


def round_half_even(x: npt.ArrayLike, decimals: int) -> FloatArray:
    """GB/T 8170 rounding (四舍六入五成双) of ``x`` to ``decimals``, exact on the 1e-6 grid; NaN kept."""
    arr = np.asarray(x, dtype=np.float64)
    q = quantise(arr)
    step = 10 ** (T.CONC_DECIMALS - decimals)
    whole, rem = np.divmod(q, step)
    up = (2 * rem > step) | ((2 * rem == step) & (whole % 2 == 1))
    out = (whole + up).astype(np.float64) / 10.0**decimals
    return np.where(np.isfinite(arr), out, arr)


def _pollutant_code(indicator: str) -> str:
    return indicator.split("_", 1)[0]


def _half_even_quotient(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den`` rounded half to even (HJ 633-2012 read as GB/T 8170 rounding), exactly:
    both are integers held in float64."""
    whole = np.floor(num / den)
    rem2 = 2.0 * (num - whole * den)
    up = (rem2 > den) | ((rem2 == den) & (np.fmod(whole, 2.0) == 1.0))
    return np.asarray(whole + up, dtype=np.float64)


def _flags(
    nan: npt.NDArray[np.bool_],
    negative: npt.NDArray[np.bool_],
    invalid: npt.NDArray[np.bool_],
    above: npt.NDArray[np.bool_],
    above_bit: IAQIFlag,
) -> npt.NDArray[np.uint8]:
    """The IAQI bit flags, built in uint8 (bool arrays viewed as 0/1 bytes): no int64
    temporaries."""
    flags = (nan & ~invalid).view(np.uint8) * np.uint8(IAQIFlag.MISSING)
    flags |= negative.view(np.uint8) * np.uint8(IAQIFlag.NEGATIVE)
    flags |= invalid.view(np.uint8) * np.uint8(IAQIFlag.INVALID)
    flags |= above.view(np.uint8) * np.uint8(above_bit)
    return flags


def iaqi(
    indicator: str,
    values: npt.ArrayLike | Sequence[float | None],
    standard: str | None = None,
    *,
    assumptions: Assumptions = DEFAULT,
) -> IAQIResult:
    """Individual AQI (空气质量分指数) of ``values`` for one indicator, HJ 633 式(1), rounded up.

    ``indicator``: ``SO2_24h, SO2_1h, NO2_24h, NO2_1h, PM10_24h, PM25_24h, CO_24h, CO_1h, O3_1h,
    O3_8h``; ``PM10_1h``/``PM25_1h`` are scored on the 24-h breakpoints. Units µg/m³ (CO mg/m³).
    ``standard``: ``"HJ633-2012"`` or ``"HJ633-2026"``; None = the latest (HJ633-2026).

    Above the top breakpoint: 500 and ``ABOVE_RANGE``. SO2 1-h / O3 8-h above 800: ``ABOVE_800`` and
    NaN under 2012 (the caller substitutes the SO2 24-h / O3 1-h IAQI), 200 / 300 under 2026 (U2).
    Negative, NaN, None or non-numeric: NaN with a flag.
    """
    rs = T.HJ633_2026 if standard is None else T.normalise_standard(standard)
    bp = _table(indicator, rs)
    x, invalid = _as_float(values)
    if rs == T.HJ633_2026 and assumptions.preround_2026:
        x = round_half_even(x, T.PREROUND_DECIMALS[_pollutant_code(indicator)])

    shape = x.shape
    x, invalid = x.reshape(-1), invalid.reshape(-1)
    seg_lo, c_lo, i_lo, di, den, top = _segments(bp)
    # q: the concentration in integer 1e-6 units, held exactly in float64 (< 2**53). Every factor
    # below is an exact integer too, so num/den is correctly rounded and ceil() of it is exact: a
    # non-integer quotient is >= 1/den (>= 6e-10) away from an integer, far above float64's ulp.
    with np.errstate(invalid="ignore", over="ignore"):  # absurd values are capped below
        q = x * float(_SCALE)
        np.rint(q, out=q)
        # Segment = how many interior nodes lie below q (a few compares beat searchsorted's branches).
        seg = np.zeros(q.shape, dtype=np.uint8)
        for node in seg_lo[1:-1]:
            np.add(seg, (q > node).view(np.uint8), out=seg)
        num = q - np.take(c_lo, seg)
        num *= np.take(di, seg)  # in place: fresh 8-byte arrays per step cost more than the maths
        d = np.take(den, seg)
        if rs == T.HJ633_2012 and not assumptions.ceil_2012:
            out = _half_even_quotient(num, d)
        else:
            num /= d
            out = np.ceil(num, out=num)
        out += np.take(i_lo, seg)
        nan = np.isnan(x)
        negative = x < 0
        bad = nan | negative | invalid
        above = ~bad & (q > top)
    nodes = bp.iaqi
    note = T.ABOVE_800_NOTES[rs].get(indicator)
    above_bit = IAQIFlag.ABOVE_800 if note is not None else IAQIFlag.ABOVE_RANGE
    flags = _flags(nan, negative, invalid, above, above_bit)
    if note is not None:
        fixed = note.fixed_iaqi if assumptions.above_800_2026 == "fixed" else None
        np.putmask(out, above, np.nan if fixed is None else float(fixed))
    else:
        np.putmask(out, above, float(nodes[-1]))
    np.putmask(out, bad, np.nan)
    return IAQIResult(out.reshape(shape), flags.reshape(shape))


def iaqi_raw(indicator: str, values: npt.ArrayLike, standard: str | None = None) -> FloatArray:
    """Unrounded IAQI of HJ 633 式(1) in float, for audit and display; NaN where missing or above range."""
    rs = T.HJ633_2026 if standard is None else T.normalise_standard(standard)
    bp = _table(indicator, rs)
    x, invalid = _as_float(values)
    ok = ~invalid & (x >= 0) & (x <= bp.conc[-1])
    out = np.interp(np.where(ok, x, 0.0), bp.conc, bp.iaqi)
    return np.where(ok, out, np.nan)


def aqi_level(aqi: npt.ArrayLike) -> IntArray:
    """HJ 633 表2 level 1..6 of integer AQI values; 0 where the AQI is missing."""
    a = np.asarray(aqi, dtype=np.float64)
    lv = np.searchsorted(np.asarray(T.AQI_LEVEL_UPPER, dtype=np.float64), a, side="left") + 1
    return np.where(np.isnan(a), 0, lv).astype(np.int64)


def level_info(level: int) -> T.AqiLevel:
    """The 表2 row (names, colour) of a level 1..6."""
    return T.AQI_LEVELS[level - 1]


class Combined(NamedTuple):
    """Row-wise AQI of an IAQI matrix (columns = indicators)."""

    aqi: FloatArray
    level: IntArray
    primary_bits: IntArray
    exceeding_bits: IntArray
    missing_bits: IntArray


def combine(
    iaqi_matrix: FloatArray,
    required: npt.NDArray[np.bool_],
    assumptions: Assumptions = DEFAULT,
) -> Combined:
    """AQI = max IAQI (HJ 633 式(2)) row-wise over an (n, k) IAQI matrix, with primary (AQI > 50,
    ties on the integer IAQI all listed), exceeding (IAQI > 100) and missing indicators as bit sets
    over the k columns. ``required``: (k,) or (n, k) mask of indicators a complete row must have.
    The missing-pollutant rule is ``assumptions.missing_pollutant`` (U6).
    """
    m = np.asarray(iaqi_matrix, dtype=np.float64)
    n, k = m.shape
    present = ~np.isnan(m)
    any_present = present.any(axis=1)
    aqi = np.where(any_present, np.max(np.where(present, m, -1.0), axis=1), np.nan)
    weights = (1 << np.arange(k, dtype=np.int64))[None, :]
    missing = np.broadcast_to(required, (n, k)) & ~present
    missing_bits = (missing * weights).sum(axis=1)
    if assumptions.missing_pollutant == "na_unless_exceeding":
        aqi = np.where((missing_bits > 0) & (aqi <= T.EXCEEDING_ABOVE), np.nan, aqi)
    with np.errstate(invalid="ignore"):
        primary = present & (m == aqi[:, None]) & (aqi[:, None] > T.PRIMARY_ABOVE)
        exceeding = present & (m > T.EXCEEDING_ABOVE)
    return Combined(
        aqi=aqi,
        level=aqi_level(aqi),
        primary_bits=(primary * weights).sum(axis=1),
        exceeding_bits=(exceeding * weights).sum(axis=1),
        missing_bits=missing_bits,
    )


def bits_to_names(bits: npt.ArrayLike, names: Sequence[str], sep: str = ",") -> npt.NDArray[Any]:
    """Decode bit sets over ``names`` to ``sep``-joined strings ("" for none), via a lookup table."""
    b = np.asarray(bits, dtype=np.int64)
    lut = np.array(
        [
            sep.join(nm for j, nm in enumerate(names) if code >> j & 1)
            for code in range(1 << len(names))
        ],
        dtype=object,
    )
    return lut[b]


def _names(bits: int, names: Sequence[str]) -> list[str]:
    return [nm for j, nm in enumerate(names) if bits >> j & 1]


@dataclass(frozen=True, slots=True)
class DayAQI:
    """AQI of a day (日报) or an hour (实时报), HJ 633.

    ``iaqi`` holds the integer IAQI of each indicator that was scored; ``primary`` (首要污染物) and
    ``exceeding`` (超标污染物) name indicator keys; ``flags`` are ``"<indicator>:<reason>"`` strings.
    """

    aqi: int | None
    iaqi: dict[str, int]
    level: int | None
    category_zh: str | None
    category_en: str | None
    color: str | None
    primary: list[str]
    exceeding: list[str]
    standard: str
    missing: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every indicator the rule set needs was available."""
        return not self.missing

    @property
    def excellent_good(self) -> bool | None:
        """优良: AQI <= 100; None when the AQI is missing."""
        return None if self.aqi is None else self.aqi <= T.EXCELLENT_GOOD_MAX


_FLAG_NAMES: Final = {
    IAQIFlag.NEGATIVE: "negative",
    IAQIFlag.INVALID: "invalid",
    IAQIFlag.ABOVE_RANGE: "above_range_capped_500",
    IAQIFlag.ABOVE_800: "above_800",
}


def _check_keys(concentrations: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    for key in concentrations:
        if key not in allowed:
            raise ValueError(
                f"concentrations: unknown {what} indicator {key!r}; expected {', '.join(allowed)}"
            )


def _score(
    conc: Mapping[str, float | None], keys: Sequence[str], rs: str, a: Assumptions
) -> tuple[dict[str, float], list[str], dict[str, bool]]:
    vals: dict[str, float] = {}
    flags: list[str] = []
    over800: dict[str, bool] = {}
    for key in keys:
        v, f = iaqi(key, [conc.get(key)], rs, assumptions=a)
        bits = int(f[0])
        over800[key] = bool(bits & IAQIFlag.ABOVE_800)
        flags.extend(f"{key}:{name}" for bit, name in _FLAG_NAMES.items() if bits & bit)
        if not np.isnan(v[0]):
            vals[key] = float(v[0])
    return vals, flags, over800


def _result(
    vals: dict[str, float],
    order: Sequence[str],
    required: Sequence[str],
    rs: str,
    flags: list[str],
    a: Assumptions,
) -> DayAQI:
    m = np.array([[vals.get(k, np.nan) for k in order]], dtype=np.float64)
    req = np.array([k in required for k in order])
    c = combine(m, req, a)
    missing = _names(int(c.missing_bits[0]), order)
    flags = flags + [f"{k}:missing" for k in missing]
    aqi = None if np.isnan(c.aqi[0]) else int(c.aqi[0])
    lv = level_info(int(c.level[0])) if aqi is not None else None
    return DayAQI(
        aqi=aqi,
        iaqi={k: int(vals[k]) for k in order if k in vals},
        level=lv.level if lv else None,
        category_zh=lv.category_zh if lv else None,
        category_en=lv.category_en if lv else None,
        color=lv.color if lv else None,
        primary=_names(int(c.primary_bits[0]), order),
        exceeding=_names(int(c.exceeding_bits[0]), order),
        standard=rs,
        missing=missing,
        flags=flags,
    )


def daily_indicators(standard: str, assumptions: Assumptions = DEFAULT) -> tuple[str, ...]:
    """Indicators of the daily AQI under a rule set (O3 1-h under 2026 per U3)."""
    if standard == T.HJ633_2026 and not assumptions.daily_o3_1h_2026:
        return tuple(k for k in T.DAILY_INDICATORS if k != "O3_1h")
    return T.DAILY_INDICATORS


def day_aqi(
    concentrations: Mapping[str, float | None],
    day: dt.date | None = None,
    standard: str | None = None,
    *,
    assumptions: Assumptions = DEFAULT,
) -> DayAQI:
    """Daily AQI (日报), HJ 633 §5: from ``SO2_24h, NO2_24h, PM10_24h, CO_24h, O3_8h, O3_1h,
    PM25_24h`` (µg/m³; CO mg/m³; O3 as daily max 8-h and max 1-h).

    ``standard`` forces a rule set; else ``day`` (natural day, CST) picks it; with neither, the
    latest rule set, HJ633-2026, which is the one in force today (standards never read the clock).
    O3 8-h above 800: the O3 1-h IAQI stands in (2012) or 300 (2026, U2).
    """
    rs = T.rule_set_for(day, standard)
    _check_keys(concentrations, T.DAILY_INDICATORS, "daily")
    keys = daily_indicators(rs, assumptions)
    vals, flags, over800 = _score(concentrations, keys, rs, assumptions)
    if over800.get("O3_8h") and "O3_8h" not in vals and "O3_1h" not in keys:
        # 2012-style substitution while O3 1-h is otherwise not part of the day (U2 x U3).
        sub, more, _ = _score(concentrations, ["O3_1h"], rs, assumptions)
        vals.update(sub)
        flags += more
        keys = (*keys, "O3_1h")
    required = [k for k in keys if not (k == "O3_8h" and over800.get("O3_8h"))]
    return _result(vals, keys, required, rs, flags, assumptions)


HOURLY_INDICATORS: Final = (
    "SO2_1h",
    "NO2_1h",
    "PM10_1h",
    "PM10_24h",
    "CO_1h",
    "O3_1h",
    "O3_8h",
    "PM25_1h",
    "PM25_24h",
    "SO2_24h",
)

#: Particle inputs of the real-time report per rule set, preferred first (docs/standards.md §1.7):
#: 2012 scores the 24-h moving means, 2026 the 1-h means (on the 24-h breakpoints, §4.2.3).
REALTIME_PM_INPUTS: Final = {
    T.HJ633_2012: {"PM10": ("PM10_24h", "PM10_1h"), "PM25": ("PM25_24h", "PM25_1h")},
    T.HJ633_2026: {"PM10": ("PM10_1h", "PM10_24h"), "PM25": ("PM25_1h", "PM25_24h")},
}


def hour_day(hour: dt.datetime) -> dt.date:
    """The natural CST day an hour labelled by its END belongs to (24:00 -> the previous day)."""
    local = hour.astimezone(CST) if hour.tzinfo is not None else hour
    return (local - dt.timedelta(hours=1)).date()


def hour_aqi(
    concentrations: Mapping[str, float | None],
    hour: dt.datetime | None = None,
    standard: str | None = None,
    *,
    assumptions: Assumptions = DEFAULT,
) -> DayAQI:
    """Real-time AQI (实时报), HJ 633 §5.2, of the hour ending at ``hour``.

    Inputs: ``SO2_1h, NO2_1h, CO_1h, O3_1h`` (required), ``O3_8h`` (scored when given), particles per
    :data:`REALTIME_PM_INPUTS` (2012: ``PM10_24h, PM25_24h`` moving means; 2026: ``PM10_1h,
    PM25_1h``; the other form is used, flagged, when the preferred one is missing) and ``SO2_24h``
    for the SO2 1-h > 800 note (2012: the SO2 24-h IAQI stands in; 2026: 200, U2).
    """
    rs = T.rule_set_for(None if hour is None else hour_day(hour), standard)
    _check_keys(concentrations, HOURLY_INDICATORS, "hourly")

    def given(key: str) -> bool:
        v = concentrations.get(key)
        return v is not None and not (isinstance(v, float) and np.isnan(v))

    keys = ["SO2_1h", "NO2_1h", "CO_1h", "O3_1h", "O3_8h"]
    flags: list[str] = []
    for pol, (first, second) in REALTIME_PM_INPUTS[rs].items():
        use = first if given(first) or not given(second) else second
        if use == second:
            flags.append(f"{pol}:scored_from_{second}")
        keys.append(use)
    vals, more, over800 = _score(concentrations, keys, rs, assumptions)
    flags += more
    if over800.get("SO2_1h") and "SO2_1h" not in vals:
        sub, more, _ = _score(concentrations, ["SO2_24h"], rs, assumptions)
        vals.update(sub)
        flags += more
        keys.append("SO2_24h")
    # O3 8-h is scored when given but not required; a substituted SO2 1-h is not required either.
    required = [k for k in keys if k != "O3_8h" and not (k == "SO2_1h" and "SO2_24h" in keys)]
    return _result(vals, keys, required, rs, flags, assumptions)
