"""Shared record shapes of the monitoring network: what collectors return and the store keeps.

Readings travel as pandas DataFrames with fixed columns (vectorised ingest, no per-reading objects on
the hot path); rejected rows travel as ``Rejected`` records so that nothing disappears silently.

Units: µg/m³ for SO2, NO2, PM10, PM25, O3; mg/m³ for CO; mg/L for water items (fecal coliform: per L).
Times: aware UTC; an hourly value is labelled by the END of its hour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import pandas as pd

#: The six pollutants measured hourly (1-h means), as column/pollutant codes.
POLLUTANTS: Final = ("SO2", "NO2", "PM10", "PM25", "CO", "O3")

#: Published derived values an upstream may also send; stored, never used to recompute the standards.
DERIVED_CODES: Final = (
    "SO2_24h",
    "NO2_24h",
    "PM10_24h",
    "PM25_24h",
    "CO_24h",
    "O3_24h",
    "O3_8h",
    "O3_8h_24h",
    "AQI",
)

#: Columns of an air-readings frame: station code, end-of-hour time (UTC), pollutant code, value, flag.
READING_COLUMNS: Final = ("station", "time", "pollutant", "value", "flag")

#: Columns of a water-samples frame.
SAMPLE_COLUMNS: Final = (
    "section",  # section code
    "time",  # aware UTC sampling time
    "item",  # GB 3838 item key: pH, DO, CODMn, COD, BOD5, NH3N, TP, TN, Cu, ... fecal_coliform
    "value",  # mg/L (float); for a non-detect, the detection limit itself with below_limit=True
    "detection_limit",  # mg/L or NaN
    "below_limit",  # bool: reported as ND / 未检出 / <DL
    "method",  # "manual" (lab) or "automatic" (automatic station)
)


@dataclass(frozen=True, slots=True)
class Rejected:
    """One input row that was not accepted, with the rule it broke."""

    row: str
    reason: str
    field: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Parsed:
    """What a pure ``parse(raw)`` returns: accepted air readings and/or water samples, and rejections."""

    readings: pd.DataFrame = field(default_factory=lambda: empty_readings())
    samples: pd.DataFrame = field(default_factory=lambda: empty_samples())
    rejected: list[Rejected] = field(default_factory=list)


def empty_readings() -> pd.DataFrame:
    """An empty air-readings frame with the canonical columns and dtypes."""
    return pd.DataFrame(
        {
            "station": pd.Series(dtype="object"),
            "time": pd.Series(dtype="datetime64[ns, UTC]"),
            "pollutant": pd.Series(dtype="object"),
            "value": pd.Series(dtype="float64"),
            "flag": pd.Series(dtype="object"),
        }
    )


def empty_samples() -> pd.DataFrame:
    """An empty water-samples frame with the canonical columns and dtypes."""
    return pd.DataFrame(
        {
            "section": pd.Series(dtype="object"),
            "time": pd.Series(dtype="datetime64[ns, UTC]"),
            "item": pd.Series(dtype="object"),
            "value": pd.Series(dtype="float64"),
            "detection_limit": pd.Series(dtype="float64"),
            "below_limit": pd.Series(dtype="bool"),
            "method": pd.Series(dtype="object"),
        }
    )
