"""Payload formats per subscription: envmon JSON v1, Alertmanager webhook v4, DingTalk, WeCom.

Bodies are rendered once, when a notification is put in the outbox, so every retry sends the same
bytes. All are UTF-8 JSON. Shapes:

- ``envmon``: envmon's own versioned JSON (``docs/webhooks.md``), texts in Chinese and English.
- ``alertmanager``: the Alertmanager webhook receiver body, ``version: "4"``.
- ``dingtalk``: DingTalk custom robot, ``{"msgtype": "markdown", "markdown": {"title", "text"}}``.
- ``wecom``: WeCom (企业微信) group robot, ``{"msgtype": "markdown", "markdown": {"content"}}``
  (content at most 4096 bytes).

A body over the size limit drops alerts from its end (Alertmanager's ``truncatedAlerts``) until it fits.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from service.alerts.state import FIRING, TEST, AlertState, Notification
from service.i18n import t
from stations.cst import CST

FORMATS: Final = ("envmon", "alertmanager", "dingtalk", "wecom")
ENVMON_SCHEMA_VERSION: Final = "1"
WECOM_MARKDOWN_MAX_BYTES: Final = 4096
DINGTALK_MARKDOWN_MAX_BYTES: Final = 18_000
#: Alertmanager's "no end yet" for firing alerts.
ZERO_TIME: Final = "0001-01-01T00:00:00Z"

_ROMAN = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ", "V+": "劣Ⅴ"}
_ROMAN_EN = {"V+": "worse than V"}
_PERCENT_PARAMS = ("low", "high", "target")


class PayloadTooLarge(ValueError):
    """Even a single alert does not fit the maximum payload size."""


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What a body needs besides the notification."""

    created_at: dt.datetime
    lang: str = "zh"
    receiver: str = "envmon"
    external_url: str = ""
    district_names: Mapping[str, Mapping[str, str]] | None = None
    #: The figures come (at least partly) from demo data (``service.figures.demo_data``).
    demo: bool = False

    @property
    def base_url(self) -> str | None:
        """envmon's base URL for links, or ``None`` when none is configured (no link is sent)."""
        base = self.external_url.strip().rstrip("/")
        return base or None


def rfc3339(value: dt.datetime | None) -> str:
    """``2026-06-01T08:00:00Z`` (UTC, seconds)."""
    if value is None:
        return ZERO_TIME
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pct(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def _num(value: Any) -> str:
    return "–" if value is None else f"{float(value):g}"


def _cst_day(iso: str) -> str:
    """The CST calendar day of an ISO timestamp (``2026-11-05``), or the text as it is."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone(CST).date().isoformat()
    except ValueError:
        return iso


def district_name(code: str, lang: str, names: Mapping[str, Mapping[str, str]] | None) -> str:
    """A district's name in ``lang`` ("city" is the whole of Zhoushan), else its code."""
    entry = (names or {}).get(code)
    if entry:
        return entry.get(lang) or entry.get("zh") or code
    if code == "city":
        return t("alert.city", lang)
    return code


def _fields(alert: AlertState, lang: str, ctx: RenderContext) -> dict[str, Any]:
    """The figures of one alert, formatted for its message template."""
    p = dict(alert.params)
    rule = alert.rule
    ratio_rule = rule.endswith("ratio_below_target")
    out: dict[str, Any] = {k: ("" if v is None else v) for k, v in p.items()}
    out["district"] = district_name(alert.district, lang, ctx.district_names)
    fmt = _pct if ratio_rule or rule == "collector_degraded" else _num  # shares as percent
    out["value"] = fmt(alert.value)
    out["threshold"] = fmt(alert.threshold)
    if "resolve_at" in p:
        out["resolve_at"] = fmt(p["resolve_at"])
    for key in _PERCENT_PARAMS:
        if key in p:
            out[key] = _pct(p[key])
    if "water_class" in p:
        cls = str(p["water_class"])
        out["water_class"] = _ROMAN.get(cls, cls) if lang == "zh" else _ROMAN_EN.get(cls, cls)
    if "kind" in alert.labels:
        out["kind_name"] = t(f"alert.kind.{alert.labels['kind']}", lang)
    for key in ("last_time", "due_by"):
        if p.get(key):
            out[key] = _cst_day(str(p[key]))
    out.setdefault("period", "–")
    out.setdefault("day", alert.labels.get("day", ""))
    out.setdefault("primary_pollutant", "")
    if not out["primary_pollutant"]:
        out["primary_pollutant"] = "–"
    return out


def _summary_key(alert: AlertState) -> str:
    """The message key of ``alert``'s line: its rule's, or a variant for the monthly silence and
    for an alert held by its hysteresis band."""
    p = alert.params
    if alert.status == FIRING and p.get("held") and "resolve_at" in p:
        return "alert.held.summary"
    if alert.rule == "silent" and p.get("cadence") == "monthly" and p.get("due_by"):
        return "alert.rule.silent.summary_monthly"
    if alert.rule == "zone_limit_exceeded" and not p.get("monitor"):
        return "alert.rule.zone_limit_exceeded.summary_clear"  # resolved: no hour in the window
    return f"alert.rule.{alert.rule}.summary"


def summary(alert: AlertState, lang: str, ctx: RenderContext) -> str:
    """One line describing ``alert`` in ``lang``, with a resolved marker when it has resolved.

    An alert still firing only because of its hysteresis band says so: its value is back on the
    good side of the threshold (the public figures show the target met) and it resolves at
    ``resolve_at``.
    """
    fields = _fields(alert, lang, ctx)
    key = _summary_key(alert)
    if key == "alert.held.summary":
        fields["what"] = t(f"alert.rule.{alert.rule}.title", lang)
    text = t(key, lang, **fields)
    if alert.status not in (FIRING, TEST):
        text = t("alert.resolved_prefix", lang) + text
    return text


def title(n: Notification, lang: str, ctx: RenderContext) -> str:
    """The notification's title in ``lang``, marked when the figures are demo figures, when it
    tells a new subscription what already fires (``current``) and when it is a test."""
    text = t(
        "alert.title",
        lang,
        status=t(f"alert.status.{n.status}", lang),
        rule=t(f"alert.rule.{n.rule}.title", lang),
        district=district_name(n.district, lang, ctx.district_names),
        count=len(n.alerts),
    )
    if n.reason == "current":
        text = t("alert.reason_prefix.current", lang) + text
    if ctx.demo:
        text = t("alert.demo_prefix", lang) + text
    return text


def _alert_url(ctx: RenderContext, alert: AlertState) -> str | None:
    """The staff link of ``alert``; none without a base URL, and none for a test message (it has
    no stored state to link to)."""
    base = ctx.base_url
    if base is None or alert.status == TEST:
        return None
    return f"{base}/api/v1/staff/alerts/{alert.fingerprint}"


def _resolves_at(alert: AlertState) -> float | None:
    value = alert.params.get("resolve_at")
    return None if value is None else float(value)


def _without_none(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``d`` without those of ``keys`` whose value is ``None`` (no empty URL fields)."""
    return {k: v for k, v in d.items() if not (k in keys and v is None)}


# ------------------------------------------------------------------------------------ envmon v1


def envmon_body(
    n: Notification, ctx: RenderContext, alerts: tuple[AlertState, ...]
) -> dict[str, Any]:
    """envmon JSON, schema version 1 (``docs/webhooks.md``)."""
    body = {
        "version": ENVMON_SCHEMA_VERSION,
        "type": "alert.test" if n.reason == "test" else "alert.notification",
        "created_at": rfc3339(ctx.created_at),
        "group_key": n.group_key,
        "status": n.status,
        "reason": n.reason,
        "rule": n.rule,
        "district": n.district,
        "group_labels": dict(n.group_labels),
        "title": {lang: title(n, lang, ctx) for lang in ("zh", "en")},
        "demo": ctx.demo,
        "alerts": [
            _without_none(
                {
                    "fingerprint": a.fingerprint,
                    "status": a.status,
                    "rule": a.rule,
                    "severity": a.severity,
                    "labels": dict(a.labels),
                    "value": a.value,
                    "threshold": a.threshold,
                    "resolves_at": _resolves_at(a),
                    "held": bool(a.status == FIRING and a.params.get("held")),
                    "params": dict(a.params),
                    "starts_at": rfc3339(a.starts_at),
                    "ends_at": None if a.ends_at is None else rfc3339(a.ends_at),
                    "summary": {lang: summary(a, lang, ctx) for lang in ("zh", "en")},
                    "url": _alert_url(ctx, a),
                },
                "url",
            )
            for a in alerts
        ],
        "truncated_alerts": len(n.alerts) - len(alerts),
        "external_url": ctx.base_url,
    }
    return _without_none(body, "external_url")


# ------------------------------------------------------------------------------- Alertmanager v4


def _common(dicts: list[dict[str, str]]) -> dict[str, str]:
    if not dicts:
        return {}
    common = dict(dicts[0])
    for d in dicts[1:]:
        common = {k: v for k, v in common.items() if d.get(k) == v}
    return common


def alertmanager_body(
    n: Notification, ctx: RenderContext, alerts: tuple[AlertState, ...]
) -> dict[str, Any]:
    """The Alertmanager webhook receiver body (``version: "4"``)."""
    rendered = []
    for a in alerts:
        labels = {**a.labels, "severity": a.severity}
        annotations = {
            "summary": summary(a, ctx.lang, ctx),
            "summary_zh": summary(a, "zh", ctx),
            "summary_en": summary(a, "en", ctx),
            "value": "" if a.value is None else f"{a.value:g}",
            "threshold": "" if a.threshold is None else f"{a.threshold:g}",
        }
        if _resolves_at(a) is not None:
            annotations["resolves_at"] = f"{_resolves_at(a):g}"
        rendered.append(
            _without_none(
                {
                    "status": a.status,
                    "labels": labels,
                    "annotations": annotations,
                    "startsAt": rfc3339(a.starts_at),
                    "endsAt": rfc3339(a.ends_at),
                    "generatorURL": _alert_url(ctx, a),
                    "fingerprint": a.fingerprint,
                },
                "generatorURL",
            )
        )
    body = {
        "version": "4",
        "groupKey": n.group_key,
        "truncatedAlerts": len(n.alerts) - len(alerts),
        "status": n.status,
        "receiver": ctx.receiver,
        "groupLabels": dict(n.group_labels),
        "commonLabels": _common([r["labels"] for r in rendered]),
        "commonAnnotations": _common([r["annotations"] for r in rendered]),
        "externalURL": ctx.base_url,
        "alerts": rendered,
        # envmon's additions (receivers ignore unknown fields): demo figures; why it was sent.
        "demo": ctx.demo,
        "reason": n.reason,
    }
    return _without_none(body, "externalURL")


# ------------------------------------------------------------------------------ DingTalk / WeCom


def markdown_text(
    n: Notification, ctx: RenderContext, alerts: tuple[AlertState, ...], *, wecom: bool
) -> str:
    """The markdown of a robot message: a heading, one bullet per alert, a link when known."""
    lang = ctx.lang
    head = title(n, lang, ctx)
    if wecom:
        colour = "warning" if n.status == FIRING else "info"
        lines = [f'### <font color="{colour}">{head}</font>', ""]
    else:
        lines = [f"### {head}", ""]
    lines += [f"- {summary(a, lang, ctx)}" for a in alerts]
    dropped = len(n.alerts) - len(alerts)
    if dropped:
        lines.append(f"- {t('alert.more', lang, count=dropped)}")
    if ctx.base_url is not None:
        lines += ["", f"[{t('alert.open', lang)}]({ctx.base_url})"]
    return "\n".join(lines)


def dingtalk_body(
    n: Notification, ctx: RenderContext, alerts: tuple[AlertState, ...]
) -> dict[str, Any]:
    """DingTalk custom robot markdown message."""
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": title(n, ctx.lang, ctx),
            "text": markdown_text(n, ctx, alerts, wecom=False),
        },
    }


def wecom_body(
    n: Notification, ctx: RenderContext, alerts: tuple[AlertState, ...]
) -> dict[str, Any]:
    """WeCom group robot markdown message."""
    return {
        "msgtype": "markdown",
        "markdown": {"content": markdown_text(n, ctx, alerts, wecom=True)},
    }


_BUILDERS = {
    "envmon": envmon_body,
    "alertmanager": alertmanager_body,
    "dingtalk": dingtalk_body,
    "wecom": wecom_body,
}


def _encode(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _fits(fmt: str, body: Mapping[str, Any], encoded: bytes, max_bytes: int) -> bool:
    if len(encoded) > max_bytes:
        return False
    if fmt == "wecom":
        return len(body["markdown"]["content"].encode()) <= WECOM_MARKDOWN_MAX_BYTES
    if fmt == "dingtalk":
        return len(body["markdown"]["text"].encode()) <= DINGTALK_MARKDOWN_MAX_BYTES
    return True


def render(n: Notification, fmt: str, ctx: RenderContext, max_bytes: int = 256_000) -> bytes:
    """The body of ``n`` in format ``fmt``, at most ``max_bytes`` long (alerts dropped from the end)."""
    if fmt not in _BUILDERS:
        raise ValueError(f"unknown payload format {fmt!r}; known: {', '.join(FORMATS)}")
    build = _BUILDERS[fmt]
    keep = len(n.alerts)
    while True:
        body = build(n, ctx, n.alerts[:keep])
        encoded = _encode(body)
        if _fits(fmt, body, encoded, max_bytes):
            return encoded
        if keep <= 1:
            raise PayloadTooLarge(f"a single alert does not fit in {max_bytes} bytes ({fmt})")
        keep = max(1, keep // 2) if keep > 8 else keep - 1
