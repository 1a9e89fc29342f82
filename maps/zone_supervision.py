"""The supervision part of a zone's popup on the staff map: the last days' statistics of its
monitors and nearby AQI stations against the city background, the limits that apply with their
exceedance hours, the monitors' last data, and a daily chart of the zone's lead parameter.

Input: a zone summary as a plain mapping (``service.figures.zone_supervision.ZoneSummary``
dumped), so that ``maps`` stays free of the service. Every text is escaped (``maps.escape``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from maps.escape import html_text as _e
from maps.i18n import t
from stations.cst import format_cst

_ROLES = ("monitor", "nearby")
_BAR = "#4C78A8"
_BAR_EXCEEDED = "#D62728"


def _num(value: Any, digits: int) -> str:
    return "—" if value is None else f"{float(value):.{digits}f}"


def _digits(unit: str) -> int:
    return 2 if unit == "mg/m³" else 1


def _statistics_table(stats: Sequence[Mapping[str, Any]], lang: str) -> str:
    rows = [s for s in stats if s["role"] in _ROLES and s["n_hours"] > 0]
    if not rows:
        return f"<div class='envmon-zone-none'>{_e(t('zone.summary.none', lang))}</div>"
    head = "".join(
        f"<th>{_e(t(k, lang))}</th>"
        for k in (
            "zone.summary.parameter",
            "zone.summary.role",
            "zone.summary.mean",
            "zone.summary.p95",
            "zone.summary.diff",
        )
    )
    body = []
    for s in sorted(rows, key=lambda s: (s["parameter"], _ROLES.index(s["role"]))):
        d = _digits(str(s["unit"]))
        diff = s.get("diff_to_background")
        body.append(
            f"<tr class='envmon-zone-stat' data-parameter='{_e(s['parameter'])}' "
            f"data-role='{_e(s['role'])}'>"
            f"<td>{_e(s['parameter'])} ({_e(s['unit'])})</td>"
            f"<td>{_e(t('zone.role.' + str(s['role']), lang))}</td>"
            f"<td>{_e(_num(s['mean'], d))}</td><td>{_e(_num(s['p95'], d))}</td>"
            f"<td>{_e('—' if diff is None else f'{float(diff):+.{d}f}')}</td></tr>"
        )
    return (
        f"<table class='envmon-zone-stats'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _daily_svg(daily: Sequence[Mapping[str, Any]], lang: str, width: int = 220) -> str:
    """Bars of the lead parameter's daily monitor mean; red on days with exceedance hours."""
    values = [d.get("monitor_mean") for d in daily]
    present = [float(v) for v in values if v is not None]
    if not present:
        return ""
    parameter = str(daily[0]["parameter"])
    height, plot_h = 56, 44
    top = max(present)
    bar = width / max(len(daily), 1)
    rects = []
    for i, d in enumerate(daily):
        v = d.get("monitor_mean")
        h = 1.5 if v is None else max(1.5, plot_h * float(v) / top)
        colour = _BAR_EXCEEDED if d.get("exceedance_hours") else _BAR
        tip = f"{d['day']}: {_num(v, 2)}; {t('zone.summary.exceedance_hours', lang)} "
        tip += str(d.get("exceedance_hours", 0))
        rects.append(
            f"<rect x='{i * bar:.1f}' y='{plot_h - h:.1f}' width='{bar * 0.8:.1f}' "
            f"height='{h:.1f}' fill='{colour}'><title>{_e(tip)}</title></rect>"
        )
    label = t("zone.summary.chart", lang, parameter=parameter)
    return (
        f"<div>{_e(label)}</div>"
        f"<svg class='envmon-zone-spark' xmlns='http://www.w3.org/2000/svg' width='{width}' "
        f"height='{height}' viewBox='0 0 {width} {height}' role='img' aria-label='{_e(label)}'>"
        f"{''.join(rects)}"
        f"<text x='0' y='{height - 1}' font-size='9'>{_e(str(daily[0]['day'])[5:])}</text>"
        f"<text x='{width}' y='{height - 1}' font-size='9' text-anchor='end'>"
        f"{_e(str(daily[-1]['day'])[5:])}</text></svg>"
    )


def zone_supervision_html(summary: Mapping[str, Any], lang: str) -> str:
    """The popup section of one zone summary (staff view: monitors listed with their last data)."""
    days = (summary["end"] - summary["start"]).days + 1
    parts = [
        f"<div class='envmon-zone-supervision' data-zone='{_e(summary['code'])}'>",
        f"<b>{_e(t('zone.summary.title', lang, days=days))}</b>",
        f"<div class='envmon-zone-period'>{_e(str(summary['start']))} – "
        f"{_e(str(summary['end']))}</div>",
    ]
    if summary.get("demo"):
        parts.append(f"<div class='envmon-demo-note'>{_e(t('zone.summary.demo', lang))}</div>")
    parts.append(
        f"<div class='envmon-zone-exceedance'>{_e(t('zone.summary.exceedance_hours', lang))}: "
        f"{int(summary['exceedance_hours'])}</div>"
    )
    parts.append(_statistics_table(summary["statistics"], lang))
    limits = [lim for lim in summary.get("limits", []) if lim.get("exceedance_hours")]
    if limits:
        items = "".join(
            f"<li>{_e(lim['standard'])} {_e(lim['parameter'])} {_e(format(lim['value'], 'g'))} "
            f"{_e(lim['unit'])}: {int(lim['exceedance_hours'])} h</li>"
            for lim in limits
        )
        parts.append(f"<div>{_e(t('zone.summary.limits', lang))}</div><ul>{items}</ul>")
    monitors = summary.get("monitors") or []
    if monitors:
        items = "".join(
            f"<li class='envmon-zone-monitor'>{_e(m['name'])} ({_e(m['code'])}): "
            f"{_e(t('zone.summary.last_data', lang))} {_e(format_cst(m.get('last_time')))}; "
            f"{_e(t('zone.summary.exceedance_hours', lang))} "
            f"{int(m.get('hours_above_any', 0))}</li>"
            for m in monitors
        )
        parts.append(f"<div>{_e(t('zone.summary.monitors', lang))}</div><ul>{items}</ul>")
    nearby = summary.get("nearby_stations") or []
    if nearby:
        parts.append(
            f"<div>{_e(t('zone.summary.nearby', lang))}: {_e(', '.join(map(str, nearby)))}</div>"
        )
    parts.append(_daily_svg(summary.get("daily") or [], lang))
    parts.append("</div>")
    return "".join(parts)


def monitor_popup_html(monitor: Mapping[str, Any], zone_name: str, lang: str) -> str:
    """Popup of one zone monitor (staff): its zone, last data and exceedance hours."""
    return (
        f"<div class='envmon-monitor-popup' data-code='{_e(monitor['code'])}'>"
        f"<b>{_e(monitor['name'])}</b> ({_e(monitor['code'])})"
        f"<br>{_e(zone_name)}"
        f"<br>{_e(t('zone.summary.last_data', lang))}: {_e(format_cst(monitor.get('last_time')))}"
        f"<br>{_e(t('zone.summary.exceedance_hours', lang))}: "
        f"{int(monitor.get('hours_above_any', 0))}</div>"
    )


__all__ = ["monitor_popup_html", "zone_supervision_html"]
