"""The co-control panel fragment: figures as shown, and names from data made inert."""

from __future__ import annotations

from maps.cocontrol import CoControlRow, cocontrol_panel


def row(name: str, sufficient: bool = True) -> CoControlRow:
    return CoControlRow(name, 28.04, -12.5, 151.0, 3.456, 0.95, 0.99, 3, 14, 1, sufficient)


def test_figures_and_labels() -> None:
    html = cocontrol_panel([row("定海区")], "2026-ytd", "2026-12-05", "zh")
    assert "PM2.5—O3 协同控制" in html and "2026-ytd（至 2026-12-05）" in html
    assert "<td>28.0</td><td>-12.5%</td><td>151</td><td>3.46</td>" in html
    assert "<td>95.0%</td><td>99.0%</td><td>3/14/1</td>" in html
    assert "数据不足" not in html
    en = cocontrol_panel([row("Dinghai", sufficient=False)], "2026-03", "2026-03-05", "en")
    assert "<td>28.0*</td>" in en and "* insufficient data" in en and "Days lost" in en


def test_names_are_escaped() -> None:
    html = cocontrol_panel([row('<img src=x onerror="alert(1)">`${x}`')], "2026", "2026-12-31")
    assert "<img" not in html and "${" not in html and "&lt;img" in html
