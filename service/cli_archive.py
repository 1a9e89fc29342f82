"""What ``envmon ratio`` and ``envmon assess`` share: their archive options, the station list and
standard checks, and an unreadable archive file as a one-line user error (exit 2)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import typer

from service.archive import BadArchiveFile
from service.cli_common import cli_settings, fail
from stations.standards import normalise_standard

ARCHIVE = typer.Option(
    ...,
    "--archive",
    exists=True,
    file_okay=False,
    help="Folder of national hourly archive CSV files, or a Zarr store written by "
    "'envmon archive to-zarr'.",
)
STATIONS = typer.Option(
    ..., "--stations", help="Comma-separated station codes or names (as in the file header)."
)
YEAR = typer.Option(..., "--year", min=2000, max=2100)
STANDARD = typer.Option(
    None, "--standard", help="HJ633-2012 or HJ633-2026 (and the matching GB 3095); default: by day."
)
AS_JSON = typer.Option(False, "--json", help="Print one JSON object.")


def workers_option(help_text: str) -> Any:
    """``--workers``: how many parse the files (default 2, at most the cores), told by ``help_text``."""
    return typer.Option(min(2, os.cpu_count() or 1), "--workers", min=1, max=64, help=help_text)


WORKERS = workers_option(
    "Workers that parse files in parallel (dask engine: threads; memory engine: processes; "
    "1: in this process); unused when ENVMON_DASK_SCHEDULER names a cluster."
)
SKIP_BAD_FILES = typer.Option(
    False,
    "--skip-bad-files",
    help="List unreadable files and go on, instead of stopping at the first one.",
)

ENGINE = typer.Option(
    "dask",
    "--engine",
    help="dask: files parsed in chunks of days, daily values on xarray + Dask + flox (memory "
    "follows the workers, not the period); memory: one array of the period in this process. "
    "Same answer.",
)


def archive_engine(value: str) -> Literal["dask", "memory"]:
    """The ``--engine`` of the archive commands (``service.figures.archive_days``)."""
    if value == "dask":
        return "dask"
    if value == "memory":
        return "memory"
    raise typer.BadParameter("dask or memory", param_hint="--engine")


def dask_scheduler() -> str | None:
    """``ENVMON_DASK_SCHEDULER`` (a wrong value ends the command naming it, exit 2)."""
    return cli_settings().archive.dask_scheduler


def station_names(stations: str) -> list[str]:
    """The codes or names of ``--stations`` (at least one)."""
    names = [s.strip() for s in stations.split(",") if s.strip()]
    if not names:
        raise typer.BadParameter("give at least one station", param_hint="--stations")
    return names


def checked_standard(standard: str | None) -> str | None:
    """``--standard`` in its normal spelling (``None``: by day)."""
    if standard is None:
        return None
    try:
        return normalise_standard(standard)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--standard") from exc


@contextmanager
def readable_archive(command: str) -> Iterator[None]:
    """An unreadable archive file ends ``envmon COMMAND`` with one line naming it (exit 2)."""
    try:
        yield
    except BadArchiveFile as exc:
        fail(
            f"envmon {command}: cannot read {exc.path} ({exc.reason}); "
            "remove it from the folder or pass --skip-bad-files"
        )


def echo_bad_files(bad_files: list[str]) -> None:
    """The unreadable files ``--skip-bad-files`` passed over."""
    if bad_files:
        typer.echo(f"unreadable files skipped ({len(bad_files)}):")
        for line in bad_files:
            typer.echo(f"  {line}")


__all__ = [
    "ARCHIVE",
    "AS_JSON",
    "SKIP_BAD_FILES",
    "STANDARD",
    "STATIONS",
    "WORKERS",
    "YEAR",
    "checked_standard",
    "dask_scheduler",
    "echo_bad_files",
    "readable_archive",
    "station_names",
    "workers_option",
]
