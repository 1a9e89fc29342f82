"""``envmon init-db | collect | backfill | import-archive | import-lab``: the store and collection CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from tqdm import tqdm

from service.cli_common import cli_settings, open_store, recompute_touched, show_progress
from service.clock import SystemClock
from stations.collectors.base import Window
from stations.collectors.lab_files import LabFilesCollector
from stations.collectors.national_archive import NationalArchiveCollector, iter_archive_files
from stations.collectors.zone_monitors import ZoneMonitorFiles
from stations.cst import CST

if TYPE_CHECKING:
    from service.collect import RunResult

#: A time given without a zone on the command line is China Standard Time, as the bureau reads it.


def _parse_time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO date/time") from None
    return (t if t.tzinfo else t.replace(tzinfo=CST)).astimezone(dt.UTC)


def _echo_run(result: RunResult) -> None:
    c = result.counts
    typer.echo(
        f"{result.collector} {result.window.start:%Y-%m-%d %H:%M}..{result.window.end:%Y-%m-%d %H:%M}Z "
        f"{result.status}: payloads={result.fetched} inserted={c.inserted} revised={c.revised} "
        f"unchanged={c.unchanged} quarantined={c.quarantined} attempts={result.attempts}"
        + (f" error={result.error}" if result.error else "")
    )


def init_db(
    seed: bool = typer.Option(True, help="Seed stations and sections from the shipped geodata."),
) -> None:
    """Create or upgrade the store (Alembic head) and seed the station/section registry."""
    # lazy: service.store.engine costs 358 ms at CLI start (docs/architecture.md)
    from service.store.engine import writing
    from service.store.places import seed_places

    settings = cli_settings()
    with open_store(settings) as engine:
        if seed:
            with writing(engine) as conn:
                n_st, n_sec = seed_places(
                    conn, SystemClock().now(), include_demo=settings.feeds.demo_mode
                )
            typer.echo(f"stations: {n_st}, sections: {n_sec}")
        typer.echo(f"store ready: {engine.url.render_as_string(hide_password=True)}")


def collect(
    source: str = typer.Argument(
        ..., help="Collector name, e.g. cnemc_realtime, openaq, demo_air."
    ),
    since: str | None = typer.Option(None, help="Window start (ISO; no zone = CST)."),
    until: str | None = typer.Option(None, help="Window end, exclusive (ISO; default: now)."),
) -> None:
    """Run one configured collector now, over ``--since..--until`` or the gap since its last run."""
    # lazy: service.scheduler costs 752 ms at CLI start (docs/architecture.md)
    from service.scheduler import Collection, config_from_settings, floor_hour

    settings = cli_settings()
    config = config_from_settings(settings)
    names = [job.collector.name for job in config.jobs]
    if source not in names:
        typer.echo(f"unknown or unconfigured source {source!r}; configured: {names}", err=True)
        raise typer.Exit(2)
    clock = SystemClock()
    with open_store(settings) as engine:
        collection = Collection(engine, config, clock)
        try:
            start, end = _parse_time(since), _parse_time(until)
            if start is None and end is None:
                results = collection.collect(source, trigger="cli")
            else:
                end = end or floor_hour(clock.now()) + dt.timedelta(hours=1)
                start = start or end - config.backfill_max
                results = collection.collect_window(source, Window(start, end), trigger="cli")
        finally:
            collection.close()
    for result in results:
        _echo_run(result)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def backfill() -> None:
    """Fetch, for every configured collector, the gap since its last successful run (bounded)."""
    # lazy: service.scheduler costs 752 ms at CLI start (docs/architecture.md)
    from service.scheduler import Collection, config_from_settings

    settings = cli_settings()
    config = config_from_settings(settings)
    failed = False
    with open_store(settings) as engine:
        collection = Collection(engine, config, SystemClock())
        try:
            for job in config.jobs:
                for result in collection.collect(job.collector.name, trigger="backfill"):
                    _echo_run(result)
                    failed |= not result.ok
        finally:
            collection.close()
    if failed:
        raise typer.Exit(1)


def import_archive(
    directory: Path = typer.Argument(
        ..., exists=True, file_okay=False, help="Folder of CSV files."
    ),
    progress: bool | None = typer.Option(
        None, help="Show progress bars (default: only on a terminal)."
    ),
) -> None:
    """Import a folder of national hourly archive CSV files, then recompute the figures they touch;
    safe to interrupt and run again.

    Each file is archived, then its rows go in with one transaction; files already imported (same
    sha256) are skipped, so a rerun after a crash finishes the job with exact counts.
    """
    # lazy: service.collect costs 429 ms at CLI start (docs/architecture.md)
    from service.collect import import_file
    from service.store.ingest import IngestCounts

    parser = NationalArchiveCollector()
    clock = SystemClock()
    with open_store() as engine:
        files = list(iter_archive_files(directory))
        total, skipped = IngestCounts(), 0
        bar = tqdm(files, unit="file", disable=not show_progress(progress), desc="import-archive")
        try:
            for path in bar:
                result = import_file(engine, parser, parser.name, path, clock)
                total += result.counts
                skipped += result.skipped
                bar.set_postfix(inserted=total.inserted, refresh=False)
        finally:
            bar.close()
        typer.echo(
            f"files={len(files)} skipped={skipped} inserted={total.inserted} "
            f"revised={total.revised} unchanged={total.unchanged} quarantined={total.quarantined}"
        )
        recompute_touched(engine, progress=progress)


def import_lab(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Lab CSV or XLSX file."),
    progress: bool | None = typer.Option(
        None, help="Show a progress bar (default: only on a terminal)."
    ),
) -> None:
    """Import one laboratory result file (water samples), then recompute the section periods it
    touches; importing it again changes nothing.

    Sections are named by code, name or alias (the store's registry); a row naming a section the
    registry does not know is quarantined with its reason. A file that is not a lab file (no
    section and date columns, unreadable) is refused: exit status 1 with the reason.
    """
    # lazy: service.collect costs 429 ms at CLI start (docs/architecture.md)
    from service.collect import import_file
    from service.store.quarantine import rejection_summary

    parser = LabFilesCollector()
    with open_store(seed=True) as engine:
        result = import_file(engine, parser, parser.name, file, SystemClock())
        c = result.counts
        with engine.connect() as conn:
            reasons = rejection_summary(conn, result.payload_id)
        state = "already imported" if result.skipped else "imported"
        accepted = c.inserted + c.revised + c.unchanged
        whole = [r for r in reasons if r.field in ("payload", "header") and r.whole_file]
        if not result.skipped and accepted == 0 and c.quarantined:
            why = whole[0].reason if whole else reasons[0].reason if reasons else "no rows"
            typer.echo(f"error: {file.name} is not a usable lab file: {why}", err=True)
            raise typer.Exit(1)
        typer.echo(
            f"{file.name}: {state} (payload {result.payload_id}): inserted={c.inserted} "
            f"revised={c.revised} unchanged={c.unchanged} quarantined={c.quarantined}"
        )
        for r in reasons[:10]:
            typer.echo(f"  quarantined x{r.count}: {r.reason}")
        recompute_touched(engine, progress=progress)


def import_monitors(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="Monitor reading form, CSV or JSON."
    ),
) -> None:
    """Import one yard-boundary / in-plant / port monitor file (docs/supervision.md): NMHC, TVOC,
    NO, NOx, aromatics, PAMS species and AQI pollutants, converted to their stored units.

    Monitors are named by registry code, name or alias (import them with their zone first); a row
    naming no registry station, an unknown parameter or an unconvertible unit is quarantined with
    its reason. Importing the same file again changes nothing.
    """
    # lazy: service.collect costs 429 ms at CLI start (docs/architecture.md)
    from service.collect import import_file
    from service.store.quarantine import rejection_summary

    parser = ZoneMonitorFiles()
    with open_store(seed=True) as engine:
        result = import_file(engine, parser, parser.name, file, SystemClock())
        c = result.counts
        with engine.connect() as conn:
            reasons = rejection_summary(conn, result.payload_id)
        state = "already imported" if result.skipped else "imported"
        typer.echo(
            f"{file.name}: {state} (payload {result.payload_id}): inserted={c.inserted} "
            f"revised={c.revised} unchanged={c.unchanged} quarantined={c.quarantined}"
        )
        for r in reasons[:10]:
            typer.echo(f"  quarantined x{r.count}: {r.reason}")


def register(app: typer.Typer) -> None:
    """Add the store and collection commands to the ``envmon`` app."""
    app.command("init-db")(init_db)
    app.command("collect")(collect)
    app.command("backfill")(backfill)
    app.command("import-archive")(import_archive)
    app.command("import-lab")(import_lab)
    app.command("import-monitors")(import_monitors)
