"""The standards' tables, written once as data, each row with its standard and clause.

- HJ 633-2012 表1 IAQI breakpoints, and HJ 633-2026 derived from it (only the PM2.5/PM10 IAQI-100
  nodes changed: docs/standards.md §1.8, U1).
- HJ 633 表2 / 附录A levels, categories and colours.
- GB 3095 / HJ 663 validity counts used by ``validity.py``.
- GB 3838-2002 表1 limits (24 basic items, river and lake TP) and the 21 items evaluated under
  环办〔2011〕22号.

Units: µg/m³ for air, CO in mg/m³; mg/L for water (fecal coliform per L).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Final, Literal

from stations.cst import CST

HJ633_2012: Final = "HJ633-2012"
HJ633_2026: Final = "HJ633-2026"
RULE_SETS: Final = (HJ633_2012, HJ633_2026)

#: HJ 633-2026 (and GB 3095-2026, HJ 663-2026) in force from this natural day in CST (docs/standards.md §0).
HJ633_2026_EFFECTIVE: Final = dt.date(2026, 3, 1)


@dataclass(frozen=True, slots=True)
class Breakpoints:
    """One indicator's IAQI nodes: ``conc[i]`` maps to ``iaqi[i]``; segments are continuous."""

    indicator: str
    conc: tuple[int, ...]
    iaqi: tuple[int, ...]
    unit: str
    standard: str
    clause: str


@dataclass(frozen=True, slots=True)
class Above800Note:
    """表1 notes 2/3 (2012) and 表3 notes b/c (2026, as reported): above ``threshold`` the indicator
    is not scored from its own column. 2012: use ``substitute``'s IAQI. 2026: IAQI = ``fixed_iaqi``."""

    indicator: str
    threshold: int
    substitute: str
    fixed_iaqi: int | None
    standard: str
    clause: str


_NODES: Final = (0, 50, 100, 150, 200, 300, 400, 500)
_UG = "µg/m³"
_MG = "mg/m³"

# HJ 633-2012 表1 (docs/standards.md §1.1; checked against the §1.9 copying errors: SO2 24-h 50 and 2620).
_T1 = "表1"
HJ633_2012_TABLE: Final[tuple[Breakpoints, ...]] = (
    Breakpoints("SO2_24h", (0, 50, 150, 475, 800, 1600, 2100, 2620), _NODES, _UG, HJ633_2012, _T1),
    Breakpoints("SO2_1h", (0, 150, 500, 650, 800), _NODES[:5], _UG, HJ633_2012, _T1 + " 注(1)(2)"),
    Breakpoints("NO2_24h", (0, 40, 80, 180, 280, 565, 750, 940), _NODES, _UG, HJ633_2012, _T1),
    Breakpoints(
        "NO2_1h",
        (0, 100, 200, 700, 1200, 2340, 3090, 3840),
        _NODES,
        _UG,
        HJ633_2012,
        _T1 + " 注(1)",
    ),
    Breakpoints("PM10_24h", (0, 50, 150, 250, 350, 420, 500, 600), _NODES, _UG, HJ633_2012, _T1),
    Breakpoints("CO_24h", (0, 2, 4, 14, 24, 36, 48, 60), _NODES, _MG, HJ633_2012, _T1),
    Breakpoints("CO_1h", (0, 5, 10, 35, 60, 90, 120, 150), _NODES, _MG, HJ633_2012, _T1 + " 注(1)"),
    Breakpoints("O3_1h", (0, 160, 200, 300, 400, 800, 1000, 1200), _NODES, _UG, HJ633_2012, _T1),
    Breakpoints("O3_8h", (0, 100, 160, 215, 265, 800), _NODES[:6], _UG, HJ633_2012, _T1 + " 注(3)"),
    Breakpoints("PM25_24h", (0, 35, 75, 115, 150, 250, 350, 500), _NODES, _UG, HJ633_2012, _T1),
)

# HJ 633-2026 表3: the 2012 table with the IAQI-100 nodes of PM2.5 (75 -> 60) and PM10 (150 -> 120)
# changed (docs/standards.md §1.8, U1); every other node unchanged.
_CHANGED_2026_NODE_100: Final = {"PM25_24h": 60, "PM10_24h": 120}


def _derive_2026(row: Breakpoints) -> Breakpoints:
    conc = row.conc
    if row.indicator in _CHANGED_2026_NODE_100:
        i = row.iaqi.index(100)
        conc = conc[:i] + (_CHANGED_2026_NODE_100[row.indicator],) + conc[i + 1 :]
    return replace(row, conc=conc, standard=HJ633_2026, clause=row.clause.replace("表1", "表3"))


HJ633_2026_TABLE: Final = tuple(_derive_2026(r) for r in HJ633_2012_TABLE)

BREAKPOINTS: Final[dict[str, dict[str, Breakpoints]]] = {
    HJ633_2012: {r.indicator: r for r in HJ633_2012_TABLE},
    HJ633_2026: {r.indicator: r for r in HJ633_2026_TABLE},
}

ABOVE_800_NOTES: Final[dict[str, dict[str, Above800Note]]] = {
    HJ633_2012: {
        "SO2_1h": Above800Note("SO2_1h", 800, "SO2_24h", None, HJ633_2012, "表1 注(2)"),
        "O3_8h": Above800Note("O3_8h", 800, "O3_1h", None, HJ633_2012, "表1 注(3)"),
    },
    HJ633_2026: {
        # U2: low-medium confidence (hj633.py, caiyunapp cn.rs); see Assumptions.above_800_2026.
        "SO2_1h": Above800Note("SO2_1h", 800, "SO2_24h", 200, HJ633_2026, "表3 注b"),
        "O3_8h": Above800Note("O3_8h", 800, "O3_1h", 300, HJ633_2026, "表3 注c"),
    },
}

#: 1-h particle values are scored on the 24-h breakpoints (HJ 633-2026 §4.2.3; no PM 1-h column).
INDICATOR_TABLE_ALIAS: Final = {"PM10_1h": "PM10_24h", "PM25_1h": "PM25_24h"}

#: The seven indicators of the daily report (日报), HJ 633-2012 §5.1.
DAILY_INDICATORS: Final = ("SO2_24h", "NO2_24h", "PM10_24h", "CO_24h", "O3_8h", "O3_1h", "PM25_24h")

#: Concentration resolution for the exact IAQI: inputs are quantised to this many decimals.
CONC_DECIMALS: Final = 6

#: GB/T 8170 rounding of concentrations under HJ 633-2026 (U5): decimals per pollutant code.
PREROUND_DECIMALS: Final = {"SO2": 0, "NO2": 0, "PM10": 0, "PM25": 0, "O3": 0, "CO": 1}


@dataclass(frozen=True, slots=True)
class AqiLevel:
    """HJ 633 表2 level with 附录A colour; English names are CNEMC/OpenAQ usage (U14)."""

    level: int
    aqi_lo: int
    aqi_hi: int | None
    level_zh: str
    category_zh: str
    category_en: str
    color_zh: str
    color: str
    rgb: tuple[int, int, int]


# HJ 633-2012 表2 and 附录A (unchanged in 2026 as far as known).
AQI_LEVELS: Final = (
    AqiLevel(1, 0, 50, "一级", "优", "Excellent", "绿色", "#00E400", (0, 228, 0)),
    AqiLevel(2, 51, 100, "二级", "良", "Good", "黄色", "#FFFF00", (255, 255, 0)),
    AqiLevel(3, 101, 150, "三级", "轻度污染", "Lightly polluted", "橙色", "#FF7E00", (255, 126, 0)),
    AqiLevel(
        4, 151, 200, "四级", "中度污染", "Moderately polluted", "红色", "#FF0000", (255, 0, 0)
    ),
    AqiLevel(5, 201, 300, "五级", "重度污染", "Heavily polluted", "紫色", "#99004C", (153, 0, 76)),
    AqiLevel(
        6, 301, None, "六级", "严重污染", "Severely polluted", "褐红色", "#7E0023", (126, 0, 35)
    ),
)

#: Upper AQI of each level but the last (HJ 633 表2), for vectorised level lookup.
AQI_LEVEL_UPPER: Final = tuple(lv.aqi_hi for lv in AQI_LEVELS if lv.aqi_hi is not None)

#: Primary pollutant only above this AQI; exceeding pollutants above this IAQI (HJ 633 §5.2).
PRIMARY_ABOVE: Final = 50
EXCEEDING_ABOVE: Final = 100
#: 优良 day: AQI <= this (HJ 633 表2 levels 1-2).
EXCELLENT_GOOD_MAX: Final = 100
EXCELLENT_MAX: Final = 50

# --- GB 3095-2012 表4 and HJ 663-2013 validity (docs/standards.md §2.1, §2.2) ---------------------------
#: 24-h mean needs at least this many valid hourly values (GB 3095-2012 表4).
MIN_HOURS_24H: Final = 20
#: An O3 8-h moving mean needs at least this many of its 8 hours (GB 3095-2012 表4).
O3_8H_WINDOW: Final = 8
MIN_HOURS_O3_8H: Final = 6
#: MDA8 takes windows ending 08:00..24:00 (17 windows) and needs >= 14 valid (HJ 663-2013 日评价) ...
MDA8_FIRST_WINDOW_END_HOUR: Final = 8
MIN_WINDOWS_MDA8: Final = 14
#: ... unless the maximum exceeds the O3 8-h 二级 limit (GB 3095-2012 表1; unchanged in 2026).
MDA8_EXCEEDANCE_LIMIT: Final = 160
#: O3 1-h 二级 limit (GB 3095-2012 表1), used for the daily max 1-h exceedance exception.
O3_1H_LIMIT: Final = 200

# --- GB 3838-2002 表1 and 环办〔2011〕22号 ---------------------------------------------------------
WATER_CLASSES: Final = ("I", "II", "III", "IV", "V", "V+")
WATER_CLASS_ZH: Final = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "V+": "劣Ⅴ"}
#: 评价办法 表1 qualitative status and colour (colours from memory: medium confidence).
WATER_CLASS_STATUS: Final = {
    "I": ("优", "Excellent", "#00CCFF"),
    "II": ("优", "Excellent", "#00CCFF"),
    "III": ("良好", "Good", "#00FF00"),
    "IV": ("轻度污染", "Lightly polluted", "#FFFF00"),
    "V": ("中度污染", "Moderately polluted", "#FF9B00"),
    "V+": ("重度污染", "Heavily polluted", "#FF0000"),
}
#: Classes counted by the Ⅰ–Ⅲ类断面比例.
CLASS_III_OR_BETTER: Final = ("I", "II", "III")

Direction = Literal["max", "min", "range"]


@dataclass(frozen=True, slots=True)
class WaterLimit:
    """GB 3838-2002 表1 limits for classes Ⅰ..Ⅴ. ``max``: value <= limit; ``min``: value >= limit
    (DO); ``range``: limits are (low, high) for every class (pH)."""

    item: str
    number: int
    direction: Direction
    limits: tuple[float, ...]
    unit: str
    evaluated: bool
    clause: str = "GB 3838-2002 表1"


_ML = "mg/L"
GB3838_TABLE1: Final[tuple[WaterLimit, ...]] = (
    WaterLimit("pH", 2, "range", (6.0, 9.0), "", True),
    # U13: class Ⅰ DO is "7.5 (or 90 % saturation)"; only 7.5 is used.
    WaterLimit("DO", 3, "min", (7.5, 6.0, 5.0, 3.0, 2.0), _ML, True),
    WaterLimit("CODMn", 4, "max", (2.0, 4.0, 6.0, 10.0, 15.0), _ML, True),
    WaterLimit("COD", 5, "max", (15.0, 15.0, 20.0, 30.0, 40.0), _ML, True),
    WaterLimit("BOD5", 6, "max", (3.0, 3.0, 4.0, 6.0, 10.0), _ML, True),
    WaterLimit("NH3N", 7, "max", (0.15, 0.5, 1.0, 1.5, 2.0), _ML, True),
    WaterLimit("TP", 8, "max", (0.02, 0.1, 0.2, 0.3, 0.4), _ML, True),
    # TN: lakes/reservoirs; reported, not part of the single-factor class (环办〔2011〕22号).
    WaterLimit("TN", 9, "max", (0.2, 0.5, 1.0, 1.5, 2.0), _ML, False),
    WaterLimit("Cu", 10, "max", (0.01, 1.0, 1.0, 1.0, 1.0), _ML, True),
    WaterLimit("Zn", 11, "max", (0.05, 1.0, 1.0, 2.0, 2.0), _ML, True),
    WaterLimit("F", 12, "max", (1.0, 1.0, 1.0, 1.5, 1.5), _ML, True),
    WaterLimit("Se", 13, "max", (0.01, 0.01, 0.01, 0.02, 0.02), _ML, True),
    WaterLimit("As", 14, "max", (0.05, 0.05, 0.05, 0.1, 0.1), _ML, True),
    WaterLimit("Hg", 15, "max", (0.00005, 0.00005, 0.0001, 0.001, 0.001), _ML, True),
    WaterLimit("Cd", 16, "max", (0.001, 0.005, 0.005, 0.005, 0.01), _ML, True),
    WaterLimit("Cr6", 17, "max", (0.01, 0.05, 0.05, 0.05, 0.1), _ML, True),
    WaterLimit("Pb", 18, "max", (0.01, 0.01, 0.05, 0.05, 0.1), _ML, True),
    WaterLimit("CN", 19, "max", (0.005, 0.05, 0.2, 0.2, 0.2), _ML, True),
    WaterLimit("phenol", 20, "max", (0.002, 0.002, 0.005, 0.01, 0.1), _ML, True),
    WaterLimit("petroleum", 21, "max", (0.05, 0.05, 0.05, 0.5, 1.0), _ML, True),
    WaterLimit("LAS", 22, "max", (0.2, 0.2, 0.2, 0.3, 0.3), _ML, True),
    WaterLimit("sulfide", 23, "max", (0.05, 0.1, 0.2, 0.5, 1.0), _ML, True),
    WaterLimit(
        "fecal_coliform", 24, "max", (200.0, 2000.0, 10000.0, 20000.0, 40000.0), "个/L", False
    ),
)
#: TP for lakes and reservoirs (湖、库), GB 3838-2002 表1 item 8.
GB3838_TP_LAKE: Final = WaterLimit(
    "TP", 8, "max", (0.01, 0.025, 0.05, 0.1, 0.2), _ML, True, "GB 3838-2002 表1 (湖、库)"
)
WATER_LIMITS: Final = {w.item: w for w in GB3838_TABLE1}
#: Item 1, water temperature, limits a man-made change, not a class: it has no row above.
WATER_ITEMS: Final = tuple(w.item for w in GB3838_TABLE1)
#: The 21 items of the single-factor evaluation (环办〔2011〕22号).
EVALUATED_ITEMS: Final = tuple(w.item for w in GB3838_TABLE1 if w.evaluated)
WATERBODIES: Final = ("river", "lake")
#: GB 3838-2002 表1 item 1 (water temperature) limits a man-made change, not a class: a sample may
#: carry it (automatic stations and lab files report it), it is judged apart and never decides.
WATER_JUDGED_APART: Final = ("water_temp",)

# --- GB 3097-1997 海水水质标准 表1 (nearshore seawater) -------------------------------------------
#: Classes 第一类..第四类 and 劣四类 ("IV+"), as in the national nearshore bulletins.
SEA_CLASSES: Final = ("I", "II", "III", "IV", "IV+")
SEA_CLASS_ZH: Final = {"I": "一类", "II": "二类", "III": "三类", "IV": "四类", "IV+": "劣四类"}
#: Classes counted by 优良（一、二类）水质比例 (the nearshore "good" share).
SEA_GOOD_CLASSES: Final = ("I", "II")

SeaDirection = Literal["max", "min_exclusive", "range"]


@dataclass(frozen=True, slots=True)
class SeaLimit:
    """GB 3097-1997 表1 limits for classes 一..四 (mg/L unless ``unit`` says otherwise).

    ``max``: value <= limit; ``min_exclusive``: value > limit (DO: "溶解氧 >"); ``range``: one
    (low, high) pair per class, inclusive (pH). ``number`` is the row number of 表1.
    """

    item: str
    number: int
    direction: SeaDirection
    limits: tuple[float, ...] | tuple[tuple[float, float], ...]
    unit: str = "mg/L"
    clause: str = "GB 3097-1997 表1"


GB3097_TABLE1: Final[tuple[SeaLimit, ...]] = (
    # Rows 1-6 (floating matter, colour/odour, suspended matter as a man-made increase, coliforms'
    # narrative parts, pathogens) and 7 (water temperature as a man-made rise) are judged apart.
    # Row 8: 7.8-8.5 (一、二类) and 6.8-8.8 (三、四类); the extra "within 0.2 / 0.5 pH units of the
    # area's normal range" needs a baseline the bureau does not supply (docs/standards.md, seawater).
    SeaLimit("pH", 8, "range", ((7.8, 8.5), (7.8, 8.5), (6.8, 8.8), (6.8, 8.8)), ""),
    SeaLimit("DO", 9, "min_exclusive", (6.0, 5.0, 4.0, 3.0)),
    SeaLimit("COD", 10, "max", (2.0, 3.0, 4.0, 5.0)),
    SeaLimit("BOD5", 11, "max", (1.0, 3.0, 4.0, 5.0)),
    # 无机氮 (as N) = nitrate-N + nitrite-N + ammonia-N (表1 note).
    SeaLimit("DIN", 12, "max", (0.20, 0.30, 0.40, 0.50)),
    SeaLimit("NH3_nonionic", 13, "max", (0.020, 0.020, 0.020, 0.020)),
    SeaLimit("PO4_P", 14, "max", (0.015, 0.030, 0.030, 0.045)),
    SeaLimit("Hg", 15, "max", (0.00005, 0.0002, 0.0002, 0.0005)),
    SeaLimit("Cd", 16, "max", (0.001, 0.005, 0.010, 0.010)),
    SeaLimit("Pb", 17, "max", (0.001, 0.005, 0.010, 0.050)),
    SeaLimit("Cr6", 18, "max", (0.005, 0.010, 0.020, 0.050)),
    SeaLimit("Cr", 19, "max", (0.05, 0.10, 0.20, 0.50)),
    SeaLimit("As", 20, "max", (0.020, 0.030, 0.050, 0.050)),
    SeaLimit("Cu", 21, "max", (0.005, 0.010, 0.050, 0.050)),
    SeaLimit("Zn", 22, "max", (0.020, 0.050, 0.10, 0.50)),
    SeaLimit("Se", 23, "max", (0.010, 0.020, 0.020, 0.050)),
    SeaLimit("Ni", 24, "max", (0.005, 0.010, 0.020, 0.050)),
    SeaLimit("CN", 25, "max", (0.005, 0.005, 0.10, 0.20)),
    SeaLimit("sulfide", 26, "max", (0.02, 0.05, 0.10, 0.25)),
    SeaLimit("phenol", 27, "max", (0.005, 0.005, 0.010, 0.050)),
    SeaLimit("petroleum", 28, "max", (0.05, 0.05, 0.30, 0.50)),
    SeaLimit("HCH", 29, "max", (0.001, 0.002, 0.003, 0.005)),
    SeaLimit("DDT", 30, "max", (0.00005, 0.0001, 0.0001, 0.0001)),
    SeaLimit("malathion", 31, "max", (0.0005, 0.001, 0.001, 0.001)),
    SeaLimit("methyl_parathion", 32, "max", (0.0005, 0.001, 0.001, 0.001)),
    # 苯并(a)芘 0.0025 µg/L for every class, here in mg/L like the other rows.
    SeaLimit("BaP", 33, "max", (0.0000025, 0.0000025, 0.0000025, 0.0000025)),
    SeaLimit("LAS", 34, "max", (0.03, 0.10, 0.10, 0.10)),
)
SEA_LIMITS: Final = {s.item: s for s in GB3097_TABLE1}
SEA_ITEMS: Final = tuple(s.item for s in GB3097_TABLE1)
#: DIN's parts (mg/L as N): 硝酸盐氮, 亚硝酸盐氮, 氨氮 (表1 row 12's definition).
SEA_DIN_PARTS: Final = ("NO3_N", "NO2_N", "NH3N")
#: Items a seawater sample may carry that never decide its class (reported or judged apart):
#: water temperature (row 7), suspended matter (row 3, a man-made increase), coliforms (rows 4-5:
#: limits for 一~三类 only, shellfish waters stricter), salinity, and DIN's parts once DIN is known.
SEA_JUDGED_APART: Final = (
    "water_temp",
    "SS",
    "coliform",
    "fecal_coliform",
    "salinity",
    "chla",
    *SEA_DIN_PARTS,
)


def normalise_standard(name: str) -> str:
    """``"HJ633-2012"``/``"HJ633-2026"`` from a name such as ``"HJ 633-2026"``, ``"hj633_2012"`` or
    ``"2026"``; ``ValueError`` naming the accepted names otherwise."""
    key = str(name).upper().replace(" ", "").replace("_", "-").replace("—", "-")
    for rs in RULE_SETS:
        if key in (rs, rs[-4:], rs.replace("-", "")):
            return rs
    raise ValueError(f"standard: unknown rule set {name!r}; use one of {', '.join(RULE_SETS)}")


def rule_set_for(day: dt.date | dt.datetime | None = None, standard: str | None = None) -> str:
    """The HJ 633 rule set for a natural day in CST: 2012 before 2026-03-01, 2026 from then on.

    ``standard`` forces a rule set by name. A ``datetime`` is converted to CST (naive = CST). With
    neither argument, the latest rule set (HJ633-2026), which is the one in force today: standards
    code never reads the clock.
    """
    if standard is not None:
        return normalise_standard(standard)
    if day is None:
        return HJ633_2026
    if isinstance(day, dt.datetime):
        day = (day.astimezone(CST) if day.tzinfo is not None else day).date()
    return HJ633_2012 if day < HJ633_2026_EFFECTIVE else HJ633_2026
