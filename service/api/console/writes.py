"""The console's writes, each done with the signed-in key's role: operators change targets, upload
laboratory and zone files and replay webhook messages; admins manage webhook subscriptions and
API keys.

Every write is a form POST. The role dependency (``OperatorDep``/``AdminDep``) admits the session
cookie for a write only with the session's CSRF token from this site (``service.api.csrf``, the
hidden field every console form carries), so another site's form can never write; an API-key
header works too. A refused value re-renders the page with the rule it broke; a change that
succeeds answers 303 back to its page (reloading never repeats it), except uploads and new keys and
subscriptions, whose one-time answer (the row-by-row result, the key, the signing secret) is the
page itself.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, Path, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from geodata.zones_io import ZoneValidationError
from service.api.console.pages import (
    imports_view,
    keys_view,
    render_targets,
    webhooks_view,
)
from service.api.console.render import NO_STORE
from service.api.deps import (
    AdminDep,
    ClockDep,
    EngineDep,
    LangDep,
    OperatorDep,
    SettingsDep,
    WebhookBoxDep,
)
from service.api.errors import EnvmonError
from service.api.routes.webhooks import (
    SubscriptionCreate,
    SubscriptionPatch,
    create_subscription,
    replay_delivery,
    send_test_message,
    update_subscription,
)
from service.auth import Principal, Role, create_key, revoke_key
from service.collect import import_upload
from service.compute import recompute
from service.figures.quarantine_review import quarantine_review
from service.i18n import t
from service.jobs import evaluate_and_nudge
from service.registry import RegistryFileError, RegistryImport, import_registry
from service.sea_registry import SeaImport, import_sea
from service.targets import TargetError, set_target
from service.zone_jobs import problem_dicts, worker_limits
from service.zones import import_zone_file
from stations.collectors.lab_files import LabFilesCollector

router = APIRouter(include_in_schema=False)

#: Longest upload the console reads (bytes); the body-size middleware refuses larger ones first.
MAX_UPLOAD = 20 * 1024 * 1024
LAB_SUFFIXES = (".csv", ".xlsx")
ZONE_SUFFIXES = (".geojson", ".json", ".csv", ".kml", ".gpkg", ".zip")
REGISTRY_SUFFIXES = (".csv", ".txt", ".xlsx", ".geojson", ".json")
KeyId = Annotated[str, Path(max_length=16, pattern=r"^[0-9a-f]+$")]
SubId = Annotated[int, Path(ge=1, le=2**62)]
MsgId = Annotated[str, Path(min_length=5, max_length=40, pattern=r"^msg_[0-9a-f]{32}$")]


def _back(path: str, lang: str, **params: object) -> RedirectResponse:
    query = urlencode([("lang", lang), *((k, str(v)) for k, v in params.items())])
    return RedirectResponse(f"{path}?{query}", status_code=303, headers=NO_STORE)


def _problem(exc: EnvmonError, lang: str) -> str:
    """A refusal in words: the problem's title and the field and rule it names."""
    rule = f" ({exc.field}: {exc.rule})" if exc.field else ""
    return t(exc.title_key, lang) + rule


def _invalid(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()))
    return f"{field}: {first.get('type', 'invalid')}"


def _evaluate_alerts(background: BackgroundTasks, engine: Any, clock: Any, settings: Any) -> None:
    """After the answer: the alert rules judge the changed figures at once, as after a target
    change through the API (``service.jobs.evaluate_and_nudge``)."""
    background.add_task(evaluate_and_nudge, engine, clock, settings)


# ------------------------------------------------------------------------------------ targets


@router.post("/staff/targets", response_class=Response)
def change_target(
    request: Request,
    background: BackgroundTasks,
    staff: OperatorDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    district: Annotated[str, Form(max_length=12, pattern=r"^(\d{6}|city)$")],
    indicator: Annotated[str, Form(pattern=r"^(air|water|sea)$")],
    year: Annotated[int, Form(ge=2000, le=2100)],
    percent: Annotated[str, Form(max_length=12)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Set a target (entered in percent) with the reason; recorded in the audit trail with the
    key's name."""
    error = None
    try:
        value = Decimal(percent.strip()) / 100
    except InvalidOperation:
        error = t("console.targets.bad_value", lang)
    if error is None and not reason.strip():
        error = t("console.targets.reason_required", lang)
    if error is None:
        try:
            set_target(
                engine,
                clock,
                district=district,
                indicator=indicator,
                year=year,
                value=value,
                who=staff.name or staff.key_id,
                reason=reason.strip(),
            )
        except TargetError as exc:
            error = t("console.targets.refused", lang, field=exc.field, rule=exc.rule)
    if error is None:
        _evaluate_alerts(background, engine, clock, settings)
        return _back("/staff/targets", lang, year=year, saved=f"{district}-{indicator}")
    return render_targets(request, staff, lang, engine, year, error=error, status=422)


# ------------------------------------------------------------------------------------ imports


async def _read_upload(file: UploadFile) -> bytes | None:
    data = await file.read(MAX_UPLOAD + 1)
    return None if len(data) > MAX_UPLOAD else data


def _import_page(
    request: Request, staff: Principal, lang: str, result: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return imports_view(
        request, staff, lang, request.app.state.engine, status=status, result=result
    )


@router.post("/staff/imports/lab", response_class=HTMLResponse)
async def upload_lab_file(
    request: Request,
    background: BackgroundTasks,
    staff: OperatorDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    file: UploadFile,
) -> HTMLResponse:
    """Import a laboratory result file (CSV or XLSX) and show what became of every row."""
    name = (file.filename or "")[:200]
    if not name.lower().endswith(LAB_SUFFIXES):
        error = t("console.imports.bad_suffix", lang, allowed=" ".join(LAB_SUFFIXES))
        return _import_page(request, staff, lang, {"name": name, "state": error}, 415)
    raw = await _read_upload(file)
    if raw is None:
        error = t("console.imports.too_large", lang, limit=MAX_UPLOAD // (1024 * 1024))
        return _import_page(request, staff, lang, {"name": name, "state": error}, 413)
    parser = LabFilesCollector()
    payload_id, skipped, counts = await run_in_threadpool(
        import_upload, engine, parser, parser.name, name, raw, clock
    )
    if not skipped:
        await run_in_threadpool(recompute, engine, clock)
        _evaluate_alerts(background, engine, clock, settings)
    refused = quarantine_review(engine, payload_id=payload_id, limit=1000).rows
    accepted = counts.inserted + counts.revised + counts.unchanged
    if skipped:
        state = t("console.imports.skipped", lang)
    elif accepted == 0 and refused:
        state = t("console.imports.unusable", lang)  # not a lab file: every row refused
    else:
        state = t("console.imports.done", lang)
    result = {
        "name": name,
        "state": state,
        "counts": [
            (t("console.col.inserted", lang), counts.inserted),
            (t("console.col.revised", lang), counts.revised),
            (t("console.col.unchanged", lang), counts.unchanged),
            (
                t("console.col.quarantined", lang),
                counts.quarantined if not skipped else len(refused),
            ),
        ],
        "rows": sorted(refused, key=lambda r: (r.line is None, r.line or 0, r.id)),
        "messages": [],
    }
    return _import_page(request, staff, lang, result)


@router.post("/staff/imports/zones", response_class=HTMLResponse)
async def upload_zone_file(
    request: Request,
    staff: OperatorDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    file: UploadFile,
) -> HTMLResponse:
    """Import a zone file (GeoJSON, CSV, KML, GeoPackage, zipped Shapefile) as a new version,
    parsed in a worker process under the ``ENVMON_ZONE_*`` limits like the API's zone jobs."""
    name = (file.filename or "")[:200]
    if not name.lower().endswith(ZONE_SUFFIXES):
        error = t("console.imports.bad_suffix", lang, allowed=" ".join(ZONE_SUFFIXES))
        return _import_page(request, staff, lang, {"name": name, "state": error}, 415)
    limit = min(MAX_UPLOAD, settings.zones.zone_max_bytes)
    data = await file.read(limit + 1)
    if len(data) > limit:
        error = t("console.imports.too_large", lang, limit=round(limit / (1024 * 1024), 1))
        return _import_page(request, staff, lang, {"name": name, "state": error}, 413)
    limits = worker_limits(settings)
    try:
        zr = await run_in_threadpool(
            lambda: import_zone_file(
                engine, data, name, who=f"key:{staff.key_id}", clock=clock, worker=limits
            )
        )
    except ZoneValidationError as exc:
        rows = [
            {"line": None, "field": p["field"], "reason": f"{p['rule']}: {p['message']}", "row": ""}
            for p in problem_dicts(exc)
        ]
        refusal: dict[str, Any] = {
            "name": name,
            "state": t("console.imports.refused", lang),
            "counts": [],
            "rows": rows,
            "messages": [],
        }
        return _import_page(request, staff, lang, refusal, 422)
    result: dict[str, Any] = {
        "name": name,
        "state": t("console.imports.done", lang),
        "counts": [
            (t("console.col.inserted", lang), zr.imported),
            (t("console.col.quarantined", lang), zr.rejected),
        ],
        "rows": [],
        "messages": list(zr.messages),
    }
    return _import_page(request, staff, lang, result)


@router.post("/staff/imports/registry", response_class=HTMLResponse)
async def upload_registry_file(
    request: Request,
    background: BackgroundTasks,
    staff: OperatorDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    file: UploadFile,
    kind: Annotated[str, Form(pattern=r"^(stations|sections|sea)$")],
    datum: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    """Import a station, section or seawater (points and bays) registry file as a new version
    (all or nothing); a refused file lists every bad row with its rule."""
    name = (file.filename or "")[:200]
    if not name.lower().endswith(REGISTRY_SUFFIXES):
        error = t("console.imports.bad_suffix", lang, allowed=" ".join(REGISTRY_SUFFIXES))
        return _import_page(request, staff, lang, {"name": name, "state": error}, 415)
    raw = await _read_upload(file)
    if raw is None:
        error = t("console.imports.too_large", lang, limit=MAX_UPLOAD // (1024 * 1024))
        return _import_page(request, staff, lang, {"name": name, "state": error}, 413)
    who, chosen_datum = f"key:{staff.key_id}", datum.strip() or None
    try:
        if kind == "sea":
            sea = await run_in_threadpool(
                lambda: import_sea(engine, raw, name, who=who, clock=clock, datum=chosen_datum)
            )
            return _import_page(request, staff, lang, _sea_result(name, sea, lang))
        done = await run_in_threadpool(
            lambda: import_registry(
                engine,
                kind,  # type: ignore[arg-type]  # checked by the form pattern
                raw,
                name,
                who=who,
                clock=clock,
                datum=chosen_datum,
            )
        )
    except RegistryFileError as exc:
        return _import_page(request, staff, lang, _registry_refusal(name, exc, lang), 422)
    _evaluate_alerts(background, engine, clock, settings)
    result = _registry_result(name, done, lang)
    return _import_page(request, staff, lang, result)


def _registry_refusal(name: str, exc: RegistryFileError, lang: str) -> dict[str, Any]:
    """The imports page's account of a refused registry file: every bad row with its rule."""
    rows = [
        {"line": p.line, "field": p.field, "reason": f"{p.rule}: {p.message}", "row": ""}
        for p in exc.problems
    ]
    state = t("console.imports.refused", lang)
    return {"name": name, "state": state, "counts": [], "rows": rows, "messages": []}


def _changed_codes(added: list[str], changed: list[str], lang: str) -> list[str]:
    """The codes an import added and changed, as the imports page lists them."""
    messages = []
    if added:
        messages.append(t("console.imports.added_codes", lang, codes=", ".join(added)))
    if changed:
        messages.append(t("console.imports.changed_codes", lang, codes=", ".join(changed)))
    return messages


def _sea_result(name: str, done: SeaImport, lang: str) -> dict[str, Any]:
    """The imports page's account of a stored seawater registry version: points, bays, codes."""
    return {
        "name": name,
        "state": t("console.imports.registry_done", lang, version=done.version_id),
        "counts": [
            (t("console.imports.sea_points", lang), done.points),
            (t("console.imports.sea_areas", lang), done.areas),
            (t("console.imports.added", lang), len(done.added)),
            (t("console.imports.changed", lang), len(done.changed)),
        ],
        "rows": [],
        "messages": _changed_codes(done.added, done.changed, lang),
    }


def _registry_result(name: str, done: RegistryImport, lang: str) -> dict[str, Any]:
    """The imports page's account of a stored registry version: counts and the codes touched."""
    messages = _changed_codes(done.added, done.changed, lang)
    return {
        "name": name,
        "state": t("console.imports.registry_done", lang, version=done.version_id),
        "counts": [
            (t("console.imports.rows", lang), done.rows),
            (t("console.imports.added", lang), len(done.added)),
            (t("console.imports.changed", lang), len(done.changed)),
        ],
        "rows": [],
        "messages": [*messages, *done.messages],
    }


# ------------------------------------------------------------------------------------ webhooks


def _webhooks_page(
    request: Request,
    staff: Principal,
    lang: str,
    engine: Any,
    *,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    return webhooks_view(request, staff, lang, engine, status=status, **values)


@router.post("/staff/webhooks", response_class=HTMLResponse)
def create_webhook(
    request: Request,
    staff: AdminDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    box: WebhookBoxDep,
    name: Annotated[str, Form(max_length=120)],
    url: Annotated[str, Form(max_length=2000)],
    format: Annotated[str, Form(max_length=16)] = "envmon",
    msg_lang: Annotated[str, Form(max_length=4)] = "zh",
) -> HTMLResponse:
    """Subscribe a URL; the page shows the signing secret this once."""
    try:
        body = SubscriptionCreate.model_validate(
            {"name": name, "url": url, "format": format, "lang": msg_lang}
        )
        created = create_subscription(body, staff, engine, clock, settings, box)
    except ValidationError as exc:
        error = t("console.refused", lang, reason=_invalid(exc))
        return _webhooks_page(request, staff, lang, engine, status=422, error=error)
    except EnvmonError as exc:
        error = _problem(exc, lang)
        return _webhooks_page(request, staff, lang, engine, status=422, error=error)
    return _webhooks_page(request, staff, lang, engine, created=created)


def _set_enabled(
    request: Request,
    sub_id: int,
    enabled: bool,
    staff: Principal,
    lang: str,
    engine: Any,
    clock: Any,
    settings: Any,
    box: Any,
) -> Response:
    try:
        patch = SubscriptionPatch.model_validate({"enabled": enabled})
        update_subscription(sub_id, patch, staff, engine, clock, settings, box)
    except EnvmonError as exc:
        return _webhooks_page(request, staff, lang, engine, status=404, error=_problem(exc, lang))
    return _back("/staff/webhooks", lang)


@router.post("/staff/webhooks/{sub_id}/pause", response_class=Response)
def pause_webhook(
    request: Request,
    sub_id: SubId,
    staff: AdminDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    box: WebhookBoxDep,
) -> Response:
    """Pause a subscription: nothing is sent to it until it is resumed."""
    return _set_enabled(request, sub_id, False, staff, lang, engine, clock, settings, box)


@router.post("/staff/webhooks/{sub_id}/resume", response_class=Response)
def resume_webhook(
    request: Request,
    sub_id: SubId,
    staff: AdminDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    box: WebhookBoxDep,
) -> Response:
    """Resume a subscription (it is sent what fires now)."""
    return _set_enabled(request, sub_id, True, staff, lang, engine, clock, settings, box)


@router.post("/staff/webhooks/{sub_id}/test", response_class=HTMLResponse)
def test_webhook(
    request: Request,
    sub_id: SubId,
    staff: OperatorDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    box: WebhookBoxDep,
) -> HTMLResponse:
    """Send a test message to the subscription now (once, no retries); the page says how it went."""
    try:
        result = send_test_message(sub_id, staff, request, engine, clock, settings, box)
    except EnvmonError as exc:
        return _webhooks_page(request, staff, lang, engine, status=404, error=_problem(exc, lang))
    if result.delivered:
        return _webhooks_page(request, staff, lang, engine, notice=result.detail)
    return _webhooks_page(request, staff, lang, engine, status=502, error=result.detail)


@router.post("/staff/webhooks/deliveries/{msg_id}/replay", response_class=Response)
def replay_webhook_message(
    request: Request,
    msg_id: MsgId,
    staff: OperatorDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Send a message again (same ``webhook-id``, fresh retry window)."""
    try:
        replay_delivery(msg_id, staff, engine, clock, settings)
    except EnvmonError as exc:
        return _webhooks_page(request, staff, lang, engine, status=409, error=_problem(exc, lang))
    return _webhooks_page(
        request, staff, lang, engine, notice=t("console.webhooks.replayed", lang, id=msg_id)
    )


# ------------------------------------------------------------------------------------ API keys


@router.post("/staff/keys", response_class=HTMLResponse)
def create_api_key(
    request: Request,
    staff: AdminDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
    name: Annotated[str, Form(min_length=1, max_length=80)],
    role: Annotated[str, Form(pattern=r"^(viewer|operator|admin)$")],
) -> HTMLResponse:
    """Create a key; the page shows it this once."""
    info, plain = create_key(engine, Role[role], name.strip(), clock)
    created = {"name": info.name, "role": info.role.name, "key": plain}
    return keys_view(request, staff, lang, engine, created=created)


@router.post("/staff/keys/{key_id}/revoke", response_class=Response)
def revoke_api_key(
    request: Request,
    key_id: KeyId,
    staff: AdminDep,
    lang: LangDep,
    engine: EngineDep,
    clock: ClockDep,
) -> Response:
    """Revoke a key (not the one signed in: that would end this session mid-page)."""
    if key_id == staff.key_id or not revoke_key(engine, key_id, clock):
        error = t("console.keys.not_revoked", lang, key_id=key_id)
        return keys_view(request, staff, lang, engine, status=409, error=error)
    return _back("/staff/keys", lang)


__all__ = ["router"]
