"""GB 3095 concentration limits by edition and HJ 663 assessment rules, written once as data.

- GB 3095-2012 表1 (basic items) limits, grade 1 (一级) and grade 2 (二级).
- GB 3095-2026 表1 in its two phases: the transition (过渡阶段, 2026-03-01 .. 2030-12-31) and the
  final limits (from 2031-01-01). Known from secondary sources only (docs/assessment.md).
- HJ 663-2013 statistics: which statistic of which daily indicator is assessed, the percentile
  ranks, and the data-sufficiency counts (GB 3095-2012 表4 annual row, HJ 663-2013 §6).
- The composite index (环境空气质量综合指数) items of 城市环境空气质量排名技术规定.

Units: µg/m³, CO in mg/m³. Days are natural days in CST (tables.HJ633_2026_EFFECTIVE).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

GB3095_2012: Final = "GB3095-2012"
#: GB 3095-2026 transition phase (过渡阶段): PM2.5 and PM10 tightened, SO2/NO2 as in 2012.
GB3095_2026_TRANSITION: Final = "GB3095-2026-transition"
#: GB 3095-2026 final limits (2031年起).
GB3095_2026_FINAL: Final = "GB3095-2026"
EDITIONS: Final = (GB3095_2012, GB3095_2026_TRANSITION, GB3095_2026_FINAL)

#: First CST day of the 2026 editions (GB 3095-2026 实施 2026-03-01; 第二阶段 2031-01-01; STANDARDS
#: §0). Every earlier day is judged by GB 3095-2012 (envmon carries no GB 3095-1996 table).
EDITION_START: Final = {
    GB3095_2026_TRANSITION: dt.date(2026, 3, 1),
    GB3095_2026_FINAL: dt.date(2031, 1, 1),
}

POLLUTANTS: Final = ("SO2", "NO2", "CO", "O3", "PM10", "PM25")
#: Averaging periods of 表1 that the assessment uses ("8h" = daily maximum 8-h mean).
AVERAGING: Final = ("annual", "24h", "8h", "1h")


@dataclass(frozen=True, slots=True)
class Limit:
    """One 表1 row: ``grade_1`` (一级, class-1 zones) and ``grade_2`` (二级, class-2 zones)."""

    pollutant: str
    averaging: str
    grade_1: float
    grade_2: float
    unit: str
    edition: str
    clause: str

    def value(self, grade: int) -> float:
        """The limit of ``grade`` (1 or 2)."""
        if grade not in (1, 2):
            raise ValueError(f"grade: {grade!r} is not 1 or 2")
        return self.grade_1 if grade == 1 else self.grade_2


_UG = "µg/m³"
_MG = "mg/m³"
_T1_2012 = "GB 3095-2012 表1"
_T1_2026 = "GB 3095-2026 表1"

# GB 3095-2012 表1 环境空气污染物基本项目浓度限值 (docs/standards.md §1.8; reproduction onxelh.cn/417/990).
_GB3095_2012: Final = (
    Limit("SO2", "annual", 20, 60, _UG, GB3095_2012, _T1_2012),
    Limit("SO2", "24h", 50, 150, _UG, GB3095_2012, _T1_2012),
    Limit("SO2", "1h", 150, 500, _UG, GB3095_2012, _T1_2012),
    Limit("NO2", "annual", 40, 40, _UG, GB3095_2012, _T1_2012),
    Limit("NO2", "24h", 80, 80, _UG, GB3095_2012, _T1_2012),
    Limit("NO2", "1h", 200, 200, _UG, GB3095_2012, _T1_2012),
    Limit("CO", "24h", 4, 4, _MG, GB3095_2012, _T1_2012),
    Limit("CO", "1h", 10, 10, _MG, GB3095_2012, _T1_2012),
    Limit("O3", "8h", 100, 160, _UG, GB3095_2012, _T1_2012 + " 日最大8小时平均"),
    Limit("O3", "1h", 160, 200, _UG, GB3095_2012, _T1_2012),
    Limit("PM10", "annual", 40, 70, _UG, GB3095_2012, _T1_2012),
    Limit("PM10", "24h", 50, 150, _UG, GB3095_2012, _T1_2012),
    Limit("PM25", "annual", 15, 35, _UG, GB3095_2012, _T1_2012),
    Limit("PM25", "24h", 35, 75, _UG, GB3095_2012, _T1_2012),
)

# GB 3095-2026 表1, transition phase 2026-03-01 .. 2030-12-31 (过渡阶段). PM2.5 二级 30/60 is in the
# Ministry's release (Xinhua 2026-02-24); PM10 60/120 and 一级 15/35 are quoted from 表1 by two
# independent implementations (docs/standards.md §1.8, id 57178421536; id 71272966419). SO2, NO2, CO
# and O3 keep their 2012 values until 2031 ("第二阶段...执行修订后的PM2.5、PM10、SO2和NO2浓度限值").
_TRANSITION_CHANGES: Final = {
    ("PM10", "annual"): (40, 60),
    ("PM10", "24h"): (50, 120),
    ("PM25", "annual"): (15, 30),
    ("PM25", "24h"): (35, 60),
}
# GB 3095-2026 表1 final limits from 2031-01-01. PM2.5 10/25 and 25/50 are in the Ministry's release;
# PM10, SO2 and NO2 are from one implementation (id 71272966419) and another source disagrees on
# SO2/NO2/PM10-24h: [low] until the PDF is read (docs/assessment.md). Nothing before 2031 uses them.
_FINAL_CHANGES: Final = {
    ("PM10", "annual"): (20, 50),
    ("PM10", "24h"): (50, 100),
    ("PM25", "annual"): (10, 25),
    ("PM25", "24h"): (25, 50),
    ("SO2", "annual"): (20, 20),
    ("SO2", "24h"): (50, 50),
    ("SO2", "1h"): (150, 150),
    ("NO2", "annual"): (30, 30),
    ("NO2", "24h"): (50, 50),
}


def _derive(edition: str, changes: dict[tuple[str, str], tuple[int, int]]) -> tuple[Limit, ...]:
    out = []
    for row in _GB3095_2012:
        g1, g2 = changes.get((row.pollutant, row.averaging), (row.grade_1, row.grade_2))
        clause = row.clause.replace(_T1_2012, _T1_2026)
        if edition == GB3095_2026_TRANSITION:
            clause += " 过渡阶段"
        out.append(Limit(row.pollutant, row.averaging, g1, g2, row.unit, edition, clause))
    return tuple(out)


LIMITS: Final[dict[str, dict[tuple[str, str], Limit]]] = {
    GB3095_2012: {(r.pollutant, r.averaging): r for r in _GB3095_2012},
    GB3095_2026_TRANSITION: {
        (r.pollutant, r.averaging): r for r in _derive(GB3095_2026_TRANSITION, _TRANSITION_CHANGES)
    },
    GB3095_2026_FINAL: {
        (r.pollutant, r.averaging): r for r in _derive(GB3095_2026_FINAL, _FINAL_CHANGES)
    },
}


def edition_for(day: dt.date) -> str:
    """The GB 3095 edition in force on a CST natural day (2012 before 2026-03-01; the 2026
    transition limits to 2030-12-31; the final 2026 limits from 2031-01-01)."""
    if day < EDITION_START[GB3095_2026_TRANSITION]:
        return GB3095_2012
    if day < EDITION_START[GB3095_2026_FINAL]:
        return GB3095_2026_TRANSITION
    return GB3095_2026_FINAL


def limit(pollutant: str, averaging: str, edition: str, grade: int = 2) -> float:
    """A 表1 limit; ``ValueError`` naming the row when the edition has no such row."""
    try:
        row = LIMITS[edition][(pollutant, averaging)]
    except KeyError:
        raise ValueError(
            f"limit: no {pollutant} {averaging} row in {edition} 表1 "
            f"(editions: {', '.join(EDITIONS)})"
        ) from None
    return row.value(grade)


# --- HJ 663-2013 statistics ---------------------------------------------------------------------
#: Statistic key -> (daily indicator, percentile rank or None for the arithmetic mean, pollutant,
#: averaging of the limit it is assessed against). HJ 663-2013 §4 评价项目 (年评价): SO2, NO2, PM10,
#: PM2.5 annual means; CO 24-h mean 95th percentile; O3 daily maximum 8-h mean 90th percentile.
STATISTICS: Final[dict[str, tuple[str, float | None, str, str]]] = {
    "PM25": ("PM25_24h", None, "PM25", "annual"),
    "PM10": ("PM10_24h", None, "PM10", "annual"),
    "SO2": ("SO2_24h", None, "SO2", "annual"),
    "NO2": ("NO2_24h", None, "NO2", "annual"),
    "CO_24h_p95": ("CO_24h", 95.0, "CO", "24h"),
    "O3_8h_p90": ("O3_8h", 90.0, "O3", "8h"),
}

#: Published decimals of each statistic (GB/T 8170 修约; HJ 663-2013 §6 and the ranking rules:
#: µg/m³ to integers, CO to 0.1 mg/m³).
PUBLISH_DECIMALS: Final = {
    "PM25": 0,
    "PM10": 0,
    "SO2": 0,
    "NO2": 0,
    "CO_24h_p95": 1,
    "O3_8h_p90": 0,
}
#: The composite index and its sub-indices are published with two decimals (ranking rules).
INDEX_DECIMALS: Final = 2

#: Daily indicators counted as exceedance days (超标天数), with the 表1 row each is judged by.
EXCEEDANCE_INDICATORS: Final[dict[str, tuple[str, str]]] = {
    "SO2_24h": ("SO2", "24h"),
    "NO2_24h": ("NO2", "24h"),
    "PM10_24h": ("PM10", "24h"),
    "CO_24h": ("CO", "24h"),
    "O3_8h": ("O3", "8h"),
    "O3_1h": ("O3", "1h"),
    "PM25_24h": ("PM25", "24h"),
}

# Data sufficiency (GB 3095-2012 表4 "年平均": 每年至少324个日平均浓度值, 每月至少27个, 二月至少25个;
# HJ 663-2013 §6 applies the same counts to the annual percentiles of CO and O3 MDA8).
MIN_DAYS_YEAR: Final = 324
MIN_DAYS_MONTH: Final = 27
MIN_DAYS_FEBRUARY: Final = 25

# The composite index (环境空气质量综合指数), 城市环境空气质量排名技术规定 (环办监测〔2018〕19号) 附件
# 三(二): I_sum = Σ C_i / S_i over the six statistics; S_i is the annual 二级 limit for SO2, NO2,
# PM10, PM2.5 and the 24-h (CO) / 8-h (O3) 二级 limit for the percentiles. The pollutant with the
# largest I_i is named first (最大指数).
COMPOSITE_ITEMS: Final = ("PM25", "PM10", "SO2", "NO2", "CO_24h_p95", "O3_8h_p90")
COMPOSITE_GRADE: Final = 2
