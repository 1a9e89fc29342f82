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
    # --- service status ---
    "status.demo": {
        "zh": "演示模式：未配置上游数据源，数据来自模拟数据",
        "en": "Demo mode: no upstream is configured; the data are simulated",
    },
    "status.live": {"zh": "实时数据", "en": "Live data"},
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
