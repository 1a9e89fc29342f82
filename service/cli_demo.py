"""``envmon demo status | purge``: see and remove the demo feed's simulated data."""

from __future__ import annotations

import typer

from service.cli_common import cli_settings, open_store
from service.clock import SystemClock

app = typer.Typer(help="The demo feed's simulated data: how much the store holds; purge it.")


@app.command("status")
def status() -> None:
    """How much demo data the store holds (0 everywhere: the store is ready for live mode)."""
    # lazy: service.store.demo_presence costs 270 ms at CLI start (docs/architecture.md)
    from service.store.demo_presence import demo_counts

    with open_store() as engine, engine.connect() as conn:
        counts = demo_counts(conn)
    typer.echo(f"demo data: {counts}")


@app.command("purge")
def purge(
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Delete everything the demo feed wrote (readings, samples, payloads, runs, demo stations)
    and rebuild the figures from what is left; the bureau's own data and imports stay."""
    # lazy: service.demo_guard costs 521 ms at CLI start (docs/architecture.md)
    from service.demo_guard import purge as purge_store
    from service.store.demo_presence import demo_counts

    settings = cli_settings(demo=False)
    with open_store(settings) as engine:
        with engine.connect() as conn:
            counts = demo_counts(conn)
        if not counts.any:
            typer.echo("no demo data in this store")
            return
        if not yes and not typer.confirm(f"delete the demo feed's data ({counts})?"):
            raise typer.Exit(1)
        removed, rebuilt = purge_store(engine, SystemClock())
    typer.echo(f"purged demo data: {removed}; figures rebuilt: {rebuilt} rows")
