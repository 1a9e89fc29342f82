"""The one catalogue of user-facing text: message key -> {"zh": ..., "en": ...}; Chinese is the default.

Everyone adds keys here (add, never rename). ``t(key, lang, **fields)`` formats a message;
``negotiate(query_lang, accept_language)`` picks ``zh`` or ``en`` for a request.
"""

from __future__ import annotations

from typing import Final

LANGS: Final = ("zh", "en")
DEFAULT_LANG: Final = "zh"

MESSAGES: dict[str, dict[str, str]] = {
    # --- API errors (service/api/errors.py) ---
    "error.not_found": {"zh": "未找到请求的资源", "en": "The requested resource was not found"},
    "error.not_found.detail": {"zh": "{what}不存在", "en": "{what} does not exist"},
    "error.validation": {"zh": "请求参数无效", "en": "The request is not valid"},
    "error.validation.detail": {
        "zh": "字段 {field} 不符合规则 {rule}",
        "en": "Field {field} breaks the rule {rule}",
    },
    "error.unauthorized": {"zh": "需要有效的 API 密钥", "en": "A valid API key is required"},
    "error.unauthorized.detail": {
        "zh": "请在 Authorization: Bearer 或 X-API-Key 请求头中提供有效的 API 密钥",
        "en": "Send a valid API key in the Authorization: Bearer or X-API-Key header",
    },
    "error.forbidden": {"zh": "权限不足", "en": "Not allowed"},
    "error.forbidden.detail": {
        "zh": "此操作需要 {role} 或更高角色",
        "en": "This needs the {role} role or higher",
    },
    "error.conflict": {"zh": "与现有数据冲突", "en": "Conflicts with existing data"},
    "error.payload_too_large": {"zh": "上传内容过大", "en": "The upload is too large"},
    "error.payload_too_large.detail": {
        "zh": "请求体超过上限 {limit} 字节",
        "en": "The request body exceeds the limit of {limit} bytes",
    },
    "error.rate_limited": {"zh": "请求过于频繁", "en": "Too many requests"},
    "error.rate_limited.detail": {
        "zh": "请在 {retry_after} 秒后重试",
        "en": "Retry after {retry_after} seconds",
    },
    "error.upstream_unavailable": {
        "zh": "上游数据源不可用",
        "en": "An upstream source is unavailable",
    },
    "error.unsupported_media_type": {"zh": "不支持的内容类型", "en": "Unsupported media type"},
    "error.method_not_allowed": {"zh": "不支持的请求方法", "en": "Method not allowed"},
    "error.internal": {"zh": "服务器内部错误", "en": "Internal server error"},
    "error.internal.detail": {
        "zh": "服务暂时无法完成请求，已记录日志",
        "en": "The service could not complete the request; it has been logged",
    },
    # --- things named in errors ---
    "thing.station": {"zh": "监测站点", "en": "Station"},
    "thing.section": {"zh": "断面", "en": "Section"},
    "thing.zone": {"zh": "船舶污染区域", "en": "Zone"},
    "thing.layer": {"zh": "图层", "en": "Layer"},
    "thing.api_key": {"zh": "API 密钥", "en": "API key"},
    "thing.resource": {"zh": "资源", "en": "Resource"},
    "thing.district": {"zh": "区县", "en": "District"},
    # --- service status ---
    "status.demo": {
        "zh": "演示模式：未配置上游数据源，数据来自模拟数据",
        "en": "Demo mode: no upstream is configured; the data are simulated",
    },
    "status.live": {"zh": "实时数据", "en": "Live data"},
    # --- alerts and webhooks (service/alerts) ---
    "alert.city": {"zh": "舟山市", "en": "Zhoushan"},
    "alert.status.firing": {"zh": "告警", "en": "FIRING"},
    "alert.status.resolved": {"zh": "已恢复", "en": "RESOLVED"},
    "alert.resolved_prefix": {"zh": "【已恢复】", "en": "[RESOLVED] "},
    "alert.title": {
        "zh": "【{status}】{district}：{rule}（{count} 条）",
        "en": "[{status}] {district}: {rule} ({count})",
    },
    "alert.more": {"zh": "另有 {count} 条未列出", "en": "{count} more not listed"},
    "alert.open": {"zh": "在 envmon 中查看", "en": "Open in envmon"},
    "alert.kind.station": {"zh": "监测站点", "en": "station"},
    "alert.kind.section": {"zh": "断面", "en": "section"},
    "alert.rule.excellent_good_ratio_below_target.title": {
        "zh": "优良天数比例低于目标",
        "en": "Excellent/good-day ratio below target",
    },
    "alert.rule.excellent_good_ratio_below_target.summary": {
        "zh": "{district}{year}年优良天数比例为 {value}（{numerator}/{denominator} 天），低于目标 {threshold}",
        "en": "{district}: the {year} excellent/good-day ratio is {value} ({numerator}/{denominator} days), below the {threshold} target",
    },
    "alert.rule.budget_exhausted.title": {
        "zh": "目标余量已用尽",
        "en": "Target budget used up",
    },
    "alert.rule.budget_exhausted.summary": {
        "zh": "{district}{year}年目标余量已用尽：还可容许的非优良天数为 {value} 天（目标 {target}）",
        "en": "{district}: the {year} target budget is used up: {value} more days that are not excellent/good can be absorbed (target {target})",
    },
    "alert.rule.projected_ratio_below_target.title": {
        "zh": "预计年末优良天数比例低于目标",
        "en": "Projected year-end ratio below target",
    },
    "alert.rule.projected_ratio_below_target.summary": {
        "zh": "{district}{year}年末优良天数比例预计为 {value}（区间 {low}–{high}），低于目标 {threshold}",
        "en": "{district}: the projected {year} year-end excellent/good-day ratio is {value} (interval {low}–{high}), below the {threshold} target",
    },
    "alert.rule.polluted_day.title": {
        "zh": "日 AQI 超过 100",
        "en": "Daily AQI above 100",
    },
    "alert.rule.polluted_day.summary": {
        "zh": "{district} {day} AQI 为 {value}（超过 {threshold}），首要污染物 {primary_pollutant}",
        "en": "{district}: AQI {value} on {day} (above {threshold}), primary pollutant {primary_pollutant}",
    },
    "alert.rule.section_worse_than_class_iii.title": {
        "zh": "断面水质劣于Ⅲ类",
        "en": "Section worse than Class III",
    },
    "alert.rule.section_worse_than_class_iii.summary": {
        "zh": "{district}{name}断面水质为{water_class}类，劣于Ⅲ类（定类项目：{deciding_items}）",
        "en": "{district}: section {name} is Class {water_class}, worse than Class III (deciding items: {deciding_items})",
    },
    "alert.rule.class_iii_ratio_below_target.title": {
        "zh": "达到或优于Ⅲ类水质比例低于目标",
        "en": "Class I–III section ratio below target",
    },
    "alert.rule.class_iii_ratio_below_target.summary": {
        "zh": "{district}{year}年达到或优于Ⅲ类水质断面比例为 {value}（{numerator}/{denominator}），低于目标 {threshold}",
        "en": "{district}: the {year} ratio of sections at Class III or better is {value} ({numerator}/{denominator}), below the {threshold} target",
    },
    "alert.rule.silent.title": {"zh": "长时间无数据", "en": "No data for too long"},
    "alert.rule.silent.summary": {
        "zh": "{district}{kind_name}{name}已 {value} 小时无数据（阈值 {threshold} 小时）",
        "en": "{district}: {kind_name} {name} has sent no data for {value} h (limit {threshold} h)",
    },
    "webhook.thing.subscription": {"zh": "Webhook 订阅", "en": "Webhook subscription"},
    "webhook.thing.delivery": {"zh": "Webhook 投递", "en": "Webhook delivery"},
    "webhook.error.unsafe_url": {
        "zh": "Webhook 地址不安全",
        "en": "The webhook URL is not allowed",
    },
}


def normalise_lang(lang: str | None) -> str:
    """``zh`` or ``en`` for a language tag such as ``en-GB`` or ``zh-Hans-CN``; else the default."""
    if not lang:
        return DEFAULT_LANG
    primary = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in LANGS else DEFAULT_LANG


def negotiate(query_lang: str | None, accept_language: str | None) -> str:
    """The language for a request: ``?lang=`` wins, then the best ``Accept-Language`` entry."""
    if query_lang:
        primary = query_lang.strip().lower().replace("_", "-").split("-", 1)[0]
        if primary in LANGS:
            return primary
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            primary = tag.strip().lower().split("-", 1)[0]
            if primary in LANGS and quality > 0:
                ranked.append((-quality, index, primary))
        if ranked:
            return min(ranked)[2]
    return DEFAULT_LANG


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """The message ``key`` in ``lang`` (default Chinese), formatted with ``fields``.

    An unknown key returns the key itself so that a missing entry shows, rather than breaks a page.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(normalise_lang(lang)) or entry[DEFAULT_LANG]
    return text.format(**fields) if fields else text


__all__ = ["DEFAULT_LANG", "LANGS", "MESSAGES", "negotiate", "normalise_lang", "t"]
