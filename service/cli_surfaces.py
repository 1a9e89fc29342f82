"""``envmon surfaces import FILE --name N [--units U] | list [--day] | zonal ID [--day]``: rasters
the bureau supplies and the IDW surfaces, with area-weighted statistics per harbour zone."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path

import typer

from service.cli_common import cli_settings, open_store

app = typer.Typer(help="Surfaces: import a GeoTIFF (any CRS), list, statistics per zone.")


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--day") from None


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a GeoTIFF (.tif/.tiff)"),
    name: str = typer.Option(..., "--name", help="the surface's name; a new version if it exists"),
    units: str | None = typer.Option(None, "--units", help="units of the values"),
    who: str = typer.Option("", "--who", help="who imports (default: the login name)"),
) -> None:
    """Check FILE as an upload is checked (worker process, ``ENVMON_SURFACE_*`` limits) and store it."""
    # lazy: service.surfaces costs 713 ms at CLI start (docs/architecture.md)
    from service.surfaces import RefusedRaster, import_surface, refusal_message

    settings = cli_settings()
    data = file.read_bytes()
    with open_store(settings) as engine:
        try:
            row = import_surface(
                engine,
                settings,
                data,
                file.name,
                name=name,
                units=units,
                who=who or getpass.getuser(),
            )
        except RefusedRaster as exc:
            typer.echo(f"{file.name}: refused: [{exc.rule}] {refusal_message(exc)}", err=True)
            raise typer.Exit(1) from None
    superseded = f", supersedes raster-{row['supersedes_id']}" if row["supersedes_id"] else ""
    typer.echo(
        f"raster-{row['id']}\t{row['name']} version {row['version']}{superseded}\t"
        f"{row['width']}x{row['height']}x{row['bands']}\tsha256 {row['sha256'][:12]}"
    )


@app.command("list")
def list_(day: str | None = typer.Option(None, "--day", help="CST day (YYYY-MM-DD)")) -> None:
    """Every surface: the IDW surface of each pollutant, and each current imported raster."""
    # lazy: service.figures.surfaces costs 1231 ms at CLI start (docs/architecture.md)
    from service.figures.surfaces import surface_list

    with open_store() as engine:
        listed = surface_list(engine, _day(day))
    for s in listed.items:
        when = f"day {s.day}" if s.kind == "idw" else f"version {s.version}"
        demo = "\tdemo" if s.demo else ""
        typer.echo(f"{s.id}\t{s.name}\t{s.units or ''}\t{when}{demo}")


@app.command("zonal")
def zonal(
    surface_id: str = typer.Argument(..., help="idw-<pollutant> or raster-<id>"),
    day: str | None = typer.Option(None, "--day", help="CST day of an IDW surface"),
    band: int = typer.Option(1, "--band", min=1, help="band of a multi-band raster (1-based)"),
) -> None:
    """Area-weighted statistics of a surface per zone (tab-separated)."""
    # lazy: service.figures.surfaces costs 1231 ms at CLI start (docs/architecture.md)
    from service.figures.surfaces import UnknownSurface, surface_zonal

    settings = cli_settings()
    with open_store(settings) as engine:
        try:
            out = surface_zonal(engine, settings.store.data_dir, surface_id, _day(day), band=band)
        except UnknownSurface as exc:
            typer.echo(f"{exc.field}: {exc.message}", err=True)
            raise typer.Exit(1) from None

    def f(v: float | None) -> str:
        return "" if v is None else f"{v:.6g}"

    typer.echo(f"# {out.surface.name} ({out.surface.units or ''}) {out.surface.day or ''}")
    typer.echo("zone\tname\tmean\tmin\tmax\tsum\tcount\tcovered_km2\tzone_km2\tcovered_fraction")
    for z in out.zones:
        typer.echo(
            f"{z.zone}\t{z.name}\t{f(z.mean)}\t{f(z.min)}\t{f(z.max)}\t{f(z.sum)}\t{f(z.count)}\t"
            f"{f(z.covered_area_km2)}\t{f(z.zone_area_km2)}\t{f(z.covered_fraction)}"
        )
