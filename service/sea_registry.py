"""The bureau's seawater registry: import a file of points and bays as a new version, list, history.

``envmon sea import FILE`` reads and checks the whole file (``stations.sea_registry_io``), refuses it
naming every bad row, or writes its points and areas in one transaction with a ``sea`` registry
version (who, when, file, sha256, each row before and after). A point or area the bureau imports is
real: ``demo`` is false, and re-seeding the demo rows never overwrites it. Codes the file does not
name are left alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from service.clock import Clock
from service.store.engine import writing
from service.store.registry import registry_history, registry_rows
from service.store.sea import sea_rows, write_sea_version
from stations.names import RegistryEntry, build_name_index
from stations.registry_files import RegistryFileError, RegistryProblem
from stations.sea_registry_io import read_sea_file

__all__ = ["RegistryFileError", "SeaImport", "import_sea", "sea_history", "sea_table"]


@dataclass(frozen=True, slots=True)
class SeaImport:
    """An accepted sea import: the version and the codes it added and changed."""

    version_id: int
    supersedes_id: int | None
    points: int
    areas: int
    added: list[str]
    changed: list[str]
    messages: list[str] = field(default_factory=list)


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {**{str(k): _none(v) for k, v in rec.items()}, "demo": False}
        for rec in frame.to_dict("records")
    ]


def _ambiguities(engine: Engine, points: list[dict[str, Any]]) -> list[RegistryProblem]:
    """Point names or aliases that a section or another sea point also uses (lab files name both)."""
    with engine.connect() as conn:
        current = [*registry_rows(conn, "sections").to_dict("records")]
        current += sea_rows(conn, "points").to_dict("records")
    entries = {
        str(r["code"]): RegistryEntry(
            str(r["code"]), r["name"], r["name_en"], tuple(r["aliases"] or ())
        )
        for r in current
    }
    for row in points:
        entries[row["code"]] = RegistryEntry(
            row["code"], row["name"], row["name_en"], tuple(row["aliases"])
        )
    index = build_name_index(entries.values())
    mine = {r["code"] for r in points}
    problems = []
    for row in points:
        for text in (row["name"], row["name_en"], *row["aliases"]):
            if not text:
                continue
            code, why = index.resolve(text, "sea point")
            if code is None and why and any(c in why for c in mine):
                problems.append(RegistryProblem(None, row["code"], "unique_name", why))
    return problems


def import_sea(
    engine: Engine,
    raw: bytes,
    file_name: str,
    *,
    who: str,
    clock: Clock,
    datum: str | None = None,
) -> SeaImport:
    """Check ``raw`` and store its points and areas as the new ``sea`` registry version.
    Raises ``RegistryFileError`` (nothing stored) on any problem."""
    sea = read_sea_file(raw, file_name, datum)
    points, areas = _rows(sea.points), _rows(sea.areas)
    problems = _ambiguities(engine, points)
    if problems:
        raise RegistryFileError(problems, file_name)
    with writing(engine) as conn:
        version, previous, changes = write_sea_version(
            conn,
            points,
            areas,
            who=who,
            file_name=file_name,
            file_format=sea.file_format,
            sha256=hashlib.sha256(raw).hexdigest(),
            now=clock.now(),
        )
    added = [c["code"] for c in changes if c["before"] is None]
    changed = [c["code"] for c in changes if c["before"] is not None]
    messages = [
        f"version {version}: {len(points)} sea points and {len(areas)} sea areas from {file_name}",
        f"added {len(added)}, changed {len(changed)}, "
        f"unchanged {len(points) + len(areas) - len(changes)}",
    ]
    if previous is not None:
        messages.append(f"supersedes version {previous}")
    return SeaImport(version, previous, len(points), len(areas), added, changed, messages)


def sea_table(engine: Engine, which: str) -> list[dict[str, Any]]:
    """The current sea points or areas (``which``) as plain rows."""
    with engine.connect() as conn:
        frame = sea_rows(conn, which)
    frame = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def sea_history(engine: Engine) -> list[dict[str, Any]]:
    """Every ``sea`` registry version, newest first."""
    with engine.connect() as conn:
        return registry_history(conn, "sea")
