"""daily_values on a real hourly series: UCI Beijing Multi-Site, Dongsi 2013-03-01..2017-02-28.

Source: ../shared/validation/uci_beijing_multisite (SOURCES.md §1; CC BY 4.0, DOI 10.24432/C5RK5G).
CO there is in µg/m³ (divided by 1,000 here); hour H is read as the END of the hour (national
convention). There is no published daily AQI in the set, so this checks structure and plausibility:
one row per natural day, the validity counts, and a 优良 ratio in the range Beijing reported then.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stations.ratios import excellent_good_ratio
from stations.standards import daily_values

pytestmark = pytest.mark.realdata


def test_dongsi_four_years(validation_dir: Path) -> None:
    raw = pd.read_csv(
        validation_dir / "uci_beijing_multisite" / "PRSA_Data_Dongsi_20130301-20170228.csv",
        na_values=["NA"],
    )
    local = pd.to_datetime(raw[["year", "month", "day", "hour"]])
    hourly = pd.DataFrame(
        {
            "station": "1003A",
            "time": local.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC"),
            "SO2": raw["SO2"],
            "NO2": raw["NO2"],
            "PM10": raw["PM10"],
            "PM25": raw["PM2.5"],
            "CO": raw["CO"] / 1000.0,
            "O3": raw["O3"],
        }
    )
    out = daily_values(hourly)
    # 1,461 natural days, plus the partial first day whose hour 24 is the 00:00 label of 2013-03-01
    assert len(out) == 1462
    assert out.attrs["rejected"].empty
    assert out["standard"].eq("HJ633-2012").all()
    assert (out["n_PM25"] <= 24).all() and (out["n_O3_8h_windows"] <= 17).all()
    valid = out[out["ratio_valid"]]
    assert len(valid) > 1200
    ratio = excellent_good_ratio(valid["aqi"].to_numpy())
    # Beijing published 优良 ratios of about 48-54 % for 2013-2016; one urban station is similar.
    assert ratio.value is not None and 0.40 < ratio.value < 0.65
    assert set(np.unique(out["level"])) <= {0, 1, 2, 3, 4, 5, 6}
