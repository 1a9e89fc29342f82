"""Fugitive-emission (无组织排放) limits at yards and ports, as data with their clauses, and the hourly
exceedances of zone monitors against them (vectorised; docs/standards.md §9, docs/supervision.md).

Each limit names the monitors it applies to by *siting*: ``plant`` (厂区内, GB 37822-2019 附录A: a
point 1 m outside a workshop door or window inside the site) or ``boundary`` (厂界 / 周界外浓度最高点,
GB 16297-1996 and the provincial coating standard). Port monitors (``port``) have no emission limit:
their rules compare them with the city's background (``service.alerts``).

Units: the standards write the limits in mg/m³ (NMHC as carbon); a limit is compared in the stored
unit of its parameter (``stations.parameters``: NMHC mg/m³, the aromatics µg/m³), converted here.

Hourly data and the "any single value" (任意一次浓度值) limits: a monitor's hourly value is the mean of
the hour, so an hour whose mean is above the single-value limit certainly held a single value above
it; an hour below it may still have held one (the hourly value cannot tell). Such hours are counted
as exceedances of the single-value limit too — a lower bound, stated in docs/supervision.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from stations.parameters import PARAMETERS

Siting = Literal["plant", "boundary", "port"]
Averaging = Literal["1h", "single"]

GB37822: Final = "GB 37822-2019"
GB16297: Final = "GB 16297-1996"
DB33_2146: Final = "DB33/2146-2018"

#: Zone kinds a yard limit applies to (``geodata.ZONE_KINDS``).
YARD_KINDS: Final = ("ship_repair_yard",)


@dataclass(frozen=True, slots=True)
class FugitiveLimit:
    """One limit: ``value`` in ``unit`` as the standard writes it, for ``parameter`` at monitors of
    ``siting`` in zones of ``zone_kinds`` (empty: any zone), over ``averaging``.

    ``setting`` names the setting that supplies the value when the text could not be verified.
    """

    key: str
    standard: str
    clause: str
    parameter: str
    siting: Siting
    averaging: Averaging
    value: float
    unit: str
    zone_kinds: tuple[str, ...] = ()
    special: bool = False
    setting: str | None = None

    @property
    def stored_value(self) -> float:
        """The limit in the stored unit of its parameter."""
        stored = PARAMETERS[self.parameter].unit
        if stored == self.unit:
            return self.value
        if self.unit == "mg/m³" and stored == "µg/m³":
            return self.value * 1000.0
        if self.unit == "µg/m³" and stored == "mg/m³":
            return self.value / 1000.0
        raise ValueError(f"{self.key}: cannot express {self.unit} in {stored}")


_A1: Final = "附录A 表A.1 厂区内VOCs无组织排放限值 (NMHC, 以碳计)"
_T2: Final = "表2 新污染源大气污染物排放限值, 无组织排放监控浓度限值 (周界外浓度最高点)"

#: GB 37822-2019 附录A 表A.1: general (一般) and special (特别排放限值) limits.
GB37822_LIMITS: Final = (
    FugitiveLimit("gb37822_nmhc_1h", GB37822, _A1 + " 监控点处1h平均浓度值", "NMHC", "plant", "1h",
                  10.0, "mg/m³"),
    FugitiveLimit("gb37822_nmhc_single", GB37822, _A1 + " 监控点处任意一次浓度值", "NMHC", "plant",
                  "single", 30.0, "mg/m³"),
    FugitiveLimit("gb37822_nmhc_1h_special", GB37822, _A1 + " 特别排放限值, 1h平均浓度值", "NMHC",
                  "plant", "1h", 6.0, "mg/m³", special=True),
    FugitiveLimit("gb37822_nmhc_single_special", GB37822, _A1 + " 特别排放限值, 任意一次浓度值",
                  "NMHC", "plant", "single", 20.0, "mg/m³", special=True),
)  # fmt: skip

#: GB 16297-1996 表2 (sources built from 1997-01-01): 周界外浓度最高点, mg/m³.
GB16297_LIMITS: Final = (
    FugitiveLimit("gb16297_nmhc", GB16297, _T2 + " 非甲烷总烃", "NMHC", "boundary", "1h", 4.0, "mg/m³"),
    FugitiveLimit("gb16297_benzene", GB16297, _T2 + " 苯", "BENZENE", "boundary", "1h", 0.40, "mg/m³"),
    FugitiveLimit("gb16297_toluene", GB16297, _T2 + " 甲苯", "TOLUENE", "boundary", "1h", 2.4, "mg/m³"),
    FugitiveLimit("gb16297_xylenes", GB16297, _T2 + " 二甲苯", "XYLENES", "boundary", "1h", 1.2, "mg/m³"),
)  # fmt: skip

#: Settings behind the provincial coating standard's value (not verified from its text: U16).
DB33_BOUNDARY_SETTING: Final = "ENVMON_DB33_2146_BOUNDARY_NMHC_MG"


def db33_boundary_limit(value_mg: float) -> FugitiveLimit:
    """DB33/2146-2018 企业边界 NMHC at the boundary monitors of ship-repair yards (coating of hulls
    is 工业涂装); the value comes from ``ENVMON_DB33_2146_BOUNDARY_NMHC_MG`` (default 4.0)."""
    return FugitiveLimit(
        "db33_2146_nmhc_boundary",
        DB33_2146,
        "企业边界大气污染物浓度限值 非甲烷总烃 (value a setting: docs/standards.md U16)",
        "NMHC",
        "boundary",
        "1h",
        value_mg,
        "mg/m³",
        zone_kinds=YARD_KINDS,
        setting=DB33_BOUNDARY_SETTING,
    )


def applicable_limits(
    *, special: bool = False, db33_applies: bool = True, db33_boundary_nmhc_mg: float = 4.0
) -> tuple[FugitiveLimit, ...]:
    """The limits in force: GB 37822 general or special (``special``), GB 16297 表2, and DB33/2146
    at yard boundaries when ``db33_applies``."""
    out = [lim for lim in GB37822_LIMITS if lim.special == special]
    out += GB16297_LIMITS
    if db33_applies:
        out.append(db33_boundary_limit(db33_boundary_nmhc_mg))
    return tuple(out)


#: Columns of an exceedance frame.
EXCEEDANCE_COLUMNS: Final = ("station", "zone", "time", "limit", "parameter", "value", "threshold")


def hourly_exceedances(
    readings: pd.DataFrame, monitors: pd.DataFrame, limits: Sequence[FugitiveLimit]
) -> pd.DataFrame:
    """Every (monitor, hour, limit) whose valid hourly value is above the limit (strictly).

    ``readings``: station, time, pollutant, value and a boolean ``valid``; ``monitors``: station,
    siting, zone, zone_kind. Returns ``EXCEEDANCE_COLUMNS`` (``threshold`` in the stored unit).
    One join and one comparison over all rows: no loop per reading.
    """
    if readings.empty or monitors.empty or not limits:
        return pd.DataFrame(columns=list(EXCEEDANCE_COLUMNS))
    # The limits of each monitor (by its siting and its zone's kind): a few rows per monitor, so
    # the readings are joined once, on station and pollutant.
    pairs = pd.DataFrame(
        [
            (m.station, m.zone, lim.parameter, lim.key, lim.stored_value)
            for m in monitors.itertuples()
            for lim in limits
            if lim.siting == m.siting and (not lim.zone_kinds or m.zone_kind in lim.zone_kinds)
        ],
        columns=["station", "zone", "pollutant", "limit", "threshold"],
    )
    valid = readings[readings["valid"].to_numpy(dtype=bool)]
    joined = valid.merge(pairs, on=["station", "pollutant"])
    hit = joined["value"].to_numpy(dtype=float) > joined["threshold"].to_numpy(dtype=float)
    out = joined.loc[hit].rename(columns={"pollutant": "parameter"})
    out = out.sort_values(["zone", "station", "time", "limit"], kind="stable")
    return out.loc[:, list(EXCEEDANCE_COLUMNS)].reset_index(drop=True)


__all__ = [
    "DB33_2146",
    "EXCEEDANCE_COLUMNS",
    "GB16297",
    "GB16297_LIMITS",
    "GB37822",
    "GB37822_LIMITS",
    "FugitiveLimit",
    "applicable_limits",
    "db33_boundary_limit",
    "hourly_exceedances",
]
