"""SQL of zone-import jobs (``zone_job_tables.zone_import_jobs``): create, move, cancel, read."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, insert, select, update

from service.store.engine import writing
from service.store.zone_job_tables import zone_import_jobs as jobs


def create_job(
    engine: Engine,
    job_id: str,
    *,
    who: str,
    file_name: str,
    file_format: str,
    size_bytes: int,
    now: dt.datetime,
) -> None:
    """A queued job."""
    with writing(engine) as conn:
        conn.execute(
            insert(jobs).values(
                id=job_id,
                state="queued",
                who=who,
                file_name=file_name,
                file_format=file_format,
                size_bytes=size_bytes,
                created_at=now,
                cancel_requested=False,
            )
        )


def start_job(engine: Engine, job_id: str, now: dt.datetime) -> bool:
    """Mark a queued job running; False when it was cancelled while queued."""
    with writing(engine) as conn:
        done = conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == "queued", ~jobs.c.cancel_requested)
            .values(state="running", started_at=now, heartbeat_at=now)
        )
        return done.rowcount == 1


def heartbeat(engine: Engine, job_id: str, now: dt.datetime) -> bool:
    """Refresh the job's heartbeat; whether its caller asked to cancel it."""
    with writing(engine) as conn:
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(heartbeat_at=now))
        wanted = conn.execute(select(jobs.c.cancel_requested).where(jobs.c.id == job_id)).scalar()
    return bool(wanted)


def finish_job(
    engine: Engine,
    job_id: str,
    state: str,
    now: dt.datetime,
    *,
    version_id: int | None = None,
    imported: int | None = None,
    problems: list[dict[str, str]] | None = None,
) -> None:
    """Record the job's end: ``succeeded`` (version, count), ``refused``/``failed`` (problems) or
    ``cancelled``."""
    with writing(engine) as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(
                state=state,
                finished_at=now,
                heartbeat_at=now,
                version_id=version_id,
                imported=imported,
                problems=None if problems is None else json.dumps(problems, ensure_ascii=False),
            )
        )


def request_cancel(engine: Engine, job_id: str, now: dt.datetime) -> str | None:
    """Ask to cancel; a queued job is cancelled at once. The job's state after, None if unknown."""
    with writing(engine) as conn:
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state.in_(("queued", "running")))
            .values(cancel_requested=True)
        )
        conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == "queued")
            .values(state="cancelled", finished_at=now)
        )
        state = conn.execute(select(jobs.c.state).where(jobs.c.id == job_id)).scalar()
    return None if state is None else str(state)


def get_job(engine: Engine, job_id: str) -> dict[str, Any] | None:
    """The job's row (``problems`` decoded), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["problems"] = json.loads(out["problems"]) if out["problems"] else None
    return out


__all__ = ["create_job", "finish_job", "get_job", "heartbeat", "request_cancel", "start_job"]
