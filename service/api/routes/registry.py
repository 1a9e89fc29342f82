"""Staff registry routes (``/api/v1/staff/registry``): the bureau's stations and sections.

``GET /{kind}`` lists the current registry and ``GET /{kind}/history`` its versions (viewer);
``POST /{kind}/import`` takes a CSV, XLSX or GeoJSON file (operator) and answers 201 with what it
added and changed, or 422 problem+json naming every bad row (nothing stored). ``kind``: ``stations``
or ``sections``. The same as ``envmon stations|sections import``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Form, Path, UploadFile
from starlette.concurrency import run_in_threadpool

from service.api.deps import ClockDep, EngineDep, OperatorDep, SettingsDep, ViewerDep
from service.api.errors import UnsupportedMediaType, ValidationFailed
from service.api.schemas_registry import RegistryEntryOut, RegistryImportOut, RegistryVersionOut
from service.jobs import evaluate_and_nudge
from service.registry import RegistryFileError, history, import_registry, registry_table

router = APIRouter(prefix="/api/v1/staff/registry", tags=["staff"])

KindPath = Annotated[Literal["stations", "sections"], Path(description="stations or sections")]
#: Registry files accepted (the content decides: zip = XLSX, ``{`` = GeoJSON, else CSV).
SUFFIXES = (".csv", ".txt", ".xlsx", ".geojson", ".json")


@router.get("/{kind}", response_model=list[RegistryEntryOut], operation_id="staffRegistryList")
def registry_list(_: ViewerDep, engine: EngineDep, kind: KindPath) -> list[RegistryEntryOut]:
    """The current registry: shipped rows, corrected and extended by the bureau's imports."""

    fields = set(RegistryEntryOut.model_fields)
    return [
        RegistryEntryOut.model_validate(
            {k: v for k, v in r.items() if k in fields} | {"aliases": r.get("aliases") or []}
        )
        for r in registry_table(engine, kind)
    ]


@router.get(
    "/{kind}/history",
    response_model=list[RegistryVersionOut],
    operation_id="staffRegistryHistory",
)
def registry_versions(_: ViewerDep, engine: EngineDep, kind: KindPath) -> list[RegistryVersionOut]:
    """Every accepted import of ``kind``, newest first (who, when, file, sha256, counts)."""

    return [RegistryVersionOut.model_validate(r) for r in history(engine, kind)]


@router.post(
    "/{kind}/import",
    response_model=RegistryImportOut,
    status_code=201,
    operation_id="staffRegistryImport",
)
async def registry_import(
    staff: OperatorDep,
    engine: EngineDep,
    clock: ClockDep,
    kind: KindPath,
    settings: SettingsDep,
    background: BackgroundTasks,
    file: UploadFile,
    datum: Annotated[
        str | None,
        Form(max_length=20, description="datum of coordinates without a datum column"),
    ] = None,
) -> RegistryImportOut:
    """Import a registry file as a new version (all or nothing), then recompute what it touched."""
    name = file.filename or ""
    if not name.lower().endswith(SUFFIXES):
        raise UnsupportedMediaType(field="file", rule="suffix in " + " ".join(SUFFIXES))
    data = await file.read()

    try:
        # Off the event loop: reading the file and recomputing the touched days take seconds.
        result = await run_in_threadpool(
            import_registry,
            engine,
            kind,
            data,
            name,
            who=f"key:{staff.key_id}",
            clock=clock,
            datum=datum,
        )
    except RegistryFileError as exc:
        problems = [
            {
                "field": p.field if p.line is None else f"line {p.line}: {p.field}",
                "rule": p.rule,
                "message": p.message,
            }
            for p in exc.problems
        ]
        raise ValidationFailed("file", exc.problems[0].rule, errors=problems) from None
    # The alerts judge the imported registry's figures right after the answer (issue 18).
    background.add_task(evaluate_and_nudge, engine, clock, settings)
    r = result.recomputed
    return RegistryImportOut(
        kind=result.kind,
        version_id=result.version_id,
        supersedes_id=result.supersedes_id,
        rows=result.rows,
        added=result.added,
        changed=result.changed,
        assigned_districts=result.assigned_districts,
        station_days=r.station_days,
        district_days=r.district_days,
        section_periods=r.section_periods,
        messages=result.messages,
    )
