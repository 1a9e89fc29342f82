"""Zone-file upload as a job (issue 22, finding 3): ``POST /api/v1/staff/zones/import`` answers
202 with the job's URL at once; ``GET .../jobs/{id}`` says how it goes; ``DELETE`` cancels it.

The file is parsed in a worker process under the ``ENVMON_ZONE_*`` limits (``service.zone_jobs``),
so the event loop keeps answering while a large file is parsed. A client may send
``Prefer: wait=N`` (RFC 7240, N <= 60 s) to get the outcome in the answer when the job ends in
time: 201 with the import, or 422 naming every problem, as before jobs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Field

from service.api.deps import ClockDep, EngineDep, OperatorDep, SettingsDep
from service.api.errors import (
    Conflict,
    EnvmonError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from service.api.schemas import Model, ProblemItem
from service.store import zone_jobs as store
from service.zone_jobs import job_view

router = APIRouter(prefix="/api/v1/staff/zones", tags=["staff"])

#: Zone files accepted (``geodata.zones_io.FORMATS`` by suffix).
ZONE_SUFFIXES = (".geojson", ".json", ".csv", ".kml", ".gpkg", ".zip")
#: Longest ``Prefer: wait=`` honoured (seconds).
MAX_WAIT = 60
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="job id")]
_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)", re.IGNORECASE)


class ZoneImportJob(Model):
    """A zone-file upload being (or having been) parsed and imported."""

    job_id: str
    url: str = Field(description="poll this URL; DELETE it to cancel")
    state: Literal["queued", "running", "succeeded", "refused", "cancelled", "failed"]
    file_name: str
    size_bytes: int
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    version_id: int | None = Field(None, description="the zone version an accepted file became")
    imported: int | None = Field(None, description="zones imported")
    problems: list[ProblemItem] | None = Field(None, description="why it was refused or failed")


def _url(request: Request, job_id: str) -> str:
    return str(request.url_for("zone_import_job", job_id=job_id).path)


def _model(request: Request, row: dict[str, Any], now: dt.datetime) -> ZoneImportJob:
    view = job_view(row, now)
    return ZoneImportJob(
        job_id=view["id"],
        url=_url(request, view["id"]),
        state=view["state"],
        file_name=view["file_name"],
        size_bytes=view["size_bytes"],
        created_at=view["created_at"],
        started_at=view["started_at"],
        finished_at=view["finished_at"],
        version_id=view["version_id"],
        imported=view["imported"],
        problems=None if view["problems"] is None else [ProblemItem(**p) for p in view["problems"]],
    )


@router.post(
    "/import",
    response_model=ZoneImportJob,
    status_code=202,
    operation_id="staffImportZones",
    responses={201: {"model": ZoneImportJob, "description": "imported (Prefer: wait)"}},
)
async def import_zones(
    request: Request,
    staff: OperatorDep,
    engine: EngineDep,
    clock: ClockDep,
    settings: SettingsDep,
    file: UploadFile,
    prefer: Annotated[str | None, Header(description="wait=N: answer when done, N <= 60 s")] = None,
) -> Response:
    """Upload a zone file (GeoJSON, CSV, KML, GeoPackage, zipped Shapefile) for import; 202 + job."""
    name = file.filename or ""
    if len(name) > 255:
        raise ValidationFailed("file", "max_length=255", "the file name has over 255 characters")
    if not name.lower().endswith(ZONE_SUFFIXES):
        raise UnsupportedMediaType(field="file", rule="suffix in " + " ".join(ZONE_SUFFIXES))
    if file.size is not None and file.size > settings.zones.zone_max_bytes:
        raise PayloadTooLarge(settings.zones.zone_max_bytes, field="file")
    data = await file.read()
    if len(data) > settings.zones.zone_max_bytes:
        raise PayloadTooLarge(settings.zones.zone_max_bytes, field="file")
    jobs = request.app.state.zone_jobs
    job_id = await asyncio.to_thread(jobs.submit, data, name, f"key:{staff.key_id}")
    match = _WAIT.search(prefer or "")
    wait = min(int(match.group(1)), MAX_WAIT) if match else 0
    deadline = asyncio.get_running_loop().time() + wait
    row = await asyncio.to_thread(store.get_job, engine, job_id)
    while wait and row is not None and row["state"] in ("queued", "running"):
        if asyncio.get_running_loop().time() >= deadline:
            break
        await asyncio.sleep(0.1)
        row = await asyncio.to_thread(store.get_job, engine, job_id)
    assert row is not None
    job = _model(request, row, clock.now())
    if job.state in ("refused", "failed") and wait:
        problems = [p.model_dump() for p in job.problems or []]
        first = problems[0]["rule"] if problems else "zone_file"
        if first == "internal":  # a bug, not the file: answered as one (details in the log)
            raise EnvmonError(log_detail=f"zone import job {job.job_id} failed")
        raise ValidationFailed("file", str(first), errors=problems)
    status = 201 if job.state == "succeeded" else 202
    return JSONResponse(
        job.model_dump(mode="json"),
        status_code=status,
        headers={"Location": job.url, "Cache-Control": "no-store"},
    )


@router.get(
    "/import/jobs/{job_id}",
    response_model=ZoneImportJob,
    operation_id="staffZoneImportJob",
)
def zone_import_job(
    request: Request, _: OperatorDep, engine: EngineDep, clock: ClockDep, job_id: JobId
) -> ZoneImportJob:
    """How an upload goes: queued, running, succeeded (version, count), refused (problems)..."""
    row = store.get_job(engine, job_id)
    if row is None:
        raise NotFound("thing.resource", ident=job_id)
    return _model(request, row, clock.now())


@router.delete(
    "/import/jobs/{job_id}",
    response_model=ZoneImportJob,
    status_code=202,
    operation_id="staffCancelZoneImportJob",
)
def cancel_zone_import_job(
    request: Request, _: OperatorDep, engine: EngineDep, clock: ClockDep, job_id: JobId
) -> ZoneImportJob:
    """Cancel an upload: a queued one at once, a running one within about a second (poll it)."""
    before = store.get_job(engine, job_id)
    if before is None:
        raise NotFound("thing.resource", ident=job_id)
    state = job_view(before, clock.now())["state"]
    if state not in ("queued", "running"):
        raise Conflict(field="job_id", rule="not_running", detail=f"the job is {state}")
    store.request_cancel(engine, job_id, clock.now())
    row = store.get_job(engine, job_id)
    assert row is not None
    return _model(request, row, clock.now())
