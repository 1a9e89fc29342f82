"""``/maps/public`` (embeddable), ``/maps/staff`` (staff key or browser sign-in) and
``/static/vendor/...`` (the maps' front-end files, served here so that no page needs a CDN).

Figures come from the store through the same views as the API; ``maps`` turns them into pages.
``frame-ancestors`` for the public page comes from ``service.api.security`` (configured public sites).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine

from maps import basemaps
from maps.assets import resolve_vendor_file, vendor_dirs
from maps.cocontrol import cocontrol_panel
from maps.i18n import t as map_t
from maps.public import default_sources, parse_layers, public_map
from maps.render import page_html
from maps.staff import ZHOUSHAN_BOUNDS, staff_map
from maps.staff_layers import MAX_WINDOW_DAYS, days_url, layer_url
from service.api.bounds import checked_day
from service.api.cache import cached_response, data_version
from service.api.csrf import csrf_token
from service.api.deps import ClockDep, EngineDep, SettingsDep, ViewerDep, ViewerPageDep
from service.api.errors import NotFound, ValidationFailed
from service.api.routes.login import session_control
from service.clock import Clock
from service.compute import CST
from service.figures.assessment import cocontrol_panel_rows
from service.figures.demo_data import figures_are_demo
from service.figures.map_data import BasemapRefused, choose_basemap, data_time, stations_frame
from service.figures.staff_layers import BUILDERS, LayerRequest, staff_days, staff_layer_body
from service.figures.surfaces import staff_surface_layers
from service.i18n import negotiate, t
from service.settings import Settings

router = APIRouter(tags=["maps"])

#: Where the public page's data come from (``service.api.routes.geo``, ``districts``, ``stations``).
PUBLIC_API = "/api/v1"
#: How long a rendered public page is reused (it changes only with the data time).
PAGE_TTL = dt.timedelta(seconds=60)


def _basemap(settings: Settings, asked: str | None) -> basemaps.Basemap:
    try:
        return choose_basemap(settings, asked)
    except BasemapRefused as exc:
        raise ValidationFailed(exc.field, exc.rule, exc.message) from None


def _lang(lang: str | None, accept_language: str | None = None) -> str:
    """``?lang=`` (zh or en), else the browser's ``Accept-Language``, else Chinese."""
    if lang not in (None, "zh", "en"):
        raise ValidationFailed("lang", "one_of", "lang: zh or en")
    return negotiate(lang, accept_language)


def _html(page: Any) -> HTMLResponse:
    return HTMLResponse(page_html(page))


@router.get("/maps/public", response_class=HTMLResponse, summary="Public embeddable map")
def public_page(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    clock: ClockDep,
    lang: Annotated[str | None, Query(description="zh (default) or en")] = None,
    district: Annotated[str | None, Query(description="district code, e.g. 330902")] = None,
    layers: Annotated[
        str | None, Query(description="comma list of districts, stations, sections, zones, sea")
    ] = None,
    basemap: Annotated[str | None, Query(description="osm, tianditu, autonavi, offline")] = None,
) -> HTMLResponse:
    """The public map: only public layers, each fetched by URL from ``/api/v1``.

    The page holds no figures, only the data time, so it is kept for ``PAGE_TTL`` per query.
    """
    lang = _lang(lang, request.headers.get("accept-language"))
    cache_key = (lang, district, layers, basemap, request.scope.get("root_path", ""))
    cache: dict[tuple[object, ...], tuple[dt.datetime, str]] | None = getattr(
        request.app.state, "maps_public_cache", None
    )
    if cache is None:
        cache = request.app.state.maps_public_cache = {}
    hit = cache.get(cache_key)
    if hit is not None and hit[0] > clock.now():
        return HTMLResponse(hit[1])
    try:
        chosen = parse_layers(layers)
    except ValueError as exc:
        raise ValidationFailed("layers", "known_layers", str(exc)) from exc
    districts = request.app.state.districts
    bounds = ZHOUSHAN_BOUNDS
    if district is not None:
        if district not in set(districts["code"].astype(str)):
            raise NotFound("thing.resource", ident=district)
        bounds = tuple(districts[districts["code"].astype(str) == district].total_bounds)
    stations = stations_frame(engine, lang)
    shown_time, stale = data_time(stations.get("time", pd.Series(dtype=object)), clock.now())
    page = public_map(
        # The data URLs are told explicitly (the API is mounted at /api/v1 under any root path).
        default_sources(f"{request.scope.get('root_path', '')}{PUBLIC_API}"),
        lang=lang,
        layers=chosen,
        district=district,
        basemap=_basemap(settings, basemap),
        bounds=bounds,
        data_time=shown_time,
        stale=stale,
        demo_feed=settings.feeds.demo_mode or figures_are_demo(engine),
        today=clock.now().astimezone(CST).date().isoformat(),
    )
    html = page_html(page)
    if len(cache) > 256:
        cache.clear()
    cache[cache_key] = (clock.now() + PAGE_TTL, html)
    return HTMLResponse(html)


def _window(start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The staff map's CST days ``[from, to]``: ``to`` defaults to today, ``from`` to 29 days
    before ``to``; 422 for days out of range or ``from`` after ``to``."""
    start, end = checked_day(start, "from"), checked_day(end, "to")
    end = end or today
    start = start or end - dt.timedelta(days=29)
    if start > end:
        raise ValidationFailed("from", "before_to", "from must not be after to")
    return start, end


def _staff_facts(
    request: Request, engine: Engine, lang: str, version: Hashable | None
) -> dict[str, Any]:
    """The staff page's data time (ISO, latest station hour), demo flag and surface layers
    (``staff_surface_layers``: key, name, day), by data version: none is read per request."""

    def build() -> Response:
        stations = stations_frame(engine, lang)
        times = pd.to_datetime(stations.get("time", pd.Series(dtype=object)).dropna(), utc=True)
        latest = None if times.empty else times.max().isoformat()
        settings: Settings = request.app.state.settings
        demo = settings.feeds.demo_mode or figures_are_demo(engine)
        surfaces = [
            {"key": s.key, "name": s.name, "day": s.day.isoformat() if s.day else None}
            for s in staff_surface_layers(engine, lang)
        ]
        return JSONResponse({"latest": latest, "demo": demo, "surfaces": surfaces})

    response = cached_response(request, ("staff-facts", lang), build, version=version)
    facts: dict[str, Any] = json.loads(bytes(response.body))
    return facts


def _surface_links(facts: dict[str, Any], root: str, lang: str) -> list[dict[str, str]]:
    """The staff page's surface layers, each with the URL its day's surface is fetched from."""
    return [
        {
            "key": layer["key"],
            "name": layer["name"],
            "url": f"{root}/maps/staff/surfaces/{layer['key']}.json?"
            + urlencode({"lang": lang, **({"day": layer["day"]} if layer["day"] else {})}),
        }
        for layer in facts["surfaces"]
    ]


@dataclass(frozen=True, slots=True)
class _StaffView:
    """What a staff page shows: language, basemap (as asked and as chosen), slider days, zone
    distance, data time, demo flag, root path and surface layers."""

    lang: str
    basemap: str | None
    chosen: basemaps.Basemap
    start: dt.date
    end: dt.date
    near_km: float
    shown_time: str
    stale: bool
    demo: bool
    root: str
    surfaces: list[dict[str, str]]

    def cache_key(self, today: dt.date) -> tuple[Hashable, ...]:
        """The page's key among the cached responses (with the data version)."""
        shown_surfaces = tuple((s["key"], s["name"], s["url"]) for s in self.surfaces)
        return (
            "staff-page",
            self.lang,
            self.basemap,
            self.start,
            self.end,
            self.near_km,
            self.stale,
            self.shown_time,
            today,
            self.root,
            shown_surfaces,
        )


def _staff_html(
    view: _StaffView, request: Request, settings: Settings, engine: Engine, clock: Clock
) -> HTMLResponse:
    """The staff page drawn for ``view``: layers by URL, notices, the co-control panel."""
    lang = view.lang
    notices = [("stale", t("notice.stale", lang, time=view.shown_time))] if view.stale else []
    if view.demo:
        notices.append(("demo", map_t("notice.demo_feed", lang)))
    query = urlencode(
        {
            "lang": lang,
            "basemap": view.basemap or settings.maps.map_basemap,
            "from": view.start.isoformat(),
            "to": view.end.isoformat(),
            "near_km": view.near_km,
        }
    )
    base = f"{view.root}/maps/staff"
    page = staff_map(
        lambda key: f"{layer_url(base, key)}?{query}",
        lang=lang,
        basemap=view.chosen,
        period=(view.start.isoformat(), view.end.isoformat()),
        days=days_url(base),
        highlight_km=view.near_km,
        bounds=tuple(request.app.state.districts.total_bounds),
        data_time=view.shown_time,
        notices=notices,
        surface_layers=view.surfaces,
    )
    return HTMLResponse(_with_cocontrol_panel(page_html(page), engine, clock, lang))


@router.get("/maps/staff", response_class=HTMLResponse, summary="Staff map (staff key)")
def staff_page(
    request: Request,
    staff: ViewerPageDep,
    settings: SettingsDep,
    engine: EngineDep,
    clock: ClockDep,
    lang: Annotated[str | None, Query(description="zh (default) or en")] = None,
    basemap: Annotated[str | None, Query(description="osm, tianditu, autonavi, offline")] = None,
    start: Annotated[dt.date | None, Query(alias="from", description="slider start")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="slider end")] = None,
    near_km: Annotated[float, Query(gt=0, le=50, description="zone distance, km")] = 2.0,
) -> HTMLResponse:
    """The staff map: a small page whose layers are fetched from ``/maps/staff/layers/...`` and
    whose daily-AQI slider over ``from``..``to`` loads its days from ``/maps/staff/days.json``.

    A browser without a key or sign-in is sent to ``/staff/login`` (303); a browser signed in there
    also gets a sign-out control naming the key and its role. The page is kept per data version.
    """
    lang = _lang(lang)
    today = clock.now().astimezone(CST).date()
    start, end = _window(start, end, today)
    chosen = _basemap(settings, basemap)
    version = data_version(request)  # read once for the page's two cached parts
    facts = _staff_facts(request, engine, lang, version)
    latest = pd.Series([facts["latest"]] if facts["latest"] else [], dtype=object)
    shown_time, stale = data_time(latest, clock.now())
    root = request.scope.get("root_path", "")
    view = _StaffView(
        lang,
        basemap,
        chosen,
        start,
        end,
        near_km,
        shown_time,
        stale,
        bool(facts["demo"]),
        root,
        _surface_links(facts, root, lang),
    )

    def build() -> Response:
        return _staff_html(view, request, settings, engine, clock)

    cached = cached_response(request, view.cache_key(today), build, version=version)
    html = bytes(cached.body).decode("utf-8")
    if getattr(request.state, "session", False):
        # Added here rather than in maps.staff: the page stays a pure rendering of figures.
        head, tag, tail = html.rpartition("</body>")
        control = session_control(staff, lang, csrf_token(request))
        html = head + control + tag + tail if tag else html
    return HTMLResponse(html)


@router.get(
    "/maps/staff/layers/{key}.geojson",
    summary="One layer of the staff map (staff key)",
    response_class=JSONResponse,
)
def staff_layer_geojson(
    request: Request,
    _: ViewerDep,
    settings: SettingsDep,
    engine: EngineDep,
    clock: ClockDep,
    key: str,
    lang: Annotated[str | None, Query(description="zh (default) or en")] = None,
    basemap: Annotated[str | None, Query(description="osm, tianditu, autonavi, offline")] = None,
    start: Annotated[dt.date | None, Query(alias="from", description="window start")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="window end")] = None,
    near_km: Annotated[float, Query(gt=0, le=50, description="zone distance, km")] = 2.0,
) -> Response:
    """A staff map layer as GeoJSON (``maps.staff_layers``), kept per data version."""
    if key not in BUILDERS:
        raise NotFound("thing.resource", ident=key)
    lang = _lang(lang)
    start, end = _window(start, end, clock.now().astimezone(CST).date())
    req = LayerRequest(
        request.app.state.districts, lang, _basemap(settings, basemap), start, end, near_km
    )
    cache_key = ("staff-layer", key, lang, basemap, start, end, near_km)
    # Kept gzipped too: the stations layer holds every station's popup with its 30-day chart
    # (1.1 MB at 200 stations, 89 KB gzipped), and sending it cost more than any other route.
    return cached_response(
        request,
        cache_key,
        lambda: JSONResponse(staff_layer_body(engine, clock, key, req)),
        compress=True,
    )


@router.get("/maps/staff/days.json", summary="Daily station AQI for the staff map's time slider")
def staff_days_json(
    request: Request,
    _: ViewerDep,
    engine: EngineDep,
    clock: ClockDep,
    start: Annotated[dt.date | None, Query(alias="from", description="first CST day")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="last CST day")] = None,
) -> Response:
    """``{"dates": [...], "values": {station: [AQI or null per date]}}`` over at most
    ``MAX_WINDOW_DAYS`` CST days (the time slider asks for one window at a time)."""
    start, end = _window(start, end, clock.now().astimezone(CST).date())
    if (end - start).days + 1 > MAX_WINDOW_DAYS:
        raise ValidationFailed(
            "to",
            f"at_most_{MAX_WINDOW_DAYS}_days",
            f"to: at most {MAX_WINDOW_DAYS} days after from",
        )
    return cached_response(
        request, ("staff-days", start, end), lambda: JSONResponse(staff_days(engine, start, end))
    )


def _with_cocontrol_panel(html: str, engine: Engine, clock: Clock, lang: str) -> str:
    """The page with the PM2.5-O3 co-control panel (year to date) before ``</body>``."""
    period, rows = cocontrol_panel_rows(engine, clock, lang)
    panel = cocontrol_panel(rows, period.label, period.end.isoformat(), lang)
    head, tag, tail = html.rpartition("</body>")
    return head + panel + tag + tail if tag else html


@cache
def _dirs() -> dict[str, Path]:
    return vendor_dirs()


@router.get("/static/vendor/{package}/{path:path}", include_in_schema=False)
def vendor_file(package: str, path: str) -> Response:
    """A front-end file from an installed XStatic or npm package (allow-listed packages only)."""
    target = resolve_vendor_file(package, path, _dirs())
    if target is None:
        raise NotFound("thing.resource", ident=f"{package}/{path}")
    return FileResponse(target, headers={"Cache-Control": "public, max-age=86400"})
