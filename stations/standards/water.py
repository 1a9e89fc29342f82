"""Surface-water class (水质类别), GB 3838-2002 表1 with 地表水环境质量评价办法 (环办〔2011〕22号).

Single-factor evaluation: each of the 21 evaluated items gets the best class whose limit it meets
(shared limits -> the better class), DO as a lower bound, pH outside 6-9 -> 劣Ⅴ ("V+"), TP on the
lake/reservoir (湖库) limits when ``waterbody="lake"``; the section's class is the worst item's. TN
and fecal coliform are classed and reported but never decide. Units mg/L (fecal coliform per L).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from stations.standards import tables as T
from stations.standards.aqi import bits_to_names
from stations.standards.assumptions import DEFAULT, Assumptions

IntArray = npt.NDArray[np.int64]
_V_PLUS: Final = len(T.WATER_CLASSES) - 1
#: Comparisons are made on values rounded to this many decimals (no float trap at a limit).
_DECIMALS: Final = 9


def _limits(item: str, waterbody: str, assumptions: Assumptions) -> T.WaterLimit:
    if item == "TP" and waterbody == "lake":
        return T.GB3838_TP_LAKE
    lim = T.WATER_LIMITS[item]
    if item == "DO" and assumptions.do_class_i_limit != lim.limits[0]:
        return T.WaterLimit(
            "DO", lim.number, "min", (assumptions.do_class_i_limit, *lim.limits[1:]), lim.unit, True
        )
    return lim


def _check_waterbody(waterbody: str) -> None:
    if waterbody not in T.WATERBODIES:
        raise ValueError(f"waterbody: {waterbody!r} is not one of {', '.join(T.WATERBODIES)}")


def item_class(
    item: str, values: npt.ArrayLike, waterbody: str = "river", assumptions: Assumptions = DEFAULT
) -> IntArray:
    """Class index per value (0 = Ⅰ .. 4 = Ⅴ, 5 = 劣Ⅴ; -1 = missing, infinite or negative)."""
    _check_waterbody(waterbody)
    if item not in T.WATER_LIMITS:
        raise ValueError(f"item: unknown {item!r}; expected one of {', '.join(T.WATER_ITEMS)}")
    lim = _limits(item, waterbody, assumptions)
    raw = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(raw) | (raw < 0)
    with np.errstate(over="ignore", invalid="ignore"):  # huge values stay huge: worse than Ⅴ
        v = np.where(np.abs(raw) < 1e12, np.round(raw, _DECIMALS), raw)
    limits = np.asarray(lim.limits, dtype=np.float64)
    if lim.direction == "range":
        cls = np.where((v >= limits[0]) & (v <= limits[1]), 0, _V_PLUS)
    elif lim.direction == "min":
        cls = np.searchsorted(-limits, -np.where(bad, 0.0, v), side="left")
    else:
        cls = np.searchsorted(limits, np.where(bad, 0.0, v), side="left")
    return np.where(bad, -1, cls).astype(np.int64)


@dataclass(frozen=True, slots=True)
class WaterClass:
    """A section's (or sample's) class: ``cls`` in ``I..V, V+`` (劣Ⅴ) or None without any evaluated
    item; ``deciding`` items reach that class; ``worse_than_iii`` (超标项目) are worse than Ⅲ."""

    cls: str | None
    deciding: list[str]
    worse_than_iii: list[str]
    item_classes: dict[str, str]
    reported: dict[str, str]
    waterbody: str
    missing: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def cls_zh(self) -> str | None:
        """Chinese label: Ⅰ..Ⅴ, 劣Ⅴ."""
        return None if self.cls is None else T.WATER_CLASS_ZH[self.cls]

    @property
    def meets_iii(self) -> bool | None:
        """Ⅰ-Ⅲ (达到或优于Ⅲ类)."""
        return None if self.cls is None else self.cls in T.CLASS_III_OR_BETTER


def water_class(
    sample: Mapping[str, float | None],
    waterbody: str = "river",
    *,
    assumptions: Assumptions = DEFAULT,
) -> WaterClass:
    """Single-factor class of one sample or of period means. Keys: ``pH, DO, CODMn, COD, BOD5,
    NH3N, TP, TN, Cu, Zn, F, Se, As, Hg, Cd, Cr6, Pb, CN, phenol, petroleum, LAS, sulfide,
    fecal_coliform`` and ``water_temp`` (judged apart, never decides); ``waterbody``: ``"river"`` or ``"lake"`` (湖库)."""
    _check_waterbody(waterbody)
    for key in sample:  # water temperature (表1 item 1) is accepted and judged apart
        if key not in T.WATER_LIMITS and key not in T.WATER_JUDGED_APART:
            expected = ", ".join((*T.WATER_ITEMS, *T.WATER_JUDGED_APART))
            raise ValueError(f"sample: unknown item {key!r}; expected {expected}")
    item_classes: dict[str, str] = {}
    reported: dict[str, str] = {}
    flags: list[str] = []
    index: dict[str, int] = {}
    for key in T.WATER_ITEMS:  # table order, so that deciding items come out in a stable order
        if key not in sample:
            continue
        value = sample[key]
        x = np.nan if value is None else float(value)
        c = int(item_class(key, [x], waterbody, assumptions)[0])
        if x < 0 or np.isinf(x):
            flags.append(f"{key}:{'negative' if x < 0 else 'invalid'}")
        if c < 0:
            continue
        if key in T.EVALUATED_ITEMS:
            item_classes[key] = T.WATER_CLASSES[c]
            index[key] = c
        else:
            reported[key] = T.WATER_CLASSES[c]
    worst = max(index.values(), default=-1)
    iii = T.WATER_CLASSES.index("III")
    return WaterClass(
        cls=T.WATER_CLASSES[worst] if worst >= 0 else None,
        deciding=[k for k, c in index.items() if c == worst],
        worse_than_iii=[k for k, c in index.items() if c > iii],
        item_classes=item_classes,
        reported=reported,
        waterbody=waterbody,
        missing=[k for k in T.EVALUATED_ITEMS if k not in item_classes],
        flags=flags,
    )


def water_classes(
    frame: pd.DataFrame,
    waterbody: str | pd.Series = "river",
    *,
    assumptions: Assumptions = DEFAULT,
) -> pd.DataFrame:
    """Vectorised :func:`water_class` over rows of item columns (other columns ignored).

    ``waterbody``: one type for all rows or a per-row Series aligned with ``frame``. Out (same
    index): ``cls`` (None if no evaluated item), ``deciding``, ``worse_than_iii`` (comma-joined) and
    ``class_<item>`` per item present.
    """
    n = len(frame)
    if isinstance(waterbody, str):
        _check_waterbody(waterbody)
        body = np.full(n, waterbody, dtype=object)
    else:
        body = waterbody.reindex(frame.index).to_numpy(dtype=object)
        for wb in pd.unique(body):
            _check_waterbody(str(wb))
    items = [i for i in T.WATER_ITEMS if i in frame.columns]
    cls = {}
    for item in items:
        v = pd.to_numeric(frame[item], errors="coerce").to_numpy(dtype=np.float64)
        c = np.full(n, -1, dtype=np.int64)
        for wb in T.WATERBODIES:
            rows = body == wb
            if rows.any():
                c[rows] = item_class(item, v[rows], wb, assumptions)
        cls[item] = c
    evaluated = [i for i in items if i in T.EVALUATED_ITEMS]
    if evaluated:
        mat = np.stack([cls[i] for i in evaluated], axis=1)
        worst = mat.max(axis=1)
    else:
        mat = np.full((n, 0), -1, dtype=np.int64)
        worst = np.full(n, -1, dtype=np.int64)
    labels = np.array([*T.WATER_CLASSES, None], dtype=object)  # index -1 -> None

    weights = (1 << np.arange(len(evaluated), dtype=np.int64))[None, :]
    deciding = ((mat == worst[:, None]) & (worst[:, None] >= 0)) * weights
    worse = (mat > T.WATER_CLASSES.index("III")) * weights
    out = pd.DataFrame(index=frame.index)
    out["cls"] = labels[worst]
    out["deciding"] = bits_to_names(deciding.sum(axis=1), evaluated)
    out["worse_than_iii"] = bits_to_names(worse.sum(axis=1), evaluated)
    for item in items:
        out[f"class_{item}"] = labels[cls[item]]
    return out


def period_means(
    samples: pd.DataFrame, *, assumptions: Assumptions = DEFAULT
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per section and item, the mean over a period's samples, non-detects at
    ``nondetect_fraction`` (½, U12) of the detection limit (or of ``value`` when no limit is given).

    ``samples``: ``stations.model.SAMPLE_COLUMNS`` rows. Returns (wide means, wide sample counts).
    Items with fewer than ``min_samples_per_item`` samples are NaN (U11). pH per ``ph_period``.
    """
    for col in ("section", "item", "value"):
        if col not in samples.columns:
            raise ValueError(f"{col}: required column missing from the samples frame")
    value = pd.to_numeric(samples["value"], errors="coerce")
    below = samples.get("below_limit", pd.Series(False, index=samples.index)).fillna(False)
    below = below.astype(bool)
    dl = pd.to_numeric(samples.get("detection_limit", pd.Series(np.nan, index=samples.index)))
    nd_base = dl.where(dl.notna(), value)
    used = value.where(~below, nd_base * assumptions.nondetect_fraction)
    frame = pd.DataFrame({"section": samples["section"], "item": samples["item"], "v": used})
    frame = frame.dropna(subset=["v"])
    g = frame.groupby(["section", "item"])["v"]
    means = g.mean().unstack("item")
    counts = g.count().unstack("item").fillna(0).astype(int)
    if assumptions.ph_period == "any_sample_outside" and "pH" in means.columns:
        ph = frame[frame["item"] == "pH"]
        dist = (ph["v"] - 7.5).abs()
        outside = ph[(ph["v"] < 6) | (ph["v"] > 9)]
        if len(outside):
            worst = outside.loc[dist.loc[outside.index].groupby(outside["section"]).idxmax()]
            means.loc[worst["section"].to_numpy(), "pH"] = worst["v"].to_numpy()
    too_few = counts.reindex_like(means).fillna(0) < assumptions.min_samples_per_item
    means = means.mask(too_few)
    return means, counts


def water_class_period(
    samples: pd.DataFrame,
    waterbody: str | Mapping[str, str] = "river",
    *,
    assumptions: Assumptions = DEFAULT,
) -> pd.DataFrame:
    """Class of each section over a period: item means first (½ DL for non-detects), then the
    single-factor class (评价办法: "several samples are averaged, then classified").

    ``waterbody``: one type, or section -> ``"river"``/``"lake"``. Out, one row per section
    (index ``section``): the item means, ``n_samples`` (most samples of any item), ``waterbody``,
    ``cls``, ``deciding``, ``worse_than_iii``, ``class_<item>``.
    """
    means, counts = period_means(samples, assumptions=assumptions)
    if isinstance(waterbody, str):
        body: str | pd.Series = waterbody
        wb_col = pd.Series(waterbody, index=means.index, dtype=object)
    else:
        wb_col = means.index.to_series().map(pd.Series(waterbody, dtype=object))
        if wb_col.isna().any():
            missing = ", ".join(map(str, wb_col.index[wb_col.isna()]))
            raise ValueError(f"waterbody: no river/lake type for section(s) {missing}")
        body = wb_col
    classes = water_classes(means, body, assumptions=assumptions)
    out = means.copy()
    out["n_samples"] = counts.max(axis=1).reindex(means.index).fillna(0).astype(int)
    out["waterbody"] = wb_col
    return pd.concat([out, classes], axis=1)
