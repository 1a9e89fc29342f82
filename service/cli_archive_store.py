"""``envmon archive to-zarr ARCHIVE_DIR OUT.zarr``: an archive folder as a Zarr store, parsed once
for repeated questions (``envmon ratio`` and ``envmon assess`` take the store as ``--archive``).

The store is written by the same Dask graph as ``envmon ratio`` (``service.archive_zarr``), on the
``ENVMON_DASK_SCHEDULER`` cluster when one is set, else in ``--workers`` local threads; a file that
cannot be read stops the command with its name (exit 2) unless ``--skip-bad-files`` lists it (in the
output and in the store).
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path

import typer

from service.cli_archive import (
    AS_JSON,
    SKIP_BAD_FILES,
    dask_scheduler,
    echo_bad_files,
    readable_archive,
    workers_option,
)
from service.cli_common import fail

app = typer.Typer(help="National hourly archive folders: convert for repeated questions.")


@app.command("to-zarr")
def to_zarr(
    archive: Path = typer.Argument(
        ..., exists=True, file_okay=False, help="Folder of national hourly archive CSV files."
    ),
    out: Path = typer.Argument(..., help="The Zarr store to write (must not exist)."),
    workers: int = workers_option(
        "Threads that parse files in parallel (1: in this process); unused when "
        "ENVMON_DASK_SCHEDULER names a cluster."
    ),
    skip_bad_files: bool = SKIP_BAD_FILES,
    as_json: bool = AS_JSON,
) -> None:
    """Write the hourly values of every station of ARCHIVE_DIR (float32, or float64 when a value
    has more than 3 decimals; chunks of 128 stations x 32 days) to OUT.zarr, with the files it
    read and those it could not."""
    # lazy: service.archive_zarr costs 763 ms at CLI start (docs/architecture.md)
    from service import dask_run
    from service.archive_zarr import write_store

    if out.exists():
        fail(f"envmon archive to-zarr: {out} exists; give a new path")
    compute = partial(
        dask_run.compute,
        scheduler=dask_scheduler(),
        workers=workers,
        progress="to-zarr" if sys.stderr.isatty() else None,
    )
    try:
        with readable_archive("archive to-zarr"):
            summary = write_store(archive, out, compute=compute, skip_bad_files=skip_bad_files)
    except ValueError as exc:  # no dated file
        fail(f"envmon archive to-zarr: {exc}")
    if as_json:
        typer.echo(json.dumps(summary.as_json(), ensure_ascii=False))
        return
    typer.echo(
        f"wrote {summary.store}: {summary.stations} stations, days {summary.first} .. "
        f"{summary.last}, {summary.files} files read, {summary.refused} cells refused, "
        f"values as {summary.dtype}"
    )
    echo_bad_files(summary.bad_files)
