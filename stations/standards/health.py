"""Health advice per AQI level: HJ 633 表2 columns 对健康影响情况 (health effects) and 建议采取的措施
(recommended measures), as data, in Chinese (the standard's words) and English (our translation).

HJ 633-2012 表2 is the source of the Chinese text. HJ 633-2026 is reported to refine the advice for
sensitive groups per pollutant (docs/standards.md §1.8, "Sensitive groups per pollutant", medium
confidence) but its wording has not been checked against the published text; until it is, the 2026
rule set uses the 2012 wording and says so (``HEALTH_ADVICE_2026_VERIFIED``; docs/public.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from stations.standards import tables as T


@dataclass(frozen=True, slots=True)
class HealthAdvice:
    """One level's row of HJ 633 表2: effects and measures, zh and en, with its clause."""

    level: int
    effects_zh: str
    measures_zh: str
    effects_en: str
    measures_en: str
    standard: str
    clause: str

    def effects(self, lang: str) -> str:
        """对健康影响情况 in ``lang`` (zh or en)."""
        return self.effects_en if lang == "en" else self.effects_zh

    def measures(self, lang: str) -> str:
        """建议采取的措施 in ``lang`` (zh or en)."""
        return self.measures_en if lang == "en" else self.measures_zh


_C = "表2"
# HJ 633-2012 表2, levels 一级..六级 (AQI 0-50, 51-100, 101-150, 151-200, 201-300, >300).
HJ633_2012_HEALTH: Final = (
    HealthAdvice(
        1,
        "空气质量令人满意，基本无空气污染",
        "各类人群可正常活动",
        "Air quality is satisfactory; there is little or no air pollution.",
        "Everyone can carry on with normal activities.",
        T.HJ633_2012,
        _C,
    ),
    HealthAdvice(
        2,
        "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响",
        "极少数异常敏感人群应减少户外活动",
        "Air quality is acceptable, but some pollutants may slightly affect the health of a very "
        "small number of unusually sensitive people.",
        "The very few unusually sensitive people should reduce outdoor activity.",
        T.HJ633_2012,
        _C,
    ),
    HealthAdvice(
        3,
        "易感人群症状有轻度加剧，健康人群出现刺激症状",
        "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼",
        "Symptoms of susceptible people are mildly aggravated; healthy people show signs of "
        "irritation.",
        "Children, older people and people with heart or respiratory disease should reduce "
        "prolonged or strenuous outdoor exercise.",
        T.HJ633_2012,
        _C,
    ),
    HealthAdvice(
        4,
        "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响",
        "儿童、老年人及心脏病、呼吸系统疾病患者避免长时间、高强度的户外锻炼，一般人群适量减少户外运动",
        "Symptoms of susceptible people are further aggravated; the heart and respiratory system "
        "of healthy people may be affected.",
        "Children, older people and people with heart or respiratory disease should avoid "
        "prolonged or strenuous outdoor exercise; everyone else should reduce outdoor exercise "
        "somewhat.",
        T.HJ633_2012,
        _C,
    ),
    HealthAdvice(
        5,
        "心脏病和肺病患者症状显著加剧，运动耐受力降低，健康人群普遍出现症状",
        "儿童、老年人和心脏病、肺病患者应停留在室内，停止户外运动，一般人群减少户外运动",
        "Symptoms of people with heart or lung disease are markedly aggravated and exercise "
        "tolerance falls; healthy people commonly show symptoms.",
        "Children, older people and people with heart or lung disease should stay indoors and "
        "stop outdoor exercise; everyone else should reduce outdoor exercise.",
        T.HJ633_2012,
        _C,
    ),
    HealthAdvice(
        6,
        "健康人群运动耐受力降低，有明显强烈症状，提前出现某些疾病",
        "儿童、老年人和病人应当留在室内，避免体力消耗，一般人群应避免户外活动",
        "Exercise tolerance of healthy people falls, with marked and strong symptoms; some "
        "diseases may appear early.",
        "Children, older people and the sick should stay indoors and avoid physical exertion; "
        "everyone else should avoid outdoor activity.",
        T.HJ633_2012,
        _C,
    ),
)

#: False until the HJ 633-2026 表2 wording is checked; the 2026 rows repeat the 2012 text meanwhile.
HEALTH_ADVICE_2026_VERIFIED: Final = False

HEALTH_ADVICE: Final[dict[str, tuple[HealthAdvice, ...]]] = {
    T.HJ633_2012: HJ633_2012_HEALTH,
    T.HJ633_2026: HJ633_2012_HEALTH,
}


def health_advice(level: int | None, standard: str = T.HJ633_2026) -> HealthAdvice | None:
    """表2 advice of an AQI level 1..6 under ``standard``; None when there is no level."""
    if level is None or not 1 <= level <= len(T.AQI_LEVELS):
        return None
    return HEALTH_ADVICE[T.normalise_standard(standard)][level - 1]


__all__ = [
    "HEALTH_ADVICE",
    "HEALTH_ADVICE_2026_VERIFIED",
    "HJ633_2012_HEALTH",
    "HealthAdvice",
    "health_advice",
]
