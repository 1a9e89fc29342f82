"""HJ 633 表2 health advice as data: one row per level, the standard's words, both editions."""

from __future__ import annotations

import pytest

from stations.standards import aqi_level
from stations.standards.health import HEALTH_ADVICE, health_advice
from stations.standards.tables import HJ633_2012, HJ633_2026


@pytest.mark.parametrize(
    ("aqi", "measures"),
    [
        (0, "各类人群可正常活动"),
        (50, "各类人群可正常活动"),
        (51, "极少数异常敏感人群应减少户外活动"),
        (150, "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"),
        (
            151,
            "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
        ),
        (300, "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动"),
        (301, "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动"),
    ],
)
def test_advice_follows_the_level_boundaries(aqi: int, measures: str) -> None:
    level = int(aqi_level([aqi])[0])
    advice = health_advice(level, HJ633_2026)
    assert advice is not None and advice.measures_zh == measures
    assert advice.clause == "表2" and advice.measures("en") == advice.measures_en


def test_every_level_has_both_languages_in_both_editions() -> None:
    for edition in (HJ633_2012, HJ633_2026):
        rows = HEALTH_ADVICE[edition]
        assert [r.level for r in rows] == [1, 2, 3, 4, 5, 6]
        assert all(r.effects_zh and r.effects_en and r.measures_en for r in rows)
    assert health_advice(None) is None and health_advice(7) is None
    assert health_advice(5, HJ633_2012).effects_zh.startswith("心脏病和肺病患者症状显著加剧")  # type: ignore[union-attr]
