"""``envmon zones import FILE [--who] | export OUT [--format] | history``: the bureau's harbour zones."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from service.cli_common import cli_settings, open_store

app = typer.Typer(help="Harbour ship-pollution zones: import a notice file, export, history.")


@app.command("import")
def import_(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="GeoJSON, KML, GPKG, .zip (Shapefile) or CSV"
    ),
    who: str = typer.Option("", "--who", help="Who imports (default: the login name)."),
) -> None:
    """Validate FILE and store it as the new current zone version (all or nothing).

    The file is parsed in a worker process under the ``ENVMON_ZONE_*`` limits, as uploads are;
    the command waits for it (Ctrl-C stops the worker too).
    """
    # lazy: service.zone_jobs costs 588 ms at CLI start (docs/architecture.md)
    from service.zone_jobs import problem_dicts, worker_limits
    from service.zones import ZoneValidationError, import_zone_file

    settings = cli_settings()
    with open_store(settings) as engine:
        try:
            result = import_zone_file(
                engine, file, who=who or getpass.getuser(), worker=worker_limits(settings)
            )
        except ZoneValidationError as exc:
            typer.echo(f"{exc.source}: refused, {len(exc.problems)} problem(s):", err=True)
            for p in problem_dicts(exc):
                typer.echo(f"  - {p['field']}: [{p['rule']}] {p['message']}", err=True)
            raise typer.Exit(1) from None
    for line in result.messages:
        typer.echo(line)


@app.command("export")
def export(
    out: Path = typer.Argument(..., dir_okay=False, help="Output file."),
    fmt: str = typer.Option("geojson", "--format", help="geojson, gpkg, csv or kml"),
) -> None:
    """Write the current zones to OUT."""
    # lazy: service.zones costs 525 ms at CLI start (docs/architecture.md)
    from service.zones import export_zones

    with open_store() as engine:
        try:
            export_zones(engine, out, fmt)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--format") from None
    typer.echo(str(out))


@app.command("history")
def history() -> None:
    """List every zone version, newest first."""
    # lazy: service.zones costs 525 ms at CLI start (docs/architecture.md)
    from service.zones import zone_history

    with open_store() as engine:
        rows = zone_history(engine)
    if not rows:
        typer.echo("no imported versions: the shipped zones are current")
    for r in rows:
        state = "current" if r["current"] else f"superseded by {r['superseded_by']}"
        typer.echo(
            f"{r['id']}\t{r['imported_at']:%Y-%m-%dT%H:%M:%SZ}\t{r['who']}\t{r['file_name']}\t"
            f"{r['feature_count']} zone(s)\tsha256 {r['sha256'][:12]}\t{state}"
        )
