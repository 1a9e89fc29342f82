"""``envmon sea import FILE | points | areas | history``: the bureau's nearshore seawater registry.

``import`` reads a GeoJSON file of monitoring points (Point features) and bays / functional zones
(Polygon features), or a CSV / XLSX of points, refuses it naming every bad row, or stores it as a new
``sea`` registry version (all or nothing). Coordinates in GCJ-02 are converted to WGS-84.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer

from service.cli_common import open_store
from service.clock import SystemClock
from stations.cst import CST

app = typer.Typer(
    help="The bureau's nearshore seawater points and bays (海水点位, 海湾): import, list, history."
)


@app.command("import")
def import_(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="GeoJSON (Point = monitoring point, Polygon = bay / zone), or CSV/XLSX of points.",
    ),
    datum: str | None = typer.Option(
        None,
        help="Datum of coordinates without a datum column: WGS-84 (default), "
        "CGCS2000 or GCJ-02 (converted to WGS-84).",
    ),
    who: str = typer.Option("", "--who", help="Who imports (default: the login name)."),
) -> None:
    """Check FILE and store its points and bays as the new sea registry version (all or nothing)."""
    # lazy: service.sea_registry costs 473 ms at CLI start (docs/architecture.md)
    from service.sea_registry import RegistryFileError, import_sea

    with open_store(seed=True) as engine:
        try:
            result = import_sea(
                engine,
                file.read_bytes(),
                file.name,
                who=who or getpass.getuser(),
                clock=SystemClock(),
                datum=datum,
            )
        except RegistryFileError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    for line in result.messages:
        typer.echo(line)


def _list(which: str, as_json: bool) -> None:
    # lazy: service.sea_registry costs 473 ms at CLI start (docs/architecture.md)
    from service.sea_registry import sea_table

    with open_store(seed=True) as engine:
        rows = sea_table(engine, which)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return
    for r in rows:
        where = f" ({r['lon']:.5f}, {r['lat']:.5f})" if which == "points" else ""
        area = f" {r['area_km2']:.2f} km²" if which == "areas" and r["area_km2"] else ""
        demo = " [demo]" if r["demo"] else ""
        target = r["target_class"] or "-"
        typer.echo(
            f"{r['code']}\t{r['name']}\t{r['district_code'] or '-'}\t{target}{where}{area}{demo}"
        )


@app.command("points")
def points(as_json: bool = typer.Option(False, "--json", help="JSON rows.")) -> None:
    """The current seawater monitoring points (demo rows marked [demo])."""
    _list("points", as_json)


@app.command("areas")
def areas(as_json: bool = typer.Option(False, "--json", help="JSON rows.")) -> None:
    """The current bays and functional zones with their target class."""
    _list("areas", as_json)


@app.command("history")
def history_() -> None:
    """Every sea registry import, newest first."""
    # lazy: service.sea_registry costs 473 ms at CLI start (docs/architecture.md)
    from service.sea_registry import sea_history

    with open_store() as engine:
        rows = sea_history(engine)
    if not rows:
        typer.echo("no imported versions: only the demo sea places (if any) are current")
    for r in rows:
        typer.echo(
            f"v{r['id']} {r['imported_at']:%Y-%m-%d %H:%M}Z {r['who']} {r['file_name']} "
            f"rows={r['row_count']} added={r['added']} changed={r['changed']} "
            f"sha256={r['sha256'][:12]}"
        )


@app.command("figures")
def figures(
    period: str = typer.Option("", help="YYYY or YYYY-MM (CST); default: the current year."),
    as_json: bool = typer.Option(False, "--json", help="The figures as JSON."),
) -> None:
    """Each point's GB 3097 class and the 优良（一、二类）比例 per bay, district and the city."""
    # lazy: service.figures.sea costs 667 ms at CLI start (docs/architecture.md)
    from service.figures.sea import PeriodError, sea_figures

    chosen = period or f"{SystemClock().now().astimezone(CST).year:04d}"
    with open_store(seed=True) as engine:
        try:
            out = sea_figures(engine, chosen)
        except PeriodError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    if as_json:
        typer.echo(out.model_dump_json(indent=1))
        return
    for p in out.points:
        demo = " [demo]" if p.demo else ""
        met = "-" if p.meets_target is None else ("meets" if p.meets_target else "misses")
        typer.echo(
            f"{p.code}\t{p.name}\t{p.sea_class or '-'}\ttarget {p.target_class or '-'} {met}\t"
            f"{','.join(p.deciding_items) or '-'}\tn={p.n_samples}{demo}"
        )
    for r in (*out.areas, *out.districts, out.city):
        if not r.by_points.denominator:
            continue
        area = "-" if r.by_area is None else f"{r.by_area * 100:.1f}%"
        target = (
            "" if r.target is None else f"\ttarget {r.target * 100:.1f}% budget {r.budget_points}"
        )
        typer.echo(
            f"{r.scope} {r.code}\t{r.by_points.percent}% ({r.by_points.numerator}/"
            f"{r.by_points.denominator}) by points, {area} by area{target}"
        )
