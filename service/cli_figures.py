"""CLI commands for the figures: ``envmon ratio`` (offline, from archive files), ``envmon report``,
``envmon recompute``.

``envmon ratio`` — hour convention assumed
    The national hourly archive (quotsoft layout, ``date,hour,type,<stations>``) labels each hour by
    its END, as the national release does ("16时的小时均值为15:00-16:00的算术平均值"): row
    ``date=D, hour=H`` covers ``H-1:00..H:00`` China Standard Time, so hour 0 of file D is the last
    hour (23:00-24:00) of day D-1, and natural day D is made of ``D 01:00 .. D+1 00:00``. Put the
    file of January 1 of the next year in the folder to complete December 31 (without it that day
    has 23 hours, still enough for the 20-hour rule). Only the measured hourly rows (``PM2.5, PM10,
    SO2, NO2, O3, CO``) are used; the file's own ``_24h``/``O3_8h``/``AQI`` rows are ignored and
    recomputed under HJ 663 validity (>= 20 hours a day, O3 8-h windows ending 08..24 h).

    The city day is the mean of the named stations' valid daily concentrations, then IAQI/AQI
    (never the mean of station AQIs). The standard follows the day (HJ 633-2012 before 2026-03-01,
    HJ 633-2026 from then on) unless ``--standard`` forces one.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
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
from service.cli_common import cli_settings, fail, open_store
from service.clock import SystemClock
from stations.collectors.national_archive import HOUR_CONVENTION
from stations.ratios import days_by_level, excellent_good_ratio, excellent_ratio
from stations.standards import level_info

if TYPE_CHECKING:
    from service.figures.archive_days import Engine


@dataclass(slots=True)
class ArchiveRatio:
    """Result of ``envmon ratio``."""

    year: int
    stations: list[str]
    stations_missing: list[str]
    files: int
    calendar_days: int
    valid_days: int
    excellent_good_days: int
    excellent_days: int
    ratio: float | None
    percent_display: str
    days_by_level: dict[int, int]
    standards: list[str]
    left_out: dict[str, int] = field(default_factory=dict)
    bad_files: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object (``days_by_level`` keys are the levels 1..6)."""
        return {
            "year": self.year,
            "stations": self.stations,
            "stations_missing": self.stations_missing,
            "files": self.files,
            "calendar_days": self.calendar_days,
            "valid_days": self.valid_days,
            "excellent_good_days": self.excellent_good_days,
            "excellent_days": self.excellent_days,
            "ratio": self.ratio,
            "percent": self.percent_display,
            "days_by_level": {str(k): v for k, v in self.days_by_level.items()},
            "standards": self.standards,
            "left_out": self.left_out,
            "bad_files": self.bad_files,
            "hour_convention": HOUR_CONVENTION,
        }


def archive_ratios(
    archive: Path,
    station_names: list[str],
    first_year: int,
    last_year: int,
    standard: str | None = None,
    *,
    workers: int = 1,
    skip_bad_files: bool = False,
    progress: bool = False,
    engine: Engine = "dask",
    scheduler: str | None = None,
) -> list[ArchiveRatio]:
    """优良天数比例 of each year ``first_year .. last_year`` for the mean of ``station_names``, from
    one pass over a folder of archive files or a Zarr store in bounded memory
    (``service.figures.archive_days``: only the city days are gathered); an unreadable file raises
    ``BadArchiveFile`` unless ``skip_bad_files``. ``files`` of each year is the files of the run."""
    # lazy: service.figures.archive_days costs 879 ms at CLI start (docs/architecture.md)
    from service.figures.archive_days import read_archive_days

    label = f"ratio {first_year}" + (f"-{last_year}" if last_year != first_year else "")
    got = read_archive_days(
        archive,
        station_names,
        dt.date(first_year, 1, 1),
        dt.date(last_year, 12, 31),
        standard,
        workers=workers,
        skip_bad_files=skip_bad_files,
        progress=label if progress else None,
        engine=engine,
        scheduler=scheduler,
        city_only=True,
    )
    city = got.city_days(standard)
    years = pd.to_datetime(city["date"]).dt.year if not city.empty else None
    out = []
    for year in range(first_year, last_year + 1):
        part = city if years is None else city[(years == year).to_numpy()]
        result = _year_ratio(part, year)
        result.stations, result.stations_missing = sorted(got.stations), got.stations_missing
        result.files, result.bad_files = got.files, got.bad_files
        out.append(result)
    return out


def archive_ratio(
    archive: Path,
    station_names: list[str],
    year: int,
    standard: str | None = None,
    *,
    workers: int = 1,
    skip_bad_files: bool = False,
    progress: bool = False,
    engine: Engine = "dask",
    scheduler: str | None = None,
) -> ArchiveRatio:
    """优良天数比例 of ``year`` (:func:`archive_ratios` of one year)."""
    return archive_ratios(
        archive,
        station_names,
        year,
        year,
        standard,
        workers=workers,
        skip_bad_files=skip_bad_files,
        progress=progress,
        engine=engine,
        scheduler=scheduler,
    )[0]


def _year_ratio(city: pd.DataFrame, year: int) -> ArchiveRatio:
    """The ratio of ``year`` from its city days (stations and files are filled in by the caller)."""
    calendar = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    if city.empty:
        levels: dict[int, int] = dict.fromkeys(range(1, 7), 0)
        empty = ArchiveRatio(year, [], [], 0, calendar, 0, 0, 0, None, "—", levels, [])
        empty.left_out = {"no_data": calendar}
        return empty
    counted = city["aqi"].where(city["ratio_valid"].astype(bool))
    eg, ex = excellent_good_ratio(counted.to_numpy()), excellent_ratio(counted.to_numpy())
    n_rows = len(city)
    return ArchiveRatio(
        year=year,
        stations=[],
        stations_missing=[],
        files=0,
        calendar_days=calendar,
        valid_days=eg.denominator,
        excellent_good_days=eg.numerator,
        excellent_days=ex.numerator,
        ratio=eg.value,
        percent_display=eg.percent_display,
        days_by_level=days_by_level(counted.to_numpy()),
        standards=sorted(set(city["standard"].astype(str))),
        left_out={
            "no_data": calendar - n_rows,
            "incomplete": int(n_rows - eg.denominator),
        },
    )


def _level_names() -> dict[int, tuple[str, str]]:
    return {lv: (level_info(lv).category_zh, level_info(lv).category_en) for lv in range(1, 7)}


TO_YEAR = typer.Option(
    None,
    "--to-year",
    min=2000,
    max=2100,
    help="Last year of a run of years: one ratio per year from --year to it, in one pass over the "
    "files (--json: one object per year, in a list).",
)


def ratio(
    archive: Path = ARCHIVE,
    stations: str = STATIONS,
    year: int = YEAR,
    to_year: int | None = TO_YEAR,
    standard: str | None = STANDARD,
    as_json: bool = AS_JSON,
    workers: int = WORKERS,
    skip_bad_files: bool = SKIP_BAD_FILES,
    engine: str = ENGINE,
) -> None:
    """优良天数比例 of a year (or of each year to --to-year) from archive files: the city day is
    the mean of the named stations.

    Reads the files in chunks of days (or the Zarr store --archive names); a file that cannot be
    read stops the command with its name (exit 2) unless --skip-bad-files lists it in the output.
    ENVMON_DASK_SCHEDULER=tcp://host:port runs the same graph on that dask.distributed cluster.
    """
    names, standard = station_names(stations), checked_standard(standard)
    chosen, scheduler = archive_engine(engine), dask_scheduler()
    last = year if to_year is None else to_year
    if last < year:
        raise typer.BadParameter("must not be before --year", param_hint="--to-year")
    with readable_archive("ratio"):
        results = archive_ratios(
            archive,
            names,
            year,
            last,
            standard,
            workers=workers,
            skip_bad_files=skip_bad_files,
            progress=sys.stderr.isatty(),
            engine=chosen,
            scheduler=scheduler,
        )
    if as_json:
        got: Any = [r.as_json() for r in results] if to_year is not None else results[0].as_json()
        typer.echo(json.dumps(got, ensure_ascii=False))
        return
    for result in results:
        _echo_year(result)
    first = results[0]
    typer.echo(f"stations: {', '.join(first.stations) or '—'}")
    if first.stations_missing:
        typer.echo(f"not found in any file: {', '.join(first.stations_missing)}")
    echo_bad_files(first.bad_files)
    typer.echo(f"hour convention: {HOUR_CONVENTION}")


def _echo_year(result: ArchiveRatio) -> None:
    """The text lines of one year's ratio."""
    labels = _level_names()
    typer.echo(f"{result.year} 优良天数比例 / excellent-good ratio: {result.percent_display}")
    typer.echo(
        f"有效天数 valid days {result.valid_days} / {result.calendar_days}; "
        f"优良 {result.excellent_good_days}; 优 {result.excellent_days}"
    )
    for lv, n in result.days_by_level.items():
        zh, en = labels[lv]
        typer.echo(f"  {lv} {zh} ({en}): {n}")
    typer.echo(f"standard(s): {', '.join(result.standards) or '—'}; left out: {result.left_out}")


def report(
    district: str = typer.Option(..., "--district", help="District code (e.g. 330902) or 'city'."),
    month: str | None = typer.Option(None, "--month", help="YYYY-MM: monthly report."),
    year: int | None = typer.Option(None, "--year", help="YYYY: yearly report."),
    fmt: str = typer.Option("html", "--format", help="html or pdf."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="File to write."),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en."),
) -> None:
    """Monthly or yearly report of a district or the city, as HTML or PDF."""
    # lazy: service.reports costs 1087 ms at CLI start (docs/architecture.md)
    from service.figures.report_data import build_report
    from service.reports import render_html, render_pdf

    if (month is None) == (year is None):
        raise typer.BadParameter("give exactly one of --month YYYY-MM or --year YYYY")
    if fmt not in ("html", "pdf"):
        raise typer.BadParameter("html or pdf", param_hint="--format")
    if not out.parent.is_dir():
        fail(f"envmon report: --out: the folder {out.parent} does not exist")
    with open_store() as engine:
        try:
            data = build_report(engine, SystemClock(), district, month or f"{year:04d}")
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    if fmt == "html":
        out.write_text(render_html(data, lang), encoding="utf-8")
    else:
        out.write_bytes(render_pdf(data, lang))
    typer.echo(f"wrote {out}")


def recompute_cmd(
    full: bool = typer.Option(
        False, "--full", help="Rebuild every figure, not only the dirty days."
    ),
) -> None:
    """Recompute station, district and city days and section periods now, then evaluate the
    alerts on the new figures (their messages wait in the outbox for the delivery worker)."""
    # lazy: service.alerts.evaluate costs 808 ms at CLI start (docs/architecture.md)
    from service.alerts.evaluate import evaluate_now
    from service.compute import recompute, recompute_all

    settings = cli_settings()
    with open_store(settings) as engine:
        clock = SystemClock()
        r = (recompute_all if full else recompute)(engine, clock)
        alerts = evaluate_now(engine, clock, settings)
    typer.echo(
        f"station days {r.station_days}, district days {r.district_days}, "
        f"section periods {r.section_periods}"
    )
    typer.echo(
        f"alerts: {alerts.transitions} changed, {alerts.messages} messages queued"
        + (f" (skipped: {', '.join(alerts.skipped)})" if alerts.skipped else "")
    )


def register(app: typer.Typer) -> None:
    """Add the figure commands to the ``envmon`` app."""
    app.command("ratio")(ratio)
    app.command("report")(report)
    app.command("recompute")(recompute_cmd)
