"""Air parameters beyond the six AQI pollutants: NO, NOx and the VOC measures of yards and ports.

They are stored in the same ``readings`` table as the AQI pollutants (same key, source, flag and
payload id, so provenance and revisions work alike), under the codes below, each in ONE stored unit.
Nothing that computes AQI reads them: the AQI paths select ``stations.model.POLLUTANTS`` by name.

Units (exact, what the stored number means):

* ``NO``: µg/m³ of NO.
* ``NOX``: µg/m³ *as NO2* (HJ 654 / GB 3095 express NOx as NO2: NOx = NO2 + NO × 46.0055/30.006).
* ``NMHC``: mg/m³ *as carbon* (非甲烷总烃, 以碳计: HJ 604-2017 and the limits of GB 37822-2019,
  GB 16297-1996, DB33/2146-2018).
* ``TVOC``: mg/m³ as the analyser reports it (its calibration basis is the monitor's; envmon does
  not record it, so TVOC of two analysers are compared with care).
* ``BENZENE``, ``TOLUENE``, ``XYLENES`` (sum of o-, m-, p-xylene): µg/m³ of the compound.
* PAMS species (``PAMS_SPECIES``, optional): µg/m³ of the compound.

Mixing ratios are converted at 25 °C and 101.325 kPa (24.45 L/mol, the GB 3095-2012 reference
state, as ``stations.collectors.openaq`` does) only for the single compounds (NO, NOx as NO2, the
aromatics, PAMS species); NMHC and TVOC in ppm are refused, because ppmC and ppm of a calibration
gas are not the same thing and the reference state of a fugitive-emission result is the standard's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: Litres per mole at 25 °C and 101.325 kPa (GB 3095-2012, 2018 amendment).
MOLAR_VOLUME_L: Final = 24.45


@dataclass(frozen=True, slots=True)
class Parameter:
    """One stored non-AQI parameter: its code, names, stored unit and plausibility ceiling.

    ``molar_mass`` (g/mol) allows ppb/ppm input; ``ceiling`` (in the stored unit) is the value
    above which a reading is a unit or transmission error, not air.
    """

    code: str
    name_zh: str
    name_en: str
    unit: str
    basis: str
    ceiling: float
    molar_mass: float | None = None


_PARAMS: Final = (
    Parameter("NO", "一氧化氮", "nitric oxide", "µg/m³", "NO", 5_000.0, 30.006),
    Parameter("NOX", "氮氧化物", "nitrogen oxides", "µg/m³", "as NO2", 10_000.0, 46.0055),
    Parameter("NMHC", "非甲烷总烃", "non-methane hydrocarbons", "mg/m³", "as C", 500.0),
    Parameter("TVOC", "总挥发性有机物", "total VOCs", "mg/m³", "as reported", 500.0),
    Parameter("BENZENE", "苯", "benzene", "µg/m³", "compound", 100_000.0, 78.11),
    Parameter("TOLUENE", "甲苯", "toluene", "µg/m³", "compound", 100_000.0, 92.14),
    Parameter("XYLENES", "二甲苯", "xylenes (o+m+p)", "µg/m³", "compound", 100_000.0, 106.17),
)

#: Optional PAMS (photochemical assessment monitoring) species a VOC analyser may report: stored
#: code -> (Chinese name, English name, molar mass g/mol); µg/m³ of the compound. Codes stay within
#: the readings table's 16 characters and hold no underscore after the prefix's own.
PAMS_SPECIES: Final[dict[str, tuple[str, str, float]]] = {
    "PAMS_ETHANE": ("乙烷", "ethane", 30.07),
    "PAMS_ETHENE": ("乙烯", "ethene", 28.05),
    "PAMS_PROPANE": ("丙烷", "propane", 44.10),
    "PAMS_PROPENE": ("丙烯", "propene", 42.08),
    "PAMS_NBUTANE": ("正丁烷", "n-butane", 58.12),
    "PAMS_IBUTANE": ("异丁烷", "isobutane", 58.12),
    "PAMS_ISOPRENE": ("异戊二烯", "isoprene", 68.12),
    "PAMS_ETHYLBENZ": ("乙苯", "ethylbenzene", 106.17),
    "PAMS_STYRENE": ("苯乙烯", "styrene", 104.15),
    "PAMS_TMB124": ("1,2,4-三甲苯", "1,2,4-trimethylbenzene", 120.19),
}

#: Code -> parameter, in display order (the PAMS species last).
PARAMETERS: Final[dict[str, Parameter]] = {
    **{p.code: p for p in _PARAMS},
    **{
        code: Parameter(code, zh, en, "µg/m³", "compound", 100_000.0, molar_mass)
        for code, (zh, en, molar_mass) in PAMS_SPECIES.items()
    },
}

#: Every non-AQI code the store accepts.
EXTRA_CODES: Final = tuple(PARAMETERS)

_UG: Final = frozenset({"µg/m³", "μg/m³", "ug/m3", "µg/m3", "μg/m3", "ug/m³"})
_MG: Final = frozenset({"mg/m³", "mg/m3"})


def unit_factor(code: str, units: str) -> float | None:
    """Multiplier from ``units`` to the stored unit of ``code``; None when not convertible.

    µg/m³ <-> mg/m³ always; ppb and ppm only for a single compound with a molar mass
    (µg/m³ = ppb × M / 24.45).
    """
    p = PARAMETERS.get(code)
    if p is None:
        return None
    u = units.strip()
    stored_mg = p.unit == "mg/m³"
    if u in _UG:
        return 0.001 if stored_mg else 1.0
    if u in _MG:
        return 1.0 if stored_mg else 1000.0
    if p.molar_mass is not None and u.lower() in ("ppb", "ppm"):
        ug_per_ppb = p.molar_mass / MOLAR_VOLUME_L
        factor = ug_per_ppb if u.lower() == "ppb" else ug_per_ppb * 1000.0
        return factor / 1000.0 if stored_mg else factor
    return None


__all__ = ["EXTRA_CODES", "PAMS_SPECIES", "PARAMETERS", "Parameter", "unit_factor"]
