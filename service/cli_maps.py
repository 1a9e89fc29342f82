"""``envmon render-maps OUTDIR``: static staff and public maps for offline use.

Writes ``staff.html`` and ``public.html`` (its layers as ``data:`` URLs, since a file page cannot
call the API) and copies the front-end files they load into ``OUTDIR/static/vendor``; the pages
name them by relative URL, so the folder works from a USB stick with no network.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from maps.i18n import t as map_t
from maps.staff_layers import slider_windows
from service.cli_common import cli_settings, fail, open_store
from service.clock import SystemClock

if TYPE_CHECKING:
    import folium
    from sqlalchemy import Engine

    from maps.public import LayerSource
    from maps.staff import MapData
    from service.clock import Clock
    from service.figures.staff_layers import LayerRequest

#: Extra files a page loads through CSS (fonts, images), per vendor package.
CSS_DEPENDENCIES = {"leaflet": ("images",), "font-awesome": ("webfonts",)}


def copy_vendor(out: Path) -> int:
    """Copy the files the pages use (and what their CSS loads) under ``out/static/vendor``."""
    # lazy: maps.assets costs 52 ms at CLI start (docs/architecture.md)
    from maps.assets import FILES, vendor_dirs

    dirs = vendor_dirs()
    count = 0
    wanted: set[tuple[str, str]] = set(FILES.values())
    for package, extras in CSS_DEPENDENCIES.items():
        base = dirs[package]
        for extra in extras:
            wanted |= {
                (package, str(p.relative_to(base)))
                for p in (base / extra).rglob("*")
                if p.is_file()
            }
    for package, rel in sorted(wanted):
        if package not in dirs or not (dirs[package] / rel).is_file():
            continue
        target = out / "static" / "vendor" / package / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dirs[package] / rel, target)
        count += 1
    return count


def _data_url(obj: object) -> str:
    raw = json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8")
    return "data:application/json;base64," + base64.b64encode(raw).decode("ascii")


def _static_staff_map(
    engine: Engine, clock: Clock, req: LayerRequest, shown_time: str, demo: bool
) -> folium.Map:
    """The staff map with every layer and slider window as a data: URL (a file page cannot call
    the service)."""
    # lazy: service.figures.staff_layers costs 1180 ms at CLI start (docs/architecture.md)
    from maps.staff import staff_map
    from service.figures.staff_layers import BUILDERS, staff_days, staff_layer_body

    start, end, lang = req.start, req.end, req.lang
    layers = {key: _data_url(staff_layer_body(engine, clock, key, req)) for key in BUILDERS}
    windows = {
        a.isoformat(): _data_url(staff_days(engine, a, b)) for a, b in slider_windows(start, end)
    }
    return staff_map(
        layers.__getitem__,
        lang=lang,
        basemap=req.basemap,
        vendor_prefix="static/vendor",
        period=(start.isoformat(), end.isoformat()),
        days=windows,
        bounds=tuple(req.districts.total_bounds),
        data_time=shown_time,
        notices=[("demo", map_t("notice.demo_feed", lang))] if demo else [],
    )


def _public_sources(engine: Engine, data: MapData, lang: str) -> dict[str, LayerSource]:
    """The public layers' GeoJSON as data: URLs."""
    # lazy: maps.public costs 515 ms at CLI start (docs/architecture.md)
    from maps.public import LayerSource
    from service.figures.latest import (
        DISTRICT_PUBLIC,
        ZONE_PUBLIC,
        frame_features,
        point_features,
        section_items,
        station_items,
        zones_frame,
    )

    return {
        "districts": LayerSource(
            _data_url(frame_features(data.districts, DISTRICT_PUBLIC).model_dump(mode="json"))
        ),
        "stations": LayerSource(
            _data_url(point_features(station_items(engine, lang)).model_dump(mode="json"))
        ),
        "sections": LayerSource(
            _data_url(point_features(section_items(engine)).model_dump(mode="json"))
        ),
        "zones": LayerSource(
            _data_url(frame_features(zones_frame(engine), ZONE_PUBLIC).model_dump(mode="json"))
        ),
    }


def render_maps(
    out: Path = typer.Argument(..., help="Folder to write staff.html, public.html and static/."),
    lang: str = typer.Option("zh", help="zh or en"),
    basemap: str = typer.Option("offline", help="osm, tianditu, autonavi or offline"),
) -> None:
    """Render the staff and public maps as static HTML for offline use."""
    # lazy: service.figures.staff_layers costs 1180 ms at CLI start (docs/architecture.md)
    import geodata
    from maps.public import public_map
    from maps.render import page_html
    from service.compute import CST
    from service.figures.demo_data import figures_are_demo
    from service.figures.map_data import BasemapRefused, choose_basemap, data_time, staff_map_data
    from service.figures.staff_layers import LayerRequest

    settings = cli_settings(scheduler_enabled=False)
    try:
        bm = choose_basemap(settings, basemap)
    except BasemapRefused as exc:
        fail(exc.message)
    with open_store(settings) as engine:
        clock = SystemClock()
        now = clock.now()
        end = now.astimezone(CST).date()
        start = end - dt.timedelta(days=29)
        districts = geodata.load_districts()
        data = staff_map_data(engine, clock, districts, start, end, lang)
        shown_time, stale = data_time(data.stations.get("time"), now)
        demo = settings.feeds.demo_mode or figures_are_demo(engine)
        req = LayerRequest(districts, lang, bm, start, end)
        staff = _static_staff_map(engine, clock, req, shown_time, demo)
        public = public_map(
            _public_sources(engine, data, lang),
            lang=lang,
            basemap=bm,
            vendor_prefix="static/vendor",
            data_time=shown_time,
            stale=stale,
            demo_feed=demo,
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "staff.html").write_text(page_html(staff), encoding="utf-8")
    (out / "public.html").write_text(page_html(public), encoding="utf-8")
    n = copy_vendor(out)
    typer.echo(f"wrote {out / 'staff.html'}, {out / 'public.html'} and {n} vendor files")


def register(app: typer.Typer) -> None:
    """Add ``render-maps`` to the ``envmon`` command."""
    app.command("render-maps")(render_maps)
