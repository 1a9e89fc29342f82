"""``envmon assess`` on Beijing's 12 national stations (UCI data), compared with the published means.

Data: ../shared/validation/uci_beijing_multisite (SOURCES.md §1), written as one national-layout
archive file by ``tests/tools/uci_archive.py`` (UCI hour H read as the hour ending at H:00; CO / 1000).

Published (北京市环境状况公报 / the Bureau's annual releases; all municipal assessment stations, 35 in
those years, not only the 12 national ones):
- 2016: PM2.5 73, PM10 92, SO2 10, NO2 48 µg/m³; CO 24-h p95 3.2 mg/m³; O3 MDA8 p90 199 µg/m³;
  198 达标 days (2016 statement as reported by China News Service, 2017-06-02).
- 2015: PM2.5 80.6, PM10 101.5, SO2 13.5, NO2 50.0 µg/m³; 186 达标 days (Bureau release,
  2016-01-04); CO p95 ~3.6 and O3 p90 ~202, back-computed from the 2016 statement's -11.1 % / -1.5 %.
- 2014: PM2.5 85.9 µg/m³ (Bureau release, 2015-01-04); SO2 21.8, NO2 56.7, PM10 115.7, back-computed
  from the 2015 release's -38.1 %, -11.8 %, -12.3 % (the 2013 values with 2014's -17.7 %, +1.3 %,
  +7.1 % give the same); 172 达标 days (186 - 14).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.tools.uci_archive import NATIONAL_12, write_archive

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

PUBLISHED = {
    2014: {"PM25": 85.9, "PM10": 115.7, "SO2": 21.8, "NO2": 56.7},
    2015: {
        "PM25": 80.6,
        "PM10": 101.5,
        "SO2": 13.5,
        "NO2": 50.0,
        "CO_24h_p95": 3.6,
        "O3_8h_p90": 202,
    },
    2016: {"PM25": 73, "PM10": 92, "SO2": 10, "NO2": 48, "CO_24h_p95": 3.2, "O3_8h_p90": 199},
}
PUBLISHED_GOOD_DAYS = {2014: 172, 2015: 186, 2016: 198}


@pytest.fixture(scope="module")
def uci_archive(tmp_path_factory: pytest.TempPathFactory, validation_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("uci_archive")
    write_archive(validation_dir / "uci_beijing_multisite", out, 20131230, 20170101, per_day=False)
    return out


@pytest.mark.parametrize("year", [2014, 2015, 2016])
def test_assess_beijing_national_12_against_published(uci_archive: Path, year: int) -> None:
    result = CliRunner().invoke(
        app,
        [
            "assess",
            "--archive",
            str(uci_archive),
            "--stations",
            NATIONAL_12,
            "--year",
            str(year),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    annual = out["annual"]
    assert out["stations_missing"] == [] and len(out["stations"]) == 12
    assert set(annual) == {
        "PM25",
        "PM10",
        "SO2",
        "NO2",
        "CO_24h_p95",
        "O3_8h_p90",
        "composite_index",
        "sufficiency",
    }
    for key, s in annual["sufficiency"].items():
        assert s["sufficient"] is True and s["required"] == 324 and s["days"] >= 360, key
    # 12 of the 35 municipal stations, a few days missing: within 5 % of the published means.
    for key, published in PUBLISHED[year].items():
        assert annual[key] == pytest.approx(published, rel=0.05), key
    # Composite index: the 2012 limits; PM2.5 carries the largest sub-index in every year.
    assert out["composite"]["largest"] == "PM25" and 6.5 < annual["composite_index"] < 8.0
    assert abs(out["days"]["excellent_good"] - PUBLISHED_GOOD_DAYS[year]) <= 5
    lost = out["days"]
    assert (
        lost["lost_PM25"] + lost["lost_O3"] + lost["lost_PM25_O3"] + lost["lost_other"]
        == lost["non_good"]
    )
    assert lost["ratio_without_o3"] > lost["excellent_good_ratio"]  # ozone costs Beijing days
    cmp = out["compared_with_last_year"]
    if year == 2014:
        assert cmp is not None and cmp["sufficient"] is False  # only 2 days of 2013 in the file
    else:
        # PM2.5 fell each year (published: -6.2 % in 2015, -9.9 % in 2016).
        assert cmp["sufficient"] is True and cmp["statistics"]["PM25"]["change_percent"] < 0
