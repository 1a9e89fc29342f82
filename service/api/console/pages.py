"""The console's pages for reading (any signed-in key, viewer and up): reports, targets, imports,
quarantine, collection runs, webhooks, alerts, and API keys for admins.

A browser without a sign-in is sent to ``/staff/login`` and comes back here afterwards. Every page
asks ``service.figures`` or an existing service function for its values; none runs SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

import geodata
from service.api.console.render import NO_STORE, page, section_page
from service.api.deps import ClockDep, EngineDep, LangDep, ViewerPageDep, require_role
from service.api.errors import NotFound
from service.auth import Principal, Role, list_keys
from service.figures.alert_history import alert_history
from service.figures.quarantine_review import original_file, quarantine_review
from service.figures.source_health import recent_runs, source_health
from service.figures.webhook_overview import deliveries, subscriptions
from service.i18n import t
from service.registry import history
from service.targets import CITY, INDICATORS, audit_trail, district_codes, list_targets
from stations.cst import CST

router = APIRouter(include_in_schema=False)

#: An admin page opened in a browser: without a sign-in, a 303 to the sign-in page.
AdminPageDep = Annotated[Principal, Depends(require_role(Role.admin, browser_login=True))]

Period = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}(-\d{2})?$")]
District = Annotated[str | None, Query(max_length=12, pattern=r"^(\d{6}|city)$")]
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Source = Annotated[str | None, Query(max_length=80, pattern=r"^[\w.\-]+$")]
PayloadId = Annotated[int | None, Query(ge=1, le=2**62)]
BeforeId = Annotated[int | None, Query(ge=1, le=2**62)]
SubscriptionId = Annotated[int | None, Query(ge=1, le=2**62)]
AlertStatus = Annotated[str | None, Query(pattern=r"^(firing|resolved)$")]


def district_names(lang: str) -> dict[str, str]:
    """Code -> name of every district and the city, in ``lang``."""

    frame = geodata.load_districts()
    column = "name" if lang == "zh" else "name_en"
    names = {str(code): str(name) for code, name in zip(frame["code"], frame[column], strict=True)}
    names[CITY] = "舟山市" if lang == "zh" else "Zhoushan City"
    return {code: names.get(code, code) for code in district_codes()}


def last_month(now: dt.datetime) -> str:
    """``YYYY-MM`` of the last complete CST month."""
    first = now.astimezone(CST).date().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def cst_year(now: dt.datetime) -> int:
    """The current year in China Standard Time."""
    return now.astimezone(CST).year


@router.get("/staff", response_class=RedirectResponse)
def console_root(lang: LangDep) -> RedirectResponse:
    """``/staff`` -> ``/staff/``."""
    return RedirectResponse(f"/staff/?lang={lang}", status_code=307, headers=NO_STORE)


@router.get("/staff/", response_class=HTMLResponse)
def console_home(
    request: Request, staff: ViewerPageDep, lang: LangDep, engine: EngineDep, clock: ClockDep
) -> HTMLResponse:
    """What needs attention (firing alerts, failing sources, refused rows) and the pages."""
    firing = alert_history(engine, "firing", messages=0)
    health = source_health(engine, clock)
    review = quarantine_review(engine, limit=1)
    return page(
        request,
        "home.html.j2",
        staff,
        lang,
        title=t("console.home.title", lang),
        firing=len(firing),
        failing=[h for h in health if h.health != "ok"],
        quarantined=sum(s.rows for s in review.sources),
    )


@router.get("/staff/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    clock: ClockDep,
    district: District = None,
    period: Period = None,
) -> HTMLResponse:
    """Choose a district (or the city) and a month or year; view the report or download its PDF."""
    now = clock.now()
    year = cst_year(now)
    recent = [last_month(now), str(year), str(year - 1)]
    return page(
        request,
        "reports.html.j2",
        staff,
        lang,
        title=t("console.reports.title", lang),
        districts=district_names(lang),
        district=district or CITY,
        period=period or last_month(now),
        recent=recent,
    )


def render_targets(
    request: Request,
    staff: Principal,
    lang: str,
    engine: Engine,
    year: int,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The targets page of ``year`` (with a notice or an error)."""
    names = district_names(lang)
    rows: dict[str, dict[str, object]] = {}
    for target in list_targets(engine, year):
        rows.setdefault(target.district, {})[target.indicator] = target
    return page(
        request,
        "targets.html.j2",
        staff,
        lang,
        status=status,
        title=t("console.targets.title", lang, year=year),
        year=year,
        years=[year - 1, year, year + 1],
        names=names,
        rows=rows,
        audit=list(reversed(audit_trail(engine, year=year))),
        notice=notice,
        error=error,
    )


@router.get("/staff/targets", response_class=HTMLResponse)
def targets_page(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    year: Year = None,
    saved: Annotated[str | None, Query(max_length=40, pattern=r"^[\w\-]+$")] = None,
) -> HTMLResponse:
    """Targets of a year per district and indicator, the form to change one (operators), and the
    audit trail of every change."""
    year = year or cst_year(clock.now())
    notice = None
    if saved:
        district, _, indicator = saved.partition("-")
        names = district_names(lang)
        if district in names and indicator in INDICATORS:
            notice = t(
                "console.targets.saved",
                lang,
                district=names[district],
                indicator=t(f"console.indicator.{indicator}", lang),
                year=year,
            )
    return render_targets(request, staff, lang, engine, year, notice=notice)


def registry_versions(engine: Engine, limit: int = 20) -> list[dict[str, object]]:
    """The latest station and section registry versions, newest first."""

    return history(engine)[:limit]


@router.get("/staff/imports", response_class=HTMLResponse)
def imports_page(
    request: Request, staff: ViewerPageDep, lang: LangDep, engine: EngineDep
) -> HTMLResponse:
    """Upload forms (operators): laboratory result files, station and section registries, zone
    files; the registry's versions."""
    return imports_view(request, staff, lang, engine)


def imports_view(
    request: Request,
    staff: Principal,
    lang: str,
    engine: Engine,
    *,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """The imports page (with ``values``: an upload's result)."""
    versions = registry_versions(engine)
    return section_page(request, "imports", staff, lang, status=status, versions=versions, **values)


@router.get("/staff/quarantine", response_class=HTMLResponse)
def quarantine_page(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    engine: EngineDep,
    source: Source = None,
    payload: PayloadId = None,
    before_id: BeforeId = None,
) -> HTMLResponse:
    """Refused rows with the rule each broke, by source or by imported file."""
    review = quarantine_review(
        engine, source=source, payload_id=payload, before_id=before_id, limit=200
    )
    return page(
        request,
        "quarantine.html.j2",
        staff,
        lang,
        title=t("console.quarantine.title", lang),
        review=review,
        source=source,
        payload=payload,
    )


@router.get("/staff/quarantine/file/{payload_id}", response_class=Response)
def original_file_download(
    payload_id: Annotated[int, Path(ge=1, le=2**62)],
    staff: ViewerPageDep,
    engine: EngineDep,
) -> Response:
    """The file refused rows came from, as it was received (an attachment, never rendered), to
    correct and upload again."""

    found = original_file(engine, payload_id)
    if found is None:
        raise NotFound("console.thing.file", ident=str(payload_id))
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", found.name)[:100] or "file"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.name)}"
    return Response(
        found.data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition, **NO_STORE},
    )


@router.get("/staff/runs", response_class=HTMLResponse)
def runs_page(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    collector: Source = None,
) -> HTMLResponse:
    """Each source's health and the latest collection runs."""
    return section_page(
        request,
        "runs",
        staff,
        lang,
        health=source_health(engine, clock),
        runs=recent_runs(engine, collector, limit=100),
        collector=collector,
    )


@router.get("/staff/webhooks", response_class=HTMLResponse)
def webhooks_page(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    engine: EngineDep,
    subscription: SubscriptionId = None,
) -> HTMLResponse:
    """Subscriptions (admins manage them) and the delivery log (operators replay)."""
    return webhooks_view(request, staff, lang, engine, subscription=subscription)


def webhooks_view(
    request: Request,
    staff: Principal,
    lang: str,
    engine: Engine,
    *,
    subscription: int | None = None,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """The webhooks page (with ``values``: a write's notice or error)."""
    return section_page(
        request,
        "webhooks",
        staff,
        lang,
        status=status,
        subscriptions=subscriptions(engine) if staff.allows(Role.admin) else [],
        deliveries=deliveries(engine, subscription, limit=100),
        subscription=subscription,
        names=district_names(lang),
        **values,
    )


@router.get("/staff/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    staff: ViewerPageDep,
    lang: LangDep,
    engine: EngineDep,
    status: AlertStatus = None,
) -> HTMLResponse:
    """Firing and resolved alerts, each with the messages it sent."""
    alerts = alert_history(engine, status)
    return section_page(
        request,
        "alerts",
        staff,
        lang,
        firing=[a for a in alerts if a.status == "firing"],
        resolved=[a for a in alerts if a.status == "resolved"],
        names=district_names(lang),
        only=status,
    )


@router.get("/staff/keys", response_class=HTMLResponse)
def keys_page(
    request: Request, staff: AdminPageDep, lang: LangDep, engine: EngineDep
) -> HTMLResponse:
    """Every API key (never a secret); admins create and revoke them."""
    return keys_view(request, staff, lang, engine)


def keys_view(
    request: Request,
    staff: Principal,
    lang: str,
    engine: Engine,
    *,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """The API keys page (with ``values``: a created key, or why one was not revoked)."""
    return section_page(
        request, "keys", staff, lang, status=status, keys=list_keys(engine), **values
    )


@router.get("/staff/static/console.css", include_in_schema=False)
def console_css() -> Response:
    """The console's one style sheet."""
    return Response(_css(), media_type="text/css; charset=utf-8")


@cache
def _css() -> str:
    return (files("service.api.console") / "static" / "console.css").read_text(encoding="utf-8")


__all__ = [
    "AdminPageDep",
    "district_names",
    "last_month",
    "registry_versions",
    "render_targets",
    "router",
]
