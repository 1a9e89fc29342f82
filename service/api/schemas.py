"""Response models: the API contract, kept apart from store rows (tests validate every body).

Public models carry only public fields; staff models (``Staff*``) may carry flags, sources, payload
ids and error texts. Names follow DESIGN.md: ``aqi``, ``iaqi``, ``primary_pollutant``, ``water_class``.
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from service.figures.values import (
    Concentrations,
    Feature,
    FeatureCollection,
    SectionLatest,
    StationLatest,
    Zone,
)

T = TypeVar("T")


class Model(BaseModel):
    """Base of every response model: unknown fields are refused so that nothing leaks by accident."""

    model_config = ConfigDict(extra="forbid")


class ProblemItem(Model):
    """One failed check of a request."""

    field: str
    rule: str
    message: str = ""


class Problem(Model):
    """``application/problem+json`` (RFC 9457) body, with the field and rule that failed."""

    type: str = Field(examples=["urn:envmon:problem:not-found"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    rule: str | None = None
    errors: list[ProblemItem] | None = None


class CollectorRun(Model):
    """The newest finished run of one collector (``GET /healthz``)."""

    collector: str
    status: Literal["ok", "degraded", "failed"]
    finished_at: dt.datetime | None
    accepted: int = Field(description="rows stored (inserted, revised or unchanged)")
    quarantined: int = Field(description="rows refused, each kept with its reason")
    error: str | None = None


class Health(Model):
    """``GET /healthz``."""

    status: Literal["ok", "degraded"]
    store: Literal["sqlite", "postgresql"]
    demo: bool = Field(description="True when running on the simulated demo feed")
    notice: str = Field(description="Demo or live notice in the request's language")
    version: str
    time: dt.datetime
    scheduler: bool = Field(description="Whether the collection scheduler runs in this process")
    last_collection: dt.datetime | None = Field(
        default=None,
        description="When the latest finished collector run ended, whichever process ran it "
        "(with `envmon serve --workers N` or `envmon schedule` the scheduler is elsewhere); "
        "None before the first run",
    )
    last_collection_ok: bool | None = Field(
        default=None, description="Whether that run succeeded; None before the first run"
    )
    collectors: list[CollectorRun] = Field(
        default_factory=list,
        description="The newest finished run of every collector; `status` is `degraded` when any "
        "of them is degraded (completed, but most rows quarantined)",
    )


class Listing(Model, Generic[T]):
    """A public list: ``demo`` says whether the data are simulated."""

    demo: bool
    count: int
    items: list[T]


# --- staff models ---


class StaffReading(Model):
    """One stored hourly reading with its flag and provenance."""

    station: str
    time: dt.datetime
    pollutant: str
    value: float | None
    flag: str | None
    source: str
    payload_id: int


class StaffQuarantine(Model):
    """A row that was not accepted, with its reason."""

    id: int
    source: str
    payload_id: int | None
    row: str
    reason: str
    field: str | None
    line: int | None
    created_at: dt.datetime


class StaffCollectorRun(Model):
    """One collector run."""

    id: int
    collector: str
    trigger: str
    window_start: dt.datetime | None
    window_end: dt.datetime | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    fetched: int
    inserted: int
    revised: int
    unchanged: int
    quarantined: int
    attempts: int
    error: str | None


class StaffRevision(Model):
    """An upstream correction kept as history."""

    id: int
    kind: str
    code: str
    time: dt.datetime
    item: str
    source: str
    old_value: float | None
    new_value: float | None
    old_flag: str | None
    new_flag: str | None
    revised_at: dt.datetime
    old_payload_id: int | None
    payload_id: int


class StaffPage(Model, Generic[T]):
    """A page of staff rows; ``next_before_id`` continues the listing."""

    count: int
    items: list[T]
    next_before_id: int | None = None


class StaffKey(Model):
    """An API key as listed (never its secret)."""

    key_id: str
    name: str
    role: Literal["viewer", "operator", "admin"]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class StaffKeyCreated(StaffKey):
    """A new API key: ``key`` is shown this once."""

    key: str


class StaffKeyCreate(Model):
    """Request body to create a key."""

    role: Literal["viewer", "operator", "admin"]
    name: str = Field("", max_length=200)


class StaffWhoAmI(Model):
    """The calling key."""

    key_id: str
    name: str
    role: Literal["viewer", "operator", "admin"]


class StaffZoneImport(Model):
    """Result of a zone-file import."""

    imported: int
    rejected: int = 0
    messages: list[str] = Field(default_factory=list)


__all__ = [
    "Concentrations",
    "Feature",
    "FeatureCollection",
    "CollectorRun",
    "Health",
    "Listing",
    "Model",
    "Problem",
    "ProblemItem",
    "SectionLatest",
    "StaffCollectorRun",
    "StaffKey",
    "StaffKeyCreate",
    "StaffKeyCreated",
    "StaffPage",
    "StaffQuarantine",
    "StaffReading",
    "StaffRevision",
    "StaffWhoAmI",
    "StaffZoneImport",
    "StationLatest",
    "Zone",
]
