"""HJ 663 assessment statistics (环境空气质量评价) for any set of series and any period, vectorised.

A *series* is one station, one district or the city: its daily values (HJ 633 日报 indicators,
NaN = not valid) over consecutive CST days. Everything here works on (series, days) arrays at
once, so the national year (1,700 stations x 365 days) is a handful of numpy passes.

What is computed, per series (docs/assessment.md):
- the six statistics: SO2, NO2, PM10, PM2.5 means; CO 24-h 95th and O3 MDA8 90th percentiles by
  HJ 663's own percentile rule (:func:`hj663_percentile`); with the days used, the days required
  (324 a year, 27 a month, 25 in February) and whether they suffice;
- the limits they are judged by (GB 3095 edition in force, 表1) and whether each is met;
- the composite index (综合指数) with each pollutant's sub-index and share;
- exceedance days (超标天数) per daily indicator, judged day by day against the edition in force;
- the excellent/good-day ratio, the days lost to PM2.5, O3, both and others per month, the ratio
  without ozone, and the ozone-season (April-September) view.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from stations.standards import assessment_tables as AT
from stations.standards import tables as T
from stations.standards.aqi import round_half_even
from stations.standards.assumptions import DEFAULT, Assumptions
from stations.standards.validity import score_days, standards_for_days

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_EPOCH: Final = dt.date(1970, 1, 1)
#: Day classes of the co-control view, in reporting order.
LOST_CLASSES: Final = ("PM25", "O3", "PM25_O3", "other")
_O3_KEYS: Final = ("O3_8h", "O3_1h")


# ------------------------------------------------------------------------------ percentile ---


def hj663_percentile(values: npt.ArrayLike, p: int, axis: int = -1) -> FloatArray:
    """The p-th percentile of each series along ``axis`` by HJ 663-2013 附录A (NaN = not valid).

    Sort the n valid values ascending, X(1) <= ... <= X(n); k = 1 + (n - 1) x p %; s = the whole
    part of k; m_p = X(s) + (X(s+1) - X(s)) x (k - s). The position k is computed in integers
    ((n - 1) x p is split into whole and hundredths), so no float error moves k across a value.
    NaN where a series has no valid value. Example: {3, 4, 8, 2, 5, 4}, p = 90: sorted 2 3 4 4 5 8,
    k = 5.5, m = 5 + (8 - 5) x 0.5 = 6.5.
    """
    if not isinstance(p, int | np.integer) or not 0 <= p <= 100:
        raise ValueError(f"p: percentile rank must be a whole number 0..100, got {p!r}")
    x = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    x = np.sort(x, axis=-1)  # NaN sorts last
    n = np.count_nonzero(~np.isnan(x), axis=-1).astype(np.int64)
    pos = np.maximum(n - 1, 0) * int(p)  # (k - 1) x 100
    s = 1 + pos // 100  # whole part of k (1-based)
    frac = (pos % 100) / 100.0
    lo = np.clip(s - 1, 0, None)
    hi = np.clip(np.minimum(s, n - 1), 0, None)
    x_lo = np.take_along_axis(x, lo[..., None], axis=-1)[..., 0]
    x_hi = np.take_along_axis(x, hi[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore"):
        m = np.where(frac > 0, x_lo + (x_hi - x_lo) * frac, x_lo)
    return np.where(n > 0, m, np.nan)


# ------------------------------------------------------------------------------ sufficiency ---


@dataclass(frozen=True, slots=True)
class Months:
    """The calendar months a day range touches: ``labels`` YYYY-MM, days covered, days required
    (HJ 663 / GB 3095 表4, per ``partial_month_rule``), and each day's month index."""

    labels: tuple[str, ...]
    month_numbers: IntArray
    covered: IntArray
    required: IntArray
    day_month: IntArray

    @property
    def starts(self) -> IntArray:
        """Index of each month's first day (days run in order, so months are contiguous)."""
        return np.concatenate([[0], np.cumsum(self.covered)[:-1]]).astype(np.int64)

    def count(self, mask: BoolArray) -> IntArray:
        """(series, months) counts of a (series, days) mask: one ``add.reduceat`` pass."""
        return np.add.reduceat(mask, self.starts, axis=1, dtype=np.int64)


def months_of(start: dt.date, n_days: int, assumptions: Assumptions = DEFAULT) -> Months:
    """The months of ``start .. start + n_days - 1`` and the valid days each needs: 27 (25 in
    February) for a whole month; a part-month may miss as many days as the whole month may
    (A6 ``allowed_missing``) or needs the whole-month minimum (``full_minimum``)."""
    days = [start + dt.timedelta(days=i) for i in range(n_days)]
    keys: list[tuple[int, int]] = []
    index: dict[tuple[int, int], int] = {}
    day_month = np.empty(n_days, dtype=np.int64)
    for i, d in enumerate(days):
        key = (d.year, d.month)
        if key not in index:
            index[key] = len(keys)
            keys.append(key)
        day_month[i] = index[key]
    covered = np.bincount(day_month, minlength=len(keys)).astype(np.int64)
    required = np.empty(len(keys), dtype=np.int64)
    for j, (y, m) in enumerate(keys):
        full = (dt.date(y + m // 12, m % 12 + 1, 1) - dt.date(y, m, 1)).days
        minimum = AT.MIN_DAYS_FEBRUARY if m == 2 else AT.MIN_DAYS_MONTH
        if covered[j] == full or assumptions.partial_month_rule == "full_minimum":
            required[j] = minimum
        else:
            required[j] = max(0, int(covered[j]) - (full - minimum))
    return Months(
        labels=tuple(f"{y:04d}-{m:02d}" for y, m in keys),
        month_numbers=np.array([m for _, m in keys], dtype=np.int64),
        covered=covered,
        required=required,
        day_month=day_month,
    )


def _is_whole_year(start: dt.date, n_days: int) -> bool:
    end = start + dt.timedelta(days=n_days - 1)
    return start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31)


# ------------------------------------------------------------------------------ group means ---


def group_means(
    values: npt.ArrayLike, groups: Sequence[str]
) -> tuple[tuple[str, ...], FloatArray, IntArray]:
    """District / city daily values from station daily values (docs/standards.md §2.3): per group and
    day the arithmetic mean of the valid station values. ``values``: (stations, days); ``groups``:
    one label per station. Returns the group labels (sorted), the (groups, days) means (NaN where no
    station is valid) and the (groups, days) station counts. One matrix product, no loop per day."""
    x = np.asarray(values, dtype=np.float64)
    labels = tuple(sorted(set(groups)))
    pos = {g: i for i, g in enumerate(labels)}
    w = np.zeros((len(labels), x.shape[0]))
    w[[pos[g] for g in groups], np.arange(x.shape[0])] = 1.0
    valid = ~np.isnan(x)
    sums = w @ np.where(valid, x, 0.0)
    counts = (w @ valid.astype(np.float64)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return labels, means, counts


# ------------------------------------------------------------------------------ editions ---


def editions_for_days(day_numbers: npt.ArrayLike, standard: str | None = None) -> IntArray:
    """Index into ``AT.EDITIONS`` of the GB 3095 edition in force on each day (days since
    1970-01-01, CST). A forced HJ 633 rule set forces the matching edition: HJ633-2012 ->
    GB 3095-2012 on every day; HJ633-2026 -> at least the 2026 transition limits."""
    dn = np.asarray(day_numbers, dtype=np.int64)
    t = (AT.EDITION_START[AT.GB3095_2026_TRANSITION] - _EPOCH).days
    f = (AT.EDITION_START[AT.GB3095_2026_FINAL] - _EPOCH).days
    idx = (dn >= t).astype(np.int64) + (dn >= f).astype(np.int64)
    if standard is not None:
        rs = T.normalise_standard(standard)
        idx = np.zeros_like(idx) if rs == T.HJ633_2012 else np.maximum(idx, 1)
    return idx


def _limit_table(pollutant: str, averaging: str, grade: int) -> FloatArray:
    return np.array([AT.limit(pollutant, averaging, e, grade) for e in AT.EDITIONS])


# ------------------------------------------------------------------------------ the result ---


@dataclass(slots=True)
class Assessment:
    """Assessment arrays for N series over one period. Every (N,) or (N, months) array is indexed
    by series; ``Assessment.as_json(i)`` gives one series as plain JSON."""

    series: tuple[str, ...]
    start: dt.date
    end: dt.date
    months: Months
    whole_year: bool
    required_days: int
    standards: tuple[str, ...]
    editions: tuple[str, ...]
    limit_edition: str
    composite_edition: str
    value: dict[str, FloatArray]
    published: dict[str, FloatArray]
    n_days: dict[str, IntArray]
    month_days: dict[str, IntArray]
    sufficient: dict[str, BoolArray]
    limits: dict[str, float]
    meets: dict[str, BoolArray]
    sub_index: dict[str, FloatArray]
    composite_index: FloatArray
    share: dict[str, FloatArray]
    exceedance_days: dict[str, IntArray]
    exceedance_month: dict[str, IntArray]
    day_counts: dict[str, IntArray]
    day_counts_month: dict[str, IntArray]
    season: dict[str, Any]
    assumptions: Assumptions = field(repr=False, default=DEFAULT)

    def index_of(self, series: str) -> int:
        """Position of a series label; ``KeyError`` naming it when absent."""
        try:
            return self.series.index(series)
        except ValueError:
            raise KeyError(f"series: {series!r} not assessed") from None

    def as_json(self, i: int) -> dict[str, Any]:
        """One series: ``statistics`` (the six values and ``composite_index``, with ``sufficiency``
        per statistic), ``published`` values, ``limits``, ``composite``, ``exceedance_days``,
        ``days`` (ratio and co-control counts), ``monthly`` and ``ozone_season``."""
        stats = self._statistics(i)
        counts = {k: int(v[i]) for k, v in self.day_counts.items()}
        valid = counts["valid"]
        return {
            "series": self.series[i],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "calendar_days": (self.end - self.start).days + 1,
            "standards": list(self.standards),
            "editions": list(self.editions),
            "limit_edition": self.limit_edition,
            "statistics": stats,
            "published": {
                k: _num(self.published[k][i], AT.PUBLISH_DECIMALS[k]) for k in AT.STATISTICS
            },
            "limits": {
                k: {"limit": self.limits[k], "meets": bool(self.meets[k][i])}
                if not math.isnan(self.value[k][i])
                else {"limit": self.limits[k], "meets": None}
                for k in AT.STATISTICS
            },
            "composite": {
                "edition": self.composite_edition,
                "index": _num(self.composite_index[i], AT.INDEX_DECIMALS),
                "sub_index": {
                    k: _num(self.sub_index[k][i], AT.INDEX_DECIMALS) for k in AT.COMPOSITE_ITEMS
                },
                "share": {k: _num(self.share[k][i], 4) for k in AT.COMPOSITE_ITEMS},
                "largest": _largest(self.sub_index, i),
            },
            "exceedance_days": {k: int(v[i]) for k, v in self.exceedance_days.items()},
            "days": {
                **counts,
                "excellent_good_ratio": _ratio(counts["excellent_good"], valid),
                "ratio_without_o3": _ratio(counts["good_without_o3"], valid),
            },
            "monthly": [
                {
                    "month": m,
                    **{k: int(v[i, j]) for k, v in self.day_counts_month.items()},
                    "exceedance_days": {k: int(v[i, j]) for k, v in self.exceedance_month.items()},
                }
                for j, m in enumerate(self.months.labels)
            ],
            "ozone_season": self._ozone_season(i),
        }

    def _statistics(self, i: int) -> dict[str, Any]:
        """Series ``i``'s six statistics (withheld when insufficient, by the assumption), the
        composite index, and each statistic's sufficiency with the months short of days."""
        a = self.assumptions
        stats: dict[str, Any] = {}
        for k in AT.STATISTICS:
            withheld = a.insufficient == "withhold" and not self.sufficient[k][i]
            stats[k] = None if withheld else _num(self.value[k][i])
        stats["composite_index"] = _num(self.composite_index[i], AT.INDEX_DECIMALS)
        stats["sufficiency"] = {
            k: {
                "days": int(self.n_days[k][i]),
                "required": self.required_days,
                "sufficient": bool(self.sufficient[k][i]),
                "months_short": [
                    {"month": m, "days": int(self.month_days[k][i, j]), "required": int(r)}
                    for j, (m, r) in enumerate(
                        zip(self.months.labels, self.months.required, strict=True)
                    )
                    if self.month_days[k][i, j] < r
                ],
            }
            for k in AT.STATISTICS
        }
        return stats

    def _ozone_season(self, i: int) -> dict[str, Any]:
        """Series ``i`` over the ozone season's months."""
        season, valid = self.season, int(self.season["valid"][i])
        return {
            "months": list(self.assumptions.ozone_season_months),
            "days": int(season["days"]),
            "valid": valid,
            "O3_8h_p90": _num(season["O3_8h_p90"][i]),
            "O3_8h_exceedance_days": int(season["O3_8h_exceedance"][i]),
            "lost_to_O3": int(season["lost_O3"][i]),
            "lost_to_PM25_O3": int(season["lost_PM25_O3"][i]),
            "excellent_good_ratio": _ratio(int(season["excellent_good"][i]), valid),
            "ratio_without_o3": _ratio(int(season["good_without_o3"][i]), valid),
        }


def _num(x: float, decimals: int | None = None) -> float | None:
    f = float(x)
    if math.isnan(f):
        return None
    return round(f, decimals) if decimals is not None else f


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _largest(sub: Mapping[str, FloatArray], i: int) -> str | None:
    vals = {k: float(v[i]) for k, v in sub.items() if not math.isnan(float(v[i]))}
    return max(vals, key=lambda k: vals[k]) if len(vals) == len(sub) else None


# ------------------------------------------------------------------------------ assess ---


@dataclass(frozen=True, slots=True)
class _Statistics:
    """The six HJ 663 statistics of each series, their day counts, sufficiency and verdicts."""

    value: dict[str, FloatArray]
    published: dict[str, FloatArray]
    n_days: dict[str, IntArray]
    month_days: dict[str, IntArray]
    sufficient: dict[str, BoolArray]
    limits: dict[str, float]
    meets: dict[str, BoolArray]


def _statistics(
    x: Mapping[str, FloatArray],
    months: Months,
    required_total: int,
    limit_ed: str,
    a: Assumptions,
) -> _Statistics:
    """The six statistics, their day counts and sufficiency, judged against ``limit_ed``."""
    st = _Statistics({}, {}, {}, {}, {}, {}, {})
    for key, (indicator, rank, pollutant, averaging) in AT.STATISTICS.items():
        v = x[indicator]
        valid = ~np.isnan(v)
        per_month = months.count(valid)
        cnt = per_month.sum(axis=1)
        if rank is None:
            with np.errstate(invalid="ignore", divide="ignore"):
                stat = np.where(
                    cnt > 0, np.where(valid, v, 0.0).sum(axis=1) / np.maximum(cnt, 1), np.nan
                )
        else:
            stat = hj663_percentile(v, int(rank), axis=1)
        ok = (per_month >= months.required[None, :]).all(axis=1) & (cnt >= required_total)
        st.value[key] = stat
        st.published[key] = round_half_even(stat, AT.PUBLISH_DECIMALS[key])
        st.n_days[key] = cnt
        st.month_days[key] = per_month
        st.sufficient[key] = ok
        st.limits[key] = AT.limit(pollutant, averaging, limit_ed, a.limit_grade)
        judged = stat if a.exceedance_compare == "full" else st.published[key]
        with np.errstate(invalid="ignore"):
            st.meets[key] = judged <= st.limits[key]
    return st


def _composite(
    st: _Statistics, composite_edition: str, a: Assumptions
) -> tuple[dict[str, FloatArray], FloatArray, dict[str, FloatArray]]:
    """Composite index Σ C_i / S_i (二级 limits of ``composite_edition``): the sub-indices, the
    index and each item's share of it."""
    sub_index: dict[str, FloatArray] = {}
    for key in AT.COMPOSITE_ITEMS:
        _, _, pollutant, averaging = AT.STATISTICS[key]
        s_i = AT.limit(pollutant, averaging, composite_edition, AT.COMPOSITE_GRADE)
        c_i = st.published[key] if a.index_from_rounded else st.value[key]
        sub_index[key] = c_i / s_i
    composite = np.sum(np.stack([sub_index[k] for k in AT.COMPOSITE_ITEMS]), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = {k: sub_index[k] / composite for k in AT.COMPOSITE_ITEMS}
    return sub_index, composite, share


def _exceedances(
    x: Mapping[str, FloatArray], ed_idx: IntArray, a: Assumptions
) -> dict[str, BoolArray]:
    """Exceedance days, day by day against the edition in force."""
    exceed: dict[str, BoolArray] = {}
    for indicator, (pollutant, averaging) in AT.EXCEEDANCE_INDICATORS.items():
        lim = _limit_table(pollutant, averaging, a.limit_grade)[ed_idx]
        v = x[indicator]
        if a.exceedance_compare == "rounded":
            v = round_half_even(v, T.PREROUND_DECIMALS[pollutant])
        with np.errstate(invalid="ignore"):
            exceed[indicator] = v > lim[None, :]
    return exceed


def _ozone_season(
    x: Mapping[str, FloatArray],
    months: Months,
    exceed: Mapping[str, BoolArray],
    classes: Mapping[str, BoolArray],
    a: Assumptions,
) -> dict[str, Any]:
    """Ozone season (A10): the period's days inside the season and their O3 figures."""
    in_season = np.isin(months.month_numbers[months.day_month], np.asarray(a.ozone_season_months))
    o3_season = np.where(in_season[None, :], x["O3_8h"], np.nan)
    return {
        "days": int(in_season.sum()),
        "O3_8h_p90": hj663_percentile(o3_season, 90, axis=1),
        "O3_8h_exceedance": (exceed["O3_8h"] & in_season[None, :]).sum(axis=1),
        **{
            k: (classes[src] & in_season[None, :]).sum(axis=1)
            for k, src in (
                ("valid", "valid"),
                ("excellent_good", "excellent_good"),
                ("good_without_o3", "good_without_o3"),
                ("lost_O3", "lost_O3"),
                ("lost_PM25_O3", "lost_PM25_O3"),
            )
        },
    }


def _daily_arrays(
    daily: Mapping[str, npt.ArrayLike], series: Sequence[str] | None
) -> tuple[dict[str, FloatArray], tuple[str, ...]]:
    """Every HJ 633 daily indicator as an (N, D) array (all-NaN when missing) and the N labels."""
    first = np.asarray(next(iter(daily.values())), dtype=np.float64)
    if first.ndim == 1:
        first = first[None, :]
    n, d = first.shape
    if d == 0:
        raise ValueError("daily: no day to assess")
    x = {k: _as_2d(daily.get(k), n, d) for k in T.DAILY_INDICATORS}
    labels = tuple(series) if series is not None else tuple(str(i) for i in range(n))
    if len(labels) != n:
        raise ValueError(f"series: {len(labels)} labels for {n} series")
    return x, labels


def _editions(
    day_numbers: IntArray, standard: str | None, composite_edition: str | None, a: Assumptions
) -> tuple[IntArray, str, str]:
    """The GB 3095 edition in force each day (index into ``AT.EDITIONS``), the edition whose
    limits judge the period, and the composite index's edition."""
    ed_idx = editions_for_days(day_numbers, standard)
    limit_ed = AT.EDITIONS[int(ed_idx[-1] if a.period_limit_edition == "end" else ed_idx[0])]
    if composite_edition is None:
        composite_edition = AT.GB3095_2012 if a.composite_limits == "GB3095-2012" else limit_ed
    return ed_idx, limit_ed, composite_edition


def assess(
    daily: Mapping[str, npt.ArrayLike],
    start: dt.date,
    *,
    series: Sequence[str] | None = None,
    standard: str | None = None,
    composite_edition: str | None = None,
    assumptions: Assumptions = DEFAULT,
) -> Assessment:
    """HJ 663 statistics of N series over the consecutive CST days from ``start``.

    ``daily``: (N, D) arrays keyed by HJ 633 daily indicators (``SO2_24h, NO2_24h, PM10_24h,
    CO_24h, O3_8h, O3_1h, PM25_24h``; µg/m³, CO mg/m³; NaN = no valid daily value). A missing key
    is all-NaN. ``standard`` forces the HJ 633 rule set (and the matching GB 3095 edition);
    ``composite_edition`` forces the composite index's limits (like-for-like 同比, A11).
    """
    a = assumptions
    x, labels = _daily_arrays(daily, series)
    n, d = x["O3_8h"].shape
    day_numbers = (start - _EPOCH).days + np.arange(d, dtype=np.int64)
    months = months_of(start, d, a)
    whole_year = _is_whole_year(start, d)
    required_total = AT.MIN_DAYS_YEAR if whole_year else int(months.required.sum())
    ed_idx, limit_ed, composite_edition = _editions(day_numbers, standard, composite_edition, a)
    st = _statistics(x, months, required_total, limit_ed, a)
    sub_index, composite, share = _composite(st, composite_edition, a)
    exceed = _exceedances(x, ed_idx, a)
    exceedance_month = {k: months.count(m) for k, m in exceed.items()}
    # Day classes: HJ 633 daily AQI, the ratio, and what made a day non-good.
    classes = _day_classes(x, day_numbers, n, d, standard, a)
    day_counts_month = {k: months.count(m) for k, m in classes.items()}
    return Assessment(
        series=labels,
        start=start,
        end=start + dt.timedelta(days=d - 1),
        months=months,
        whole_year=whole_year,
        required_days=required_total,
        standards=tuple(sorted(set(_rule_sets(day_numbers, standard)))),
        editions=tuple(AT.EDITIONS[i] for i in sorted(set(ed_idx.tolist()))),
        limit_edition=limit_ed,
        composite_edition=composite_edition,
        value=st.value,
        published=st.published,
        n_days=st.n_days,
        month_days=st.month_days,
        sufficient=st.sufficient,
        limits=st.limits,
        meets=st.meets,
        sub_index=sub_index,
        composite_index=composite,
        share=share,
        exceedance_days={k: m.sum(axis=1) for k, m in exceedance_month.items()},
        exceedance_month=exceedance_month,
        day_counts={k: m.sum(axis=1) for k, m in day_counts_month.items()},
        day_counts_month=day_counts_month,
        season=_ozone_season(x, months, exceed, classes, a),
        assumptions=a,
    )


def _as_2d(v: npt.ArrayLike | None, n: int, d: int) -> FloatArray:
    if v is None:
        return np.full((n, d), np.nan)
    arr = np.asarray(v, dtype=np.float64)
    if arr.shape != (n, d):
        arr = arr.reshape(n, d)
    return arr


def _rule_sets(day_numbers: IntArray, standard: str | None) -> list[str]:
    return [str(s) for s in np.unique(standards_for_days(day_numbers, standard))]


def _day_classes(
    x: Mapping[str, FloatArray],
    day_numbers: IntArray,
    n: int,
    d: int,
    standard: str | None,
    a: Assumptions,
) -> dict[str, BoolArray]:
    """Per (series, day): counted in the ratio, excellent, excellent/good, non-good, lost to PM2.5
    only / O3 only / both / other (A9), and good without ozone (A8)."""
    rs = np.tile(standards_for_days(day_numbers, standard), n)
    scored = score_days({k: x[k].reshape(-1) for k in T.DAILY_INDICATORS}, rs, a)
    aqi = np.asarray(scored["aqi"], dtype=np.float64).reshape(n, d)
    iq = {
        k: np.asarray(scored[f"iaqi_{k}"], dtype=np.float64).reshape(n, d)
        for k in T.DAILY_INDICATORS
    }
    counted = np.asarray(scored["ratio_valid"], dtype=bool).reshape(n, d) & ~np.isnan(aqi)
    with np.errstate(invalid="ignore"):
        good = counted & (aqi <= T.EXCELLENT_GOOD_MAX)
        excellent = counted & (aqi <= T.EXCELLENT_MAX)
        nongood = counted & (aqi > T.EXCELLENT_GOOD_MAX)
        if a.lost_day_rule == "exceeding":
            pm = iq["PM25_24h"] > T.EXCEEDING_ABOVE
            o3 = (iq["O3_8h"] > T.EXCEEDING_ABOVE) | (iq["O3_1h"] > T.EXCEEDING_ABOVE)
        else:
            pm = iq["PM25_24h"] == aqi
            o3 = (iq["O3_8h"] == aqi) | (iq["O3_1h"] == aqi)
        others = [k for k in T.DAILY_INDICATORS if k not in _O3_KEYS]
        other_max = np.max(np.stack([np.nan_to_num(iq[k], nan=-1.0) for k in others]), axis=0)
        if a.ratio_without_o3 == "o3_only_days_good":
            o3_forgiven = nongood & (other_max <= T.EXCEEDING_ABOVE)
        else:
            o3_forgiven = nongood & ((iq["O3_8h"] == aqi) | (iq["O3_1h"] == aqi))
    return {
        "valid": counted,
        "excellent": excellent,
        "excellent_good": good,
        "non_good": nongood,
        "lost_PM25": nongood & pm & ~o3,
        "lost_O3": nongood & o3 & ~pm,
        "lost_PM25_O3": nongood & pm & o3,
        "lost_other": nongood & ~pm & ~o3,
        "good_without_o3": good | o3_forgiven,
    }


# ------------------------------------------------------------------------------ comparisons ---

_CHANGE_STATS: Final = (*AT.STATISTICS, "composite_index")


def compare(current: Mapping[str, Any], earlier: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """同比 / 环比 of two ``Assessment.as_json`` series: per statistic the earlier value, the change
    and the change in per cent of the earlier value; per ratio the change in percentage points;
    per exceedance indicator the change in days. None when there is no earlier period."""
    if earlier is None:
        return None
    out: dict[str, Any] = {"start": earlier["start"], "end": earlier["end"], "statistics": {}}
    for k in _CHANGE_STATS:
        cur, old = current["statistics"].get(k), earlier["statistics"].get(k)
        out["statistics"][k] = _change(cur, old)
    out["ratios"] = {
        k: _point_change(current["days"][k], earlier["days"][k])
        for k in ("excellent_good_ratio", "ratio_without_o3")
    }
    out["exceedance_days"] = {
        k: {"earlier": earlier["exceedance_days"][k], "change": v - earlier["exceedance_days"][k]}
        for k, v in current["exceedance_days"].items()
    }
    out["sufficient"] = all(s["sufficient"] for s in earlier["statistics"]["sufficiency"].values())
    return out


def _change(cur: float | None, old: float | None) -> dict[str, float | None]:
    if cur is None or old is None:
        return {"earlier": old, "change": None, "change_percent": None}
    pct = None if old == 0 else (cur - old) / old * 100.0
    return {"earlier": old, "change": cur - old, "change_percent": pct}


def _point_change(cur: float | None, old: float | None) -> dict[str, float | None]:
    if cur is None or old is None:
        return {"earlier": old, "change_points": None}
    return {"earlier": old, "change_points": (cur - old) * 100.0}


def earlier_composite_edition(current: Assessment) -> str | None:
    """The composite edition an earlier period (同比/环比) is assessed with: the current period's
    when ``compare_like_for_like`` (A11), else None (its own)."""
    return current.composite_edition if current.assumptions.compare_like_for_like else None
