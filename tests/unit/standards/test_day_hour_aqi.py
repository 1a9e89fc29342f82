"""day_aqi / hour_aqi: AQI = max IAQI, levels, primary ties, exceeding, missing pollutants, notes."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.standards import day_aqi, hour_aqi
from stations.standards import tables as T
from stations.standards.assumptions import DEFAULT

CLEAN = {
    "SO2_24h": 8,
    "NO2_24h": 20,
    "PM10_24h": 40,
    "CO_24h": 0.6,
    "O3_8h": 90,
    "O3_1h": 120,
    "PM25_24h": 20,
}


def test_full_day_max_and_category() -> None:
    r = day_aqi(CLEAN, standard="HJ633-2012")
    assert r.iaqi == {
        "SO2_24h": 8,
        "NO2_24h": 25,
        "PM10_24h": 40,
        "CO_24h": 15,
        "O3_8h": 45,
        "O3_1h": 38,
        "PM25_24h": 29,
    }
    assert r.aqi == 45 and r.level == 1
    assert (r.category_zh, r.category_en, r.color) == ("优", "Excellent", "#00E400")
    assert r.primary == [] and r.exceeding == [] and r.missing == [] and r.complete


@pytest.mark.parametrize(
    ("pm25", "aqi", "level", "zh", "color"),
    [
        (35, 50, 1, "优", "#00E400"),
        (35.4, 51, 2, "良", "#FFFF00"),
        (60, 100, 2, "良", "#FFFF00"),
        (60.3, 101, 3, "轻度污染", "#FF7E00"),
        (115, 150, 3, "轻度污染", "#FF7E00"),
        (116, 152, 4, "中度污染", "#FF0000"),
        (150, 200, 4, "中度污染", "#FF0000"),
        (151, 201, 5, "重度污染", "#99004C"),
        (250, 300, 5, "重度污染", "#99004C"),
        (251, 301, 6, "严重污染", "#7E0023"),
        (900, 500, 6, "严重污染", "#7E0023"),
    ],
)
def test_level_boundaries_2026(pm25: float, aqi: int, level: int, zh: str, color: str) -> None:
    r = day_aqi({**CLEAN, "PM25_24h": pm25}, dt.date(2026, 6, 1))
    assert (r.aqi, r.level, r.category_zh, r.color, r.standard) == (
        aqi,
        level,
        zh,
        color,
        T.HJ633_2026,
    )


def test_day_picks_rule_set_and_standard_forces_it() -> None:
    c = {**CLEAN, "PM25_24h": 61}
    assert day_aqi(c, dt.date(2026, 2, 28)).aqi == 83
    assert day_aqi(c, dt.date(2026, 3, 1)).aqi == 101
    assert day_aqi(c, dt.date(2026, 3, 1), standard="HJ633-2012").standard == T.HJ633_2012
    assert day_aqi(c).standard == T.HJ633_2026  # latest = in force today; no clock read


def test_primary_only_above_50_and_ties_all_listed() -> None:
    assert day_aqi({**CLEAN, "PM25_24h": 35, "PM10_24h": 50}).primary == []
    tie = day_aqi({**CLEAN, "PM10_24h": 100, "PM25_24h": 47}, standard="HJ633-2012")
    # PM10 100 -> 75; PM2.5 47 -> 65 ... use a real tie: PM10 84 -> 67, PM2.5 48 -> 66.25 -> 67
    assert tie.primary == ["PM10_24h"]
    r = day_aqi({**CLEAN, "PM10_24h": 84, "PM25_24h": 48}, standard="HJ633-2012")
    assert r.iaqi["PM10_24h"] == r.iaqi["PM25_24h"] == 67
    assert r.primary == ["PM10_24h", "PM25_24h"]


def test_exceeding_lists_every_iaqi_above_100() -> None:
    r = day_aqi({**CLEAN, "PM25_24h": 80, "O3_8h": 170, "PM10_24h": 150}, standard="HJ633-2026")
    assert r.exceeding == ["PM10_24h", "O3_8h", "PM25_24h"]
    assert r.primary == ["PM25_24h"]


def test_missing_pollutants_default_max_available_flagged() -> None:
    r = day_aqi({"PM25_24h": 61, "SO2_24h": None})
    assert r.aqi == 101 and not r.complete
    assert set(r.missing) == set(T.DAILY_INDICATORS) - {"PM25_24h"}
    assert "SO2_24h:missing" in r.flags
    empty = day_aqi({})
    assert (empty.aqi, empty.level, empty.category_zh, empty.primary) == (None, None, None, [])


def test_missing_pollutant_na_unless_exceeding_choice() -> None:
    a = DEFAULT.replace(missing_pollutant="na_unless_exceeding")
    assert day_aqi({"PM25_24h": 40}, assumptions=a).aqi is None
    assert day_aqi({"PM25_24h": 61}, assumptions=a).aqi == 101
    assert day_aqi(CLEAN, assumptions=a).aqi == 45


def test_negative_value_is_missing_and_flagged() -> None:
    r = day_aqi({**CLEAN, "NO2_24h": -5})
    assert "NO2_24h" not in r.iaqi and "NO2_24h:negative" in r.flags and "NO2_24h" in r.missing


def test_o3_8h_above_800_note_both_rule_sets() -> None:
    c = {**CLEAN, "O3_8h": 850, "O3_1h": 900}
    r12 = day_aqi(c, standard="HJ633-2012")
    assert "O3_8h" not in r12.iaqi and r12.iaqi["O3_1h"] == 350 and r12.aqi == 350
    assert r12.complete and "O3_8h:above_800" in r12.flags
    r26 = day_aqi(c, standard="HJ633-2026")
    assert r26.iaqi["O3_8h"] == 300 and r26.aqi == 350


def test_daily_o3_1h_2026_choice() -> None:
    c = {**CLEAN, "O3_1h": 250}
    assert day_aqi(c, standard="HJ633-2026").aqi == 125
    off = DEFAULT.replace(daily_o3_1h_2026=False)
    r = day_aqi(c, standard="HJ633-2026", assumptions=off)
    assert r.aqi == 45 and "O3_1h" not in r.iaqi and r.complete
    assert day_aqi(c, standard="HJ633-2012", assumptions=off).aqi == 125


def test_unknown_key_is_named() -> None:
    with pytest.raises(ValueError, match="PM2.5"):
        day_aqi({"PM2.5": 3})


HOUR = {"SO2_1h": 10, "NO2_1h": 50, "CO_1h": 0.8, "O3_1h": 100, "PM10_24h": 60, "PM25_24h": 40}


def test_hour_aqi_2012_uses_24h_particles() -> None:
    r = hour_aqi({**HOUR, "PM25_1h": 90}, standard="HJ633-2012")
    assert r.iaqi["PM25_24h"] == 57 and "PM25_1h" not in r.iaqi and r.aqi == 57


def test_hour_aqi_2026_uses_1h_particles_on_24h_breakpoints() -> None:
    r = hour_aqi({**HOUR, "PM25_1h": 90, "PM10_1h": 60}, standard="HJ633-2026")
    assert r.iaqi["PM25_1h"] == 128 and r.primary == ["PM25_1h"] and r.exceeding == ["PM25_1h"]
    fallback = hour_aqi(HOUR, standard="HJ633-2026")
    assert fallback.iaqi["PM25_24h"] == 60 and "PM25:scored_from_PM25_24h" in fallback.flags


def test_hour_aqi_so2_1h_above_800_note() -> None:
    c = {**HOUR, "SO2_1h": 900, "SO2_24h": 500}
    r12 = hour_aqi(c, standard="HJ633-2012")
    assert "SO2_1h" not in r12.iaqi and r12.iaqi["SO2_24h"] == 154 and r12.aqi == 154
    assert r12.complete
    r26 = hour_aqi(c, standard="HJ633-2026")
    assert r26.iaqi["SO2_1h"] == 200 and r26.aqi == 200 and "SO2_24h" not in r26.iaqi


def test_hour_aqi_o3_8h_above_800_note() -> None:
    c = {**HOUR, "O3_8h": 820, "O3_1h": 700}
    assert hour_aqi(c, standard="HJ633-2012").aqi == 275
    assert hour_aqi(c, standard="HJ633-2026").iaqi["O3_8h"] == 300


def test_hour_end_at_midnight_belongs_to_previous_day_rule_set() -> None:
    cst = T.CST
    c = {**HOUR, "PM25_24h": 61}
    assert hour_aqi(c, dt.datetime(2026, 3, 1, 0, 0, tzinfo=cst)).standard == T.HJ633_2012
    assert hour_aqi(c, dt.datetime(2026, 3, 1, 1, 0, tzinfo=cst)).standard == T.HJ633_2026
