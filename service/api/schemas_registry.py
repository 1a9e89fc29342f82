"""Response models of the registry routes (``routes/registry.py``): stations and sections as the
bureau keeps them, their import versions, and an import's outcome."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from service.api.schemas import Model


class RegistryEntryOut(Model):
    """One station or section of the current registry (coordinates WGS-84, degrees)."""

    code: str
    name: str
    name_en: str | None = None
    kind: str | None = None
    district_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    datum: str | None = Field(default=None, description="datum the coordinates were given in")
    provincial: bool | None = None
    aliases: list[str] = Field(default_factory=list)
    demo: bool = False
    source: str | None = None
    waterbody: str | None = Field(default=None, description="sections: river | lake")
    coord_status: str | None = Field(default=None, description="sections: published | ...")


class RegistryVersionOut(Model):
    """One accepted registry import."""

    id: int
    kind: str
    imported_at: dt.datetime
    who: str
    file_name: str
    file_format: str
    sha256: str
    row_count: int
    added: int
    changed: int
    supersedes_id: int | None = None


class RegistryImportOut(Model):
    """Outcome of an accepted import; the figures of what it touched are already recomputed."""

    kind: str
    version_id: int
    supersedes_id: int | None = None
    rows: int
    added: list[str]
    changed: list[str]
    assigned_districts: dict[str, str] = Field(
        description="code -> district assigned from the coordinates"
    )
    station_days: int = Field(description="station days recomputed")
    district_days: int = Field(description="district days recomputed")
    section_periods: int = Field(description="section periods recomputed")
    messages: list[str]
