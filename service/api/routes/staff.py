"""Staff routes (``/api/v1/staff``, API key required): readings with flags, quarantine, collector runs,
revisions, API keys (zone import: ``routes/zone_jobs.py``). Roles: viewer reads; operator imports; admin manages keys.

Ratios, targets and recompute live in ``routes/districts.py``; webhook subscriptions in
``routes/webhooks.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy import Engine

from service.api.bounds import checked_time
from service.api.deps import AdminDep, ClockDep, EngineDep, ViewerDep
from service.api.errors import NotFound, ValidationFailed
from service.api.schemas import (
    StaffCollectorRun,
    StaffKey,
    StaffKeyCreate,
    StaffKeyCreated,
    StaffPage,
    StaffQuarantine,
    StaffReading,
    StaffRevision,
    StaffWhoAmI,
)
from service.auth import Role, create_key, list_keys, revoke_key
from service.store.staff_pages import newest_rows, stored_readings

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])

Limit = Annotated[int, Query(ge=1, le=5000, description="most rows to return")]
BeforeId = Annotated[int | None, Query(ge=1, le=2**62, description="continue below this id")]
Code = Annotated[str | None, Query(max_length=32, pattern=r"^[\w.\-]+$")]
Name = Annotated[str | None, Query(max_length=80, pattern=r"^[\w.\-]+$")]

#: Default readings window when none is given.
DEFAULT_WINDOW = dt.timedelta(hours=48)


def _aware(value: dt.datetime | None, name: str) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValidationFailed(name, "timezone_required")
    return checked_time(value, name)


@router.get("/me", response_model=StaffWhoAmI, operation_id="staffWhoAmI")
def who_am_i(staff: ViewerDep) -> StaffWhoAmI:
    """The calling key's id, name and role."""
    return StaffWhoAmI(key_id=staff.key_id, name=staff.name, role=staff.role.name)  # type: ignore[arg-type]


@router.get("/readings", response_model=StaffPage[StaffReading], operation_id="staffReadings")
def staff_readings(
    _: ViewerDep,
    engine: EngineDep,
    clock: ClockDep,
    station: Code = None,
    pollutant: Annotated[str | None, Query(max_length=16, pattern=r"^[\w.]+$")] = None,
    start: Annotated[dt.datetime | None, Query(description="from (inclusive), aware")] = None,
    end: Annotated[dt.datetime | None, Query(description="until (exclusive), aware")] = None,
    flagged: Annotated[bool | None, Query(description="only flagged (true) / unflagged")] = None,
    limit: Limit = 1000,
) -> StaffPage[StaffReading]:
    """Stored hourly readings with their flags and payloads, newest first."""
    # By default up to and including the current hour (readings are labelled by the hour's end).
    end = _aware(end, "end") or clock.now() + dt.timedelta(hours=1)
    start = _aware(start, "start") or end - DEFAULT_WINDOW
    if start >= end:
        raise ValidationFailed("start", "before_end")
    rows = stored_readings(
        engine, start, end, station=station, pollutant=pollutant, flagged=flagged, limit=limit
    )
    items = [StaffReading(**r) for r in rows]
    return StaffPage[StaffReading](count=len(items), items=items)


_Item = TypeVar("_Item", bound=BaseModel)


def _page(
    model: type[_Item],
    engine: Engine,
    table: Literal["quarantine", "collector_runs", "revisions"],
    equal: Mapping[str, object | None],
    before_id: int | None,
    limit: int,
) -> StaffPage[_Item]:
    """Up to ``limit`` rows of ``table`` below ``before_id``, newest first, whose columns equal
    ``equal`` (``None``: a filter the caller left out); a full page names where the next one
    starts."""
    rows = newest_rows(engine, table, equal, before_id, limit)
    items = [model(**r) for r in rows]
    next_before_id = int(rows[-1]["id"]) if len(rows) == limit else None
    page = StaffPage[model]  # type: ignore[valid-type]  # the concrete model, as the response_model
    return page(count=len(items), items=items, next_before_id=next_before_id)


@router.get(
    "/quarantine", response_model=StaffPage[StaffQuarantine], operation_id="staffQuarantine"
)
def staff_quarantine(
    _: ViewerDep,
    engine: EngineDep,
    source: Name = None,
    before_id: BeforeId = None,
    limit: Limit = 200,
) -> StaffPage[StaffQuarantine]:
    """Rows that were not accepted, with the rule they broke, newest first."""
    return _page(StaffQuarantine, engine, "quarantine", {"source": source}, before_id, limit)


@router.get("/runs", response_model=StaffPage[StaffCollectorRun], operation_id="staffRuns")
def staff_runs(
    _: ViewerDep,
    engine: EngineDep,
    collector: Name = None,
    status: Annotated[str | None, Query(pattern=r"^(running|ok|failed)$")] = None,
    before_id: BeforeId = None,
    limit: Limit = 200,
) -> StaffPage[StaffCollectorRun]:
    """Collector runs with their counts and errors, newest first."""
    equal = {"collector": collector, "status": status}
    return _page(StaffCollectorRun, engine, "collector_runs", equal, before_id, limit)


@router.get("/revisions", response_model=StaffPage[StaffRevision], operation_id="staffRevisions")
def staff_revisions(
    _: ViewerDep,
    engine: EngineDep,
    code: Code = None,
    kind: Annotated[str | None, Query(pattern=r"^(air|water)$")] = None,
    before_id: BeforeId = None,
    limit: Limit = 200,
) -> StaffPage[StaffRevision]:
    """Upstream corrections (old value, new value, when, which payload), newest first."""
    equal = {"code": code, "kind": kind}
    return _page(StaffRevision, engine, "revisions", equal, before_id, limit)


def _key_model(info: Any) -> dict[str, Any]:
    return {
        "key_id": info.key_id,
        "name": info.name,
        "role": info.role.name,
        "created_at": info.created_at,
        "last_used_at": info.last_used_at,
        "revoked_at": info.revoked_at,
    }


@router.get("/keys", response_model=list[StaffKey], operation_id="staffListKeys")
def staff_list_keys(_: AdminDep, engine: EngineDep) -> list[StaffKey]:
    """Every API key (never a secret)."""
    return [StaffKey(**_key_model(k)) for k in list_keys(engine)]


@router.post(
    "/keys", response_model=StaffKeyCreated, status_code=201, operation_id="staffCreateKey"
)
def staff_create_key(
    _: AdminDep, engine: EngineDep, clock: ClockDep, body: StaffKeyCreate
) -> StaffKeyCreated:
    """Create a key; the response shows it this once."""
    info, plain = create_key(engine, Role[body.role], body.name, clock)
    return StaffKeyCreated(**_key_model(info), key=plain)


@router.delete("/keys/{key_id}", status_code=204, operation_id="staffRevokeKey")
def staff_revoke_key(
    staff: AdminDep,
    engine: EngineDep,
    clock: ClockDep,
    key_id: Annotated[str, Path(max_length=16, pattern=r"^[0-9a-f]+$")],
) -> Response:
    """Revoke a key."""
    if not revoke_key(engine, key_id, clock):
        raise NotFound("thing.api_key", key_id, field="key_id", rule="active_key_exists")
    return Response(status_code=204)
