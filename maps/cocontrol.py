"""The staff map's PM2.5-O3 co-control panel: per district and the city, the PM2.5 mean with its
change on last year, the O3 MDA8 90th percentile, the composite index, the excellent/good ratio
with and without ozone, and the days lost to PM2.5, O3 and both.

Plain HTML (a ``<details>`` element, folded until opened, so it never covers a marker), no script; every text goes through
``maps.escape.html_text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maps.escape import html_text
from maps.i18n import normalise_lang, t


@dataclass(frozen=True, slots=True)
class CoControlRow:
    """One area's figures for the period (None: not computable)."""

    name: str
    pm25: float | None
    pm25_change_percent: float | None
    o3_p90: float | None
    composite: float | None
    ratio: float | None
    ratio_without_o3: float | None
    lost_pm25: int
    lost_o3: int
    lost_both: int
    sufficient: bool


def _num(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _signed(v: float | None) -> str:
    return "—" if v is None else f"{v:+.1f}%"


def cocontrol_panel(
    rows: Sequence[CoControlRow], period_label: str, end: str, lang: str = "zh"
) -> str:
    """The panel as an HTML fragment placed at the bottom left of the map page."""
    lang = normalise_lang(lang)
    heads = [
        t("cocontrol.area", lang),
        t("cocontrol.pm25", lang),
        t("cocontrol.yoy", lang),
        t("cocontrol.o3_p90", lang),
        t("cocontrol.composite", lang),
        t("cocontrol.ratio", lang),
        t("cocontrol.ratio_without_o3", lang),
        t("cocontrol.lost", lang),
    ]
    th = "".join(f'<th scope="col">{html_text(h)}</th>' for h in heads)
    body = []
    for r in rows:
        mark = "" if r.sufficient else "*"
        cells = [
            _num(r.pm25, 1) + mark,
            _signed(r.pm25_change_percent),
            _num(r.o3_p90),
            _num(r.composite, 2),
            _pct(r.ratio),
            _pct(r.ratio_without_o3),
            f"{r.lost_pm25}/{r.lost_o3}/{r.lost_both}",
        ]
        tds = "".join(f"<td>{html_text(c)}</td>" for c in cells)
        body.append(f'<tr><th scope="row">{html_text(r.name)}</th>{tds}</tr>')
    notes = [t("cocontrol.units", lang)]
    if any(not r.sufficient for r in rows):
        notes.append(t("cocontrol.insufficient", lang))
    note = "".join(f"<p>{html_text(n)}</p>" for n in notes)
    title = html_text(t("cocontrol.title", lang))
    period = html_text(t("cocontrol.period", lang, label=period_label, end=end))
    return (
        '<details id="envmon-cocontrol" class="envmon-cocontrol" '
        'style="position:absolute;left:10px;bottom:44px;z-index:1000;background:#fff;'
        "box-sizing:border-box;padding:6px 8px;font:12px/1.4 sans-serif;max-width:calc(100% - 20px);max-height:45%;"
        'overflow:auto;border-radius:4px;box-shadow:0 1px 5px rgba(0,0,0,.4)">'
        f'<summary style="font-weight:bold;cursor:pointer">{title} · {period}</summary>'
        '<table style="border-collapse:collapse;margin-top:4px;white-space:nowrap" '
        'cellpadding="3">'
        f"<thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<div style="color:#555;font-size:11px">{note}</div></details>'
    )


__all__ = ["CoControlRow", "cocontrol_panel"]
