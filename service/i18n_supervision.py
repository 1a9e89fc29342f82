"""Messages of zone supervision (issue 16): the zone alert rules and the zone page's labels."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "alert.rule.zone_limit_exceeded.title": {
        "zh": "港区/船厂监测点超过无组织排放限值",
        "en": "Yard or port monitor above a fugitive-emission limit",
    },
    "alert.rule.zone_limit_exceeded.summary": {
        "zh": "{zone_name}：{monitor_name} {time_cst} {parameter} 为 {value} {unit}，超过 {standard} 限值 {threshold} {unit}（{clause}）；近期超标 {hours} 小时",
        "en": "{zone_name}: {monitor_name} measured {parameter} {value} {unit} at {time_cst}, above the {standard} limit of {threshold} {unit} ({clause}); {hours} h above recently",
    },
    "alert.rule.zone_limit_exceeded.summary_clear": {
        "zh": "{zone_name}：近 {window_h} 小时内没有监测点超过无组织排放限值",
        "en": "{zone_name}: no monitor above a fugitive-emission limit in the last {window_h} h",
    },
    "alert.rule.zone_rise_over_background.title": {
        "zh": "港区/船厂浓度明显高于城市背景",
        "en": "Zone well above the city background",
    },
    "alert.rule.zone_rise_over_background.summary": {
        "zh": "{zone_name}：{parameter} 监测点均值 {zone_mean}，背景站均值 {background_mean}，高出 {value}（阈值 {threshold}）",
        "en": "{zone_name}: {parameter} monitors' mean {zone_mean} against the background's {background_mean}, {value} higher (limit {threshold})",
    },
    "alert.rule.zone_monitor_silent.title": {
        "zh": "港区/船厂监测点长时间无数据",
        "en": "Yard or port monitor silent",
    },
    "alert.rule.zone_monitor_silent.summary": {
        "zh": "{zone_name}：监测点 {name} 已 {value} 小时无数据（阈值 {threshold} 小时）",
        "en": "{zone_name}: monitor {name} has sent no data for {value} h (limit {threshold} h)",
    },
    "report.supervision.title": {"zh": "港区与船舶修造厂监管", "en": "Ports and ship-repair yards"},
    "report.supervision.intro": {
        "zh": "本月各区域监测点与周边空气站相对城市背景的统计；限值见 docs/standards.md §9。",
        "en": "This month's statistics of each zone's monitors and nearby AQI stations against the city background; limits in docs/standards.md §9.",
    },
    "report.supervision.empty": {
        "zh": "本月无区域监测点数据。",
        "en": "No zone monitor data this month.",
    },
    "report.supervision.zone": {"zh": "区域", "en": "Zone"},
}
