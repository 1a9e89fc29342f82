"""``envmon stations|sections import FILE | list | history``: the bureau's registry.

``import`` reads a CSV (Chinese or English headers), XLSX or GeoJSON file, refuses it naming every
bad row, or stores it as a new registry version and recomputes the days of every station or section
it added or changed (progress bar on a terminal, one summary line otherwise).
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Literal

import typer
from tqdm import tqdm

from service.cli_common import bar_step, cli_settings, open_store, show_progress
from service.clock import SystemClock


def _import_file(
    kind: Literal["stations", "sections"],
    file: Path,
    datum: str | None,
    who: str,
    progress: bool | None,
) -> None:
    """Check ``file`` and store its rows as the new registry version, recompute, then let the
    alerts judge the new figures."""
    # lazy: service.alerts.evaluate costs 808 ms at CLI start (docs/architecture.md)
    from service.alerts.evaluate import evaluate_now
    from service.registry import RegistryFileError, import_registry

    with open_store(seed=True) as engine:
        bar = tqdm(unit="day", desc="recompute", disable=not show_progress(progress))
        try:
            result = import_registry(
                engine,
                kind,
                file.read_bytes(),
                file.name,
                who=who or getpass.getuser(),
                clock=SystemClock(),
                datum=datum,
                progress=bar_step(bar),
            )
        except RegistryFileError as exc:
            bar.close()
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        bar.close()
    for line in result.messages:
        typer.echo(line)
    r = result.recomputed
    typer.echo(
        f"recomputed: station_days={r.station_days} district_days={r.district_days} "
        f"section_periods={r.section_periods}"
    )
    # The alerts judge the new registry's figures at once (issue 18), as the other imports do.
    with open_store(seed=True) as engine:
        alerts = evaluate_now(engine, SystemClock(), cli_settings())
    typer.echo(f"alerts: {alerts.transitions} changed, {alerts.messages} messages queued")


def _list(kind: Literal["stations", "sections"], as_json: bool) -> None:
    # lazy: service.registry costs 522 ms at CLI start (docs/architecture.md)
    from service.registry import registry_table

    with open_store(seed=True) as engine:
        rows = registry_table(engine, kind)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return
    for r in rows:
        where = "" if r["lon"] is None else f" ({r['lon']:.5f}, {r['lat']:.5f})"
        demo = " [demo]" if r["demo"] else ""
        typer.echo(f"{r['code']}\t{r['name']}\t{r['district_code'] or '-'}{where}{demo}")


def _history(kind: Literal["stations", "sections"]) -> None:
    # lazy: service.registry costs 522 ms at CLI start (docs/architecture.md)
    from service.registry import history

    with open_store() as engine:
        rows = history(engine, kind)
    if not rows:
        typer.echo(f"no imported versions: the shipped {kind} are current")
    for r in rows:
        typer.echo(
            f"v{r['id']} {r['imported_at']:%Y-%m-%d %H:%M}Z {r['who']} {r['file_name']} "
            f"rows={r['row_count']} added={r['added']} changed={r['changed']} "
            f"sha256={r['sha256'][:12]}"
        )


def _app(kind: Literal["stations", "sections"]) -> typer.Typer:
    what = "air stations (监测站点)" if kind == "stations" else "surface-water sections (断面)"
    app = typer.Typer(help=f"The bureau's registry of {what}: import a file, list, history.")

    @app.command("import")
    def import_(
        file: Path = typer.Argument(
            ..., exists=True, dir_okay=False, help="CSV (zh or en headers), XLSX or GeoJSON."
        ),
        datum: str | None = typer.Option(
            None,
            help="Datum of coordinates without a datum column: WGS-84 (default), "
            "CGCS2000 or GCJ-02 (converted to WGS-84).",
        ),
        who: str = typer.Option("", "--who", help="Who imports (default: the login name)."),
        progress: bool | None = typer.Option(
            None, help="Show a progress bar (default: only on a terminal)."
        ),
    ) -> None:
        """Check FILE and store its rows as the new registry version (all or nothing), then
        recompute the figures of what it added or changed."""
        _import_file(kind, file, datum, who, progress)

    @app.command("list")
    def list_(as_json: bool = typer.Option(False, "--json", help="JSON rows.")) -> None:
        """The current registry (shipped rows plus the bureau's imports)."""
        _list(kind, as_json)

    @app.command("history")
    def history_() -> None:
        """Every registry import of this kind, newest first."""
        _history(kind)

    return app


stations_app = _app("stations")
sections_app = _app("sections")
