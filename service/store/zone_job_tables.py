"""Zone-import jobs: an upload parsed in a worker process, polled and cancelled by its caller.

One row per upload. ``state`` moves queued -> running -> succeeded | refused | cancelled | failed;
the process running a job refreshes ``heartbeat_at`` while it works, so any server process can tell
a job whose process went away (``service.zone_jobs``).
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Index, Integer, String, Table, Text

from service.store.tables import BigId, UTCDateTime, metadata

#: Job states (``zone_import_jobs.state``).
JOB_STATES = ("queued", "running", "succeeded", "refused", "cancelled", "failed")

zone_import_jobs = Table(
    "zone_import_jobs",
    metadata,
    Column("id", String(32), primary_key=True, comment="random job id (hex)"),
    Column("state", String(16), nullable=False),
    Column("who", String(80), nullable=False, comment="API key id or person that uploaded"),
    Column("file_name", String(255), nullable=False),
    Column("file_format", String(8), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("heartbeat_at", UTCDateTime, comment="refreshed while a process works on the job"),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("version_id", BigId, comment="zone_versions.id of an accepted import"),
    Column("imported", Integer),
    Column("problems", Text, comment="JSON list of {field, rule, message} when refused or failed"),
    CheckConstraint(
        "state IN ('queued', 'running', 'succeeded', 'refused', 'cancelled', 'failed')",
        name="state",
    ),
    comment="zone-file uploads parsed in a worker process (pollable, cancellable)",
)
Index("ix_zone_import_jobs_created_at", zone_import_jobs.c.created_at)

__all__ = ["JOB_STATES", "zone_import_jobs"]
