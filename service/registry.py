"""The bureau's station and section registry: import a file as a new version, list, history.

An import (``envmon stations|sections import FILE``, ``POST /api/v1/staff/registry/{kind}``) reads
and checks the whole file (``stations.registry_io``), refuses it naming every bad row, or writes
all its rows in one transaction with a version (who, when, file, sha256, each row before and after;
``service.store.registry``). Then the stored days of every station or section it added or changed
are marked and recomputed, so a new station counts in its district at once and a section renamed
to the lab's name takes its samples' periods with it. Codes the file does not name are left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from service.clock import Clock
from service.compute.recompute import RecomputeResult, mark_codes, recompute
from service.store.engine import writing
from service.store.registry import (
    Kind,
    registry_history,
    registry_rows,
    write_registry_version,
)
from stations.names import RegistryEntry, build_name_index
from stations.registry_files import RegistryFileError, RegistryProblem, detect_format
from stations.registry_io import read_registry_file

__all__ = [
    "RegistryFileError",
    "RegistryImport",
    "import_registry",
    "history",
    "registry_table",
]


@dataclass(frozen=True, slots=True)
class RegistryImport:
    """An accepted import: the version, what it added and changed, what the recompute wrote."""

    kind: str
    version_id: int
    supersedes_id: int | None
    rows: int
    added: list[str]
    changed: list[str]
    assigned_districts: dict[str, str]
    recomputed: RecomputeResult = RecomputeResult()
    messages: list[str] = field(default_factory=list)


def _store_rows(frame: pd.DataFrame, kind: Kind) -> list[dict[str, Any]]:
    rows = []
    for rec in frame.to_dict("records"):
        row = {
            "code": rec["code"],
            "name": rec["name"],
            "name_en": rec["name_en"],
            "kind": rec["kind"],
            "district_code": rec["district_code"],
            "lon": None if pd.isna(rec["lon"]) else float(rec["lon"]),
            "lat": None if pd.isna(rec["lat"]) else float(rec["lat"]),
            "datum": rec["datum"],
            "provincial": rec["provincial"],
            "aliases": list(rec["aliases"]),
            "source": rec["source"] or "bureau registry import",
            "demo": False,
        }
        if kind == "stations":
            row["zone"] = rec.get("zone")
        if kind == "sections":
            row["waterbody"] = rec["waterbody"]
            row["coord_status"] = "published" if row["lon"] is not None else "not_published"
            row["control_level"] = "provincial_or_above" if rec["provincial"] else None
        rows.append({k: (None if v is pd.NA else v) for k, v in row.items()})
    return rows


def _ambiguities(engine: Engine, kind: Kind, rows: list[dict[str, Any]]) -> list[RegistryProblem]:
    """Names or aliases of the imported rows that another code of the registry also uses."""
    with engine.connect() as conn:
        current = registry_rows(conn, kind)
    entries = {
        str(r["code"]): RegistryEntry(
            str(r["code"]), r["name"], r["name_en"], tuple(r["aliases"] or ())
        )
        for r in current.to_dict("records")
    }
    for row in rows:
        entries[row["code"]] = RegistryEntry(
            row["code"], row["name"], row["name_en"], tuple(row["aliases"])
        )
    index = build_name_index(entries.values())
    mine = {r["code"] for r in rows}
    problems = []
    for row in rows:
        for text in (row["name"], row["name_en"], *row["aliases"]):
            if not text:
                continue
            code, why = index.resolve(text, kind[:-1])
            if code is None and why and any(c in why for c in mine):
                problems.append(RegistryProblem(None, row["code"], "unique_name", why))
    return problems


def import_registry(
    engine: Engine,
    kind: Kind,
    raw: bytes,
    file_name: str,
    *,
    who: str,
    clock: Clock,
    datum: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> RegistryImport:
    """Check ``raw`` and store it as the new registry version of ``kind``, then recompute the days
    of the codes it added or changed. Raises ``RegistryFileError`` (nothing stored) on any problem.
    """
    frame = read_registry_file(raw, file_name, kind, datum)
    rows = _store_rows(frame, kind)
    problems = _ambiguities(engine, kind, rows)
    if problems:
        raise RegistryFileError(problems, file_name)
    now = clock.now()
    with writing(engine) as conn:
        version, previous, changes = write_registry_version(
            conn,
            kind,
            rows,
            who=who,
            file_name=file_name,
            file_format=detect_format(file_name, raw),
            sha256=hashlib.sha256(raw).hexdigest(),
            now=now,
        )
    touched = [c["code"] for c in changes]
    if kind == "stations":
        mark_codes(engine, clock, stations=touched, sections=[])
    else:
        mark_codes(engine, clock, stations=[], sections=touched)
    done = recompute(engine, clock, on_batch=progress)
    added = [c["code"] for c in changes if c["before"] is None]
    changed = [c["code"] for c in changes if c["before"] is not None]
    assigned = {
        str(c): str(d)
        for c, d, a in zip(
            frame["code"], frame["district_code"], frame["district_assigned"], strict=True
        )
        if a
    }
    messages = [f"version {version}: {len(rows)} {kind} from {file_name}"]
    messages.append(
        f"added {len(added)}, changed {len(changed)}, unchanged {len(rows) - len(touched)}"
    )
    messages += [f"{c}: district {d} assigned from the coordinates" for c, d in assigned.items()]
    if previous is not None:
        messages.append(f"supersedes version {previous}")
    return RegistryImport(
        kind, version, previous, len(rows), added, changed, assigned, done, messages
    )


def registry_table(engine: Engine, kind: Kind) -> list[dict[str, Any]]:
    """The current registry of ``kind`` as plain rows (aliases as lists)."""
    with engine.connect() as conn:
        frame = registry_rows(conn, kind)
    frame = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def history(engine: Engine, kind: Kind | None = None) -> list[dict[str, Any]]:
    """Every registry version (of ``kind``), newest first: id, kind, imported_at, who, file..."""
    with engine.connect() as conn:
        return registry_history(conn, kind)
