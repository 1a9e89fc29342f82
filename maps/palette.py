"""Colours and labels of the maps, derived from the standards' tables (never retyped here).

AQI levels and colours come from HJ 633 表2 / 附录A and water classes from GB 3838-2002 with the
评价办法 表1 status colours, both held once in ``stations.standards.tables``. Only the colours that no
standard defines (target status, harbour-zone kinds, the continuous surface ramp) live here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from stations.standards import tables

#: Colour of a missing value (no data, invalid day).
NO_DATA: Final = "#BDBDBD"


@dataclass(frozen=True, slots=True)
class Swatch:
    """One legend entry: a key used in data, its colour and its zh/en labels."""

    key: str
    colour: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``zh`` or ``en``)."""
        return self.en if lang == "en" else self.zh


def aqi_swatches() -> tuple[Swatch, ...]:
    """The six HJ 633 levels, in order: key ``"1"``..``"6"``, colour, "一级 优 (0–50)" labels."""
    out = []
    for lv in tables.AQI_LEVELS:
        span = f"{lv.aqi_lo}–{lv.aqi_hi}" if lv.aqi_hi is not None else f">{lv.aqi_lo - 1}"
        out.append(
            Swatch(
                str(lv.level),
                lv.color,
                f"{lv.level_zh} {lv.category_zh} ({span})",
                f"Level {lv.level} {lv.category_en} ({span})",
            )
        )
    return tuple(out)


def aqi_level(aqi: float | None) -> int | None:
    """HJ 633 表2 level (1..6) of an AQI value; None for a missing value."""
    if aqi is None or (isinstance(aqi, float) and math.isnan(aqi)):
        return None
    for lv in tables.AQI_LEVELS:
        if lv.aqi_hi is None or aqi <= lv.aqi_hi:
            return lv.level
    return None  # pragma: no cover - the last level is open-ended


def aqi_scale() -> list[tuple[int | None, str]]:
    """``(upper AQI or None for the open top level, colour)`` per level, for page scripts."""
    return [(lv.aqi_hi, lv.color) for lv in tables.AQI_LEVELS]


def aqi_colour(aqi: float | None) -> str:
    """HJ 633 附录A colour of an AQI value, grey when missing."""
    level = aqi_level(aqi)
    return tables.AQI_LEVELS[level - 1].color if level else NO_DATA


#: Map groups of water classes: Ⅰ and Ⅱ share one colour (评价办法 表1, "优").
WATER_GROUPS: Final = (("I-II", ("I", "II")), ("III", ("III",)), ("IV", ("IV",)))
WATER_GROUPS_ALL: Final = (*WATER_GROUPS, ("V", ("V",)), ("V+", ("V+",)))


def water_swatches() -> tuple[Swatch, ...]:
    """Ⅰ-Ⅱ, Ⅲ, Ⅳ, Ⅴ, 劣Ⅴ with their 评价办法 status colour and labels."""
    out = []
    zh = tables.WATER_CLASS_ZH
    for key, classes in WATER_GROUPS_ALL:
        status_zh, status_en, colour = tables.WATER_CLASS_STATUS[classes[0]]
        name_zh = "-".join(zh[c] for c in classes)
        name_en = "-".join(zh[c] if c != "V+" else "worse than V" for c in classes)
        out.append(Swatch(key, colour, f"{name_zh}类 {status_zh}", f"Class {name_en} {status_en}"))
    return tuple(out)


def water_group(water_class: str | None) -> str | None:
    """The map group key (``"I-II"``..``"V+"``) of a GB 3838 class; None when unknown."""
    for key, classes in WATER_GROUPS_ALL:
        if water_class in classes:
            return key
    return None


def water_colour(water_class: str | None) -> str:
    """Status colour of a water class (``"I"``..``"V"``, ``"V+"``), grey when missing."""
    if water_class not in tables.WATER_CLASS_STATUS:
        return NO_DATA
    return tables.WATER_CLASS_STATUS[water_class][2]


def water_class_label(water_class: str | None) -> str:
    """On-screen class name: Ⅰ..Ⅴ, 劣Ⅴ ("V+" in data); "—" when missing."""
    return tables.WATER_CLASS_ZH.get(water_class or "", "—")


# Target status of a ratio: a traffic light of our own (no standard prescribes one).
TARGET_STATUS: Final = ("meets", "near", "below")
TARGET_COLOURS: Final = {"meets": "#1A9850", "near": "#FEE08B", "below": "#D73027"}
#: "Within one point" of the target: one percentage point.
NEAR_MARGIN: Final = 0.01


def target_status(ratio: float | None, target: float | None) -> str | None:
    """``meets`` (ratio >= target), ``near`` (within one point below), ``below``; None if missing."""
    if ratio is None or target is None or math.isnan(ratio) or math.isnan(target):
        return None
    # Ratios are compared at 1e-9 so that 0.97 stored as 0.9699999999 still meets 97 %.
    if ratio >= target - 1e-9:
        return "meets"
    if ratio >= target - NEAR_MARGIN - 1e-9:
        return "near"
    return "below"


def target_colour(status: str | None) -> str:
    """Fill colour of a target status, grey when missing."""
    return TARGET_COLOURS.get(status or "", NO_DATA)


#: Harbour ship-pollution zone kinds (geodata.ZONE_KINDS) -> outline/fill colour.
ZONE_COLOURS: Final = {
    "anchorage": "#1F78B4",
    "port_area": "#6A3D9A",
    "ship_repair_yard": "#B15928",
    "emission_control_area": "#E31A1C",
    "route": "#FF7F00",
    "bunkering": "#33A02C",
    "other": "#666666",
}

#: Nearshore seawater class (GB 3097 一类..四类, 劣四类 "IV+") -> marker fill: blue (best) to red.
SEA_CLASS_COLOURS: Final = {
    "I": "#2166AC",
    "II": "#4DAF4A",
    "III": "#FFD92F",
    "IV": "#FF7F00",
    "IV+": "#D7191C",
}
#: 优良（一、二类）比例 of a bay / zone -> fill, as ``(upper bound inclusive, colour)`` ascending
#: (the last bound None: everything above). A scale of our own: no standard prescribes one.
SEA_RATIO_SCALE: Final[tuple[tuple[float | None, str], ...]] = (
    (0.25, "#D73027"),
    (0.5, "#FC8D59"),
    (0.8, "#91CF60"),
    (None, "#1A9850"),
)


def sea_class_swatches() -> tuple[Swatch, ...]:
    """Legend rows of the seawater classes (一类..劣四类 / Class I..worse than IV)."""
    en = {
        "I": "Class I",
        "II": "Class II",
        "III": "Class III",
        "IV": "Class IV",
        "IV+": "Worse than IV",
    }
    return tuple(
        Swatch(c, colour, tables.SEA_CLASS_ZH[c], en[c]) for c, colour in SEA_CLASS_COLOURS.items()
    )


def sea_ratio_swatches() -> tuple[Swatch, ...]:
    """Legend rows of the bays' 优良比例 scale."""
    labels = ("≤ 25%", "25–50%", "50–80%", "> 80%")
    return tuple(
        Swatch(f"r{i}", colour, text, text)
        for i, ((_, colour), text) in enumerate(zip(SEA_RATIO_SCALE, labels, strict=True))
    )


#: Highlight ring of a station near a zone.
HIGHLIGHT: Final = "#00FFFF"
#: Offline basemap: sea and land.
SEA: Final = "#DCEBF5"
LAND: Final = "#F4F1E8"

#: Sequential ramp for continuous surfaces and imported rasters (light yellow -> dark red).
RAMP: Final = ("#FFFFB2", "#FED976", "#FEB24C", "#FD8D3C", "#F03B20", "#BD0026")


def ramp_rgba(values: Sequence[float] | object, vmin: float, vmax: float) -> object:
    """RGBA uint8 array (..., 4) for ``values`` on ``RAMP``; NaN becomes transparent."""
    arr = np.asarray(values, dtype=float)
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in RAMP], dtype=float)
    span = vmax - vmin if vmax > vmin else 1.0
    pos = np.clip((arr - vmin) / span, 0.0, 1.0) * (len(RAMP) - 1)
    pos = np.nan_to_num(pos)
    lo = np.floor(pos).astype(int).clip(0, len(RAMP) - 2)
    frac = (pos - lo)[..., None]
    rgb = stops[lo] * (1 - frac) + stops[lo + 1] * frac
    alpha = np.where(np.isnan(arr), 0, 200)[..., None]
    return np.concatenate([rgb, alpha], axis=-1).round().astype(np.uint8)
