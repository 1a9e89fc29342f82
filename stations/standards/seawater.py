"""Nearshore seawater class (海水水质类别), GB 3097-1997 表1, single-factor evaluation.

Each item gets the best class whose limit it meets (limits inclusive, shared limits -> the better
class; DO as "greater than"; pH in the class's range), and the sample's class is the worst item's;
past the 四类 limit an item is 劣四类 (``"IV+"``). Items are mg/L: ``pH``, ``DO``, ``COD``, ``BOD5``,
``DIN`` (无机氮, derived from ``NO3_N + NO2_N + NH3N`` when only the parts are given),
``NH3_nonionic``, ``PO4_P`` (活性磷酸盐), ``petroleum``, the metals and the organics of 表1 (see
``tables.GB3097_TABLE1``); water temperature, suspended matter, coliforms and salinity are accepted
and judged apart. A value below the detection limit is a :class:`BelowDetection`: it enters at
``nondetect_fraction`` (½, U12) of the limit, as for GB 3838.
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
from stations.standards.water import period_means

IntArray = npt.NDArray[np.int64]
_IV_PLUS: Final = len(T.SEA_CLASSES) - 1
_II: Final = T.SEA_CLASSES.index("II")
#: Comparisons are made on values rounded to this many decimals, so that float sums such as
#: 0.1 + 0.1 + 0.1 meet a 0.30 limit; 12, not GB 3838's 9, because 苯并(a)芘's limit is 2.5e-6 mg/L.
_DECIMALS: Final = 12


@dataclass(frozen=True, slots=True)
class BelowDetection:
    """A result reported below its detection limit (未检出, "<DL"), ``limit`` in the item's unit."""

    limit: float


SampleValue = float | int | BelowDetection | None


def sea_item_class(item: str, values: npt.ArrayLike) -> IntArray:
    """Class index per value (0 = 一类 .. 3 = 四类, 4 = 劣四类; -1 = missing, infinite or negative)."""
    if item not in T.SEA_LIMITS:
        raise ValueError(f"item: unknown {item!r}; expected one of {', '.join(T.SEA_ITEMS)}")
    lim = T.SEA_LIMITS[item]
    raw = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(raw) | (raw < 0)
    with np.errstate(over="ignore", invalid="ignore"):  # huge values stay huge: 劣四类
        v = np.where(bad, 0.0, np.where(np.abs(raw) < 1e12, np.round(raw, _DECIMALS), raw))
    if lim.direction == "range":
        bounds = np.asarray(lim.limits, dtype=np.float64)  # (class, low/high)
        inside = (v[:, None] >= bounds[None, :, 0]) & (v[:, None] <= bounds[None, :, 1])
        cls = np.where(inside.any(axis=1), inside.argmax(axis=1), _IV_PLUS)
    else:
        limits = np.asarray(lim.limits, dtype=np.float64)
        if lim.direction == "min_exclusive":  # DO > limit: the classes whose limit v fails
            cls = np.searchsorted(-limits, -v, side="right")
        else:  # value <= limit: the first (best) class whose limit is >= v
            cls = np.searchsorted(limits, v, side="left")
    return np.where(bad, -1, cls).astype(np.int64)


@dataclass(frozen=True, slots=True)
class SeaWaterClass:
    """A point's (or sample's) class: ``cls`` in ``I..IV, IV+`` (劣四类) or None without any item.

    ``deciding`` items reach that class (table order, all of them on a tie); ``worse_than_ii`` are
    the items that keep the point out of 优良（一、二类）; ``derived`` names values computed here
    (``DIN`` from its parts); ``flags`` say what was odd (negative, DIN parts incomplete...).
    """

    cls: str | None
    deciding: list[str]
    worse_than_ii: list[str]
    item_classes: dict[str, str]
    values: dict[str, float]
    missing: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def cls_zh(self) -> str | None:
        """Chinese label: 一类..四类, 劣四类."""
        return None if self.cls is None else T.SEA_CLASS_ZH[self.cls]

    @property
    def is_good(self) -> bool | None:
        """一、二类 (counted by 优良水质比例)."""
        return None if self.cls is None else self.cls in T.SEA_GOOD_CLASSES

    def meets(self, target: str) -> bool | None:
        """Whether the class is at or better than the functional zone's ``target`` class."""
        if target not in T.SEA_CLASSES[:-1]:
            raise ValueError(f"target: {target!r} is not one of {', '.join(T.SEA_CLASSES[:-1])}")
        if self.cls is None:
            return None
        return T.SEA_CLASSES.index(self.cls) <= T.SEA_CLASSES.index(target)


def _number(value: SampleValue, assumptions: Assumptions) -> float:
    if value is None:
        return float("nan")
    if isinstance(value, BelowDetection):
        return float(value.limit) * assumptions.nondetect_fraction
    return float(value)


def _with_din(values: dict[str, float], flags: list[str], derived: list[str]) -> dict[str, float]:
    """``DIN`` as given, or the sum of its parts when all three are given (as N, mg/L)."""
    if np.isfinite(values.get("DIN", np.nan)):
        return values
    parts = [values.get(p, np.nan) for p in T.SEA_DIN_PARTS]
    present = [p for p, v in zip(T.SEA_DIN_PARTS, parts, strict=True) if np.isfinite(v)]
    if len(present) == len(parts):
        derived.append("DIN")
        return {**values, "DIN": float(sum(parts))}
    if present:
        missing = [p for p in T.SEA_DIN_PARTS if p not in present]
        flags.append(f"DIN:parts_missing:{'+'.join(missing)}")
    return values


def seawater_class(
    sample: Mapping[str, SampleValue], *, assumptions: Assumptions = DEFAULT
) -> SeaWaterClass:
    """Single-factor GB 3097-1997 class of one sample or of period means (mg/L; pH unitless)."""
    allowed = (*T.SEA_ITEMS, *T.SEA_JUDGED_APART)
    for key in sample:
        if key not in allowed:
            raise ValueError(f"sample: unknown item {key!r}; expected {', '.join(allowed)}")
    flags: list[str] = []
    derived: list[str] = []
    values = {k: _number(v, assumptions) for k, v in sample.items()}
    values = _with_din(values, flags, derived)
    item_classes: dict[str, str] = {}
    index: dict[str, int] = {}
    for key in T.SEA_ITEMS:  # table order: deciding items come out in a stable order
        if key not in values:
            continue
        x = values[key]
        if x < 0 or np.isinf(x):
            flags.append(f"{key}:{'negative' if x < 0 else 'invalid'}")
        c = int(sea_item_class(key, [x])[0])
        if c >= 0:
            item_classes[key] = T.SEA_CLASSES[c]
            index[key] = c
    worst = max(index.values(), default=-1)
    return SeaWaterClass(
        cls=T.SEA_CLASSES[worst] if worst >= 0 else None,
        deciding=[k for k, c in index.items() if c == worst],
        worse_than_ii=[k for k, c in index.items() if c > _II],
        item_classes=item_classes,
        values={k: v for k, v in values.items() if np.isfinite(v)},
        missing=[k for k in T.SEA_ITEMS if k not in item_classes],
        derived=derived,
        flags=flags,
    )


def seawater_classes(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised :func:`seawater_class` over rows of item columns (numbers; other columns ignored).

    ``DIN`` is derived per row from its three parts where it is missing. Out (same index): ``cls``
    (None without any item), ``deciding`` and ``worse_than_ii`` (comma-joined, table order) and
    ``class_<item>`` per item present.
    """
    n = len(frame)
    columns = {c: pd.to_numeric(frame[c], errors="coerce") for c in frame.columns}
    if all(p in columns for p in T.SEA_DIN_PARTS):
        parts = sum(columns[p] for p in T.SEA_DIN_PARTS)
        din = columns.get("DIN", pd.Series(np.nan, index=frame.index))
        columns["DIN"] = din.where(din.notna(), parts)
    items = [i for i in T.SEA_ITEMS if i in columns]
    cls = {i: sea_item_class(i, columns[i].to_numpy(dtype=np.float64)) for i in items}
    mat = np.stack([cls[i] for i in items], axis=1) if items else np.full((n, 0), -1)
    worst = mat.max(axis=1) if items else np.full(n, -1, dtype=np.int64)
    labels = np.array([*T.SEA_CLASSES, None], dtype=object)  # index -1 -> None
    weights = (1 << np.arange(len(items), dtype=np.int64))[None, :]
    deciding = ((mat == worst[:, None]) & (worst[:, None] >= 0)) * weights
    worse = (mat > _II) * weights
    out = pd.DataFrame(index=frame.index)
    out["cls"] = labels[worst]
    out["deciding"] = bits_to_names(deciding.sum(axis=1), items)
    out["worse_than_ii"] = bits_to_names(worse.sum(axis=1), items)
    for item in items:
        out[f"class_{item}"] = labels[cls[item]]
    return out


def seawater_class_period(
    samples: pd.DataFrame, *, assumptions: Assumptions = DEFAULT
) -> pd.DataFrame:
    """Class of each point over a period: item means first (non-detects at ½ DL), then classified.

    ``samples``: ``stations.model.SAMPLE_COLUMNS`` rows, the point's code in ``section``. Out, one
    row per point: the item means, ``n_samples``, ``cls``, ``deciding``, ``worse_than_ii``,
    ``class_<item>``. pH is averaged (the GB 3838 "any sample outside 6-9" option does not apply).
    """
    means, counts = period_means(samples, assumptions=assumptions.replace(ph_period="mean"))
    known = [c for c in means.columns if c in (*T.SEA_ITEMS, *T.SEA_JUDGED_APART)]
    means = means[known].copy()
    if all(p in means.columns for p in T.SEA_DIN_PARTS):  # DIN's mean from its parts' means
        parts = means[list(T.SEA_DIN_PARTS)].sum(axis=1, min_count=len(T.SEA_DIN_PARTS))
        din = means["DIN"] if "DIN" in means.columns else pd.Series(np.nan, index=means.index)
        means["DIN"] = din.where(din.notna(), parts)
    out = means.copy()
    out["n_samples"] = counts.max(axis=1).reindex(means.index).fillna(0).astype(int)
    return pd.concat([out, seawater_classes(means)], axis=1)
