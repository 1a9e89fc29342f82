"""``envmon assess``: HJ 663 assessment statistics of a year from archive files (offline).

The city value is the mean of the named stations' valid daily values, as in ``envmon ratio`` (same
reading path and hour convention: ``service.figures.archive_days``). ``--json`` prints one object
whose ``annual`` member holds PM25, PM10, SO2, NO2 (µg/m³ means), CO_24h_p95 (mg/m³), O3_8h_p90
(µg/m³) and composite_index, beside the sufficiency of each.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from service.cli_archive import (
    ARCHIVE,
    AS_JSON,
    ENGINE,
    SKIP_BAD_FILES,
    STANDARD,
    STATIONS,
    WORKERS,
    YEAR,
    archive_engine,
    checked_standard,
    dask_scheduler,
    echo_bad_files,
    readable_archive,
    station_names,
)

_NAMES = {
    "PM25": ("PM2.5 年均", "µg/m³"),
    "PM10": ("PM10 年均", "µg/m³"),
    "SO2": ("SO2 年均", "µg/m³"),
    "NO2": ("NO2 年均", "µg/m³"),
    "CO_24h_p95": ("CO 日均第95百分位", "mg/m³"),
    "O3_8h_p90": ("O3 日最大8小时第90百分位", "µg/m³"),
}


def _fmt(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _print_text(out: dict[str, Any]) -> None:
    annual = out["annual"]
    typer.echo(f"{out['year']} 环境空气质量评价 / HJ 663 assessment (city = mean of stations)")
    typer.echo(f"{'statistic':<28}{'value':>9}{'limit':>8}  meets  days/required")
    for key, (zh, unit) in _NAMES.items():
        s = annual["sufficiency"][key]
        lim = out["limits"][key]
        meets = {True: "yes", False: "no", None: "—"}[lim["meets"]]
        flag = "" if s["sufficient"] else "  insufficient"
        typer.echo(
            f"{zh + ' ' + unit:<28}{_fmt(annual[key], 2 if key == 'CO_24h_p95' else 1):>9}"
            f"{lim['limit']:>8g}  {meets:<5}  {s['days']}/{s['required']}{flag}"
        )
    comp = out["composite"]
    typer.echo(
        f"综合指数 composite index: {_fmt(annual['composite_index'], 2)} "
        f"(largest: {comp['largest'] or '—'}; limits {comp['edition']})"
    )
    days = out["days"]
    ratio = days["excellent_good_ratio"]
    no_o3 = days["ratio_without_o3"]
    typer.echo(
        f"优良天数比例 {_fmt(None if ratio is None else ratio * 100)} % "
        f"({days['excellent_good']}/{days['valid']}); 不计臭氧 without O3 "
        f"{_fmt(None if no_o3 is None else no_o3 * 100)} %"
    )
    typer.echo(
        f"lost to PM2.5 {days['lost_PM25']}, O3 {days['lost_O3']}, both {days['lost_PM25_O3']}, "
        f"other {days['lost_other']}"
    )
    typer.echo(f"stations: {', '.join(out['stations']) or '—'}")
    if out["stations_missing"]:
        typer.echo(f"not found in any file: {', '.join(out['stations_missing'])}")


def assess_cmd(
    archive: Path = ARCHIVE,
    stations: str = STATIONS,
    year: int = YEAR,
    standard: str | None = STANDARD,
    as_json: bool = AS_JSON,
    workers: int = WORKERS,
    skip_bad_files: bool = SKIP_BAD_FILES,
    engine: str = ENGINE,
) -> None:
    """HJ 663 statistics of a year (means, CO p95, O3 p90, composite index, sufficiency) from
    archive files; a file that cannot be read stops the command with its name (exit 2) unless
    --skip-bad-files lists it in the output."""
    names, standard = station_names(stations), checked_standard(standard)
    chosen, scheduler = archive_engine(engine), dask_scheduler()
    # lazy: service.figures.archive_assessment costs 977 ms at CLI start (docs/architecture.md)
    from service.figures.archive_assessment import archive_assessment

    with readable_archive("assess"):
        out = archive_assessment(
            archive,
            names,
            year,
            standard,
            workers=workers,
            skip_bad_files=skip_bad_files,
            progress=f"assess {year}" if sys.stderr.isatty() else None,
            engine=chosen,
            scheduler=scheduler,
        )
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    _print_text(out)
    echo_bad_files(out["bad_files"])


def register(app: typer.Typer) -> None:
    """Add ``envmon assess`` to the ``envmon`` app."""
    app.command("assess")(assess_cmd)
