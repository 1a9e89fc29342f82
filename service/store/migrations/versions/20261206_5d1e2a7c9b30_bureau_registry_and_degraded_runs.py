"""bureau registry (aliases, datum, provincial, versions) and degraded runs

Stations and sections gain ``aliases`` (JSON list), ``datum``; stations gain ``provincial``. A
``registry_versions`` table keeps every registry import. ``collector_runs.status`` also allows
``degraded`` (a run that quarantined most of its rows); SQLite changes a CHECK by copying the table
(batch mode), which is safe here: no foreign key points at ``collector_runs``.

Revision ID: 5d1e2a7c9b30
Revises: c5949d630384
Create Date: 2026-12-06 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.tables

revision: str = '5d1e2a7c9b30'
down_revision: str | None = 'c5949d630384'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUS = "status IN ('running', 'ok', 'failed')"
NEW_STATUS = "status IN ('running', 'ok', 'degraded', 'failed')"


def upgrade() -> None:
    for table in ('stations', 'sections'):
        op.add_column(table, sa.Column('aliases', sa.JSON(), nullable=True))
        op.add_column(table, sa.Column('datum', sa.String(length=200), nullable=True))
    op.add_column('stations', sa.Column('provincial', sa.Boolean(), nullable=True))
    op.create_table(
        'registry_versions',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False, comment='stations | sections'),
        sa.Column('imported_at', service.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column('who', sa.String(length=80), nullable=False, comment='person or API key id that imported'),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('file_format', sa.String(length=8), nullable=False, comment='csv | xlsx | geojson'),
        sa.Column('sha256', sa.String(length=64), nullable=False, comment="of the imported file's bytes"),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False, comment='[{code, before, after}] (before null: added)'),
        sa.Column('supersedes_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
        sa.CheckConstraint("kind IN ('stations', 'sections')", name=op.f('ck_registry_versions_kind')),
        sa.ForeignKeyConstraint(['supersedes_id'], ['registry_versions.id'], name=op.f('fk_registry_versions_supersedes_id_registry_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_versions')),
        comment='one row per accepted station/section registry import; the highest id is current',
    )
    op.create_index('ix_registry_versions_kind', 'registry_versions', ['kind', 'id'], unique=False)
    with op.batch_alter_table('collector_runs') as batch:
        batch.drop_constraint(op.f('ck_collector_runs_status'), type_='check')
        batch.create_check_constraint(op.f('ck_collector_runs_status'), NEW_STATUS)


def downgrade() -> None:
    op.execute("UPDATE collector_runs SET status = 'ok' WHERE status = 'degraded'")
    with op.batch_alter_table('collector_runs') as batch:
        batch.drop_constraint(op.f('ck_collector_runs_status'), type_='check')
        batch.create_check_constraint(op.f('ck_collector_runs_status'), OLD_STATUS)
    op.drop_index('ix_registry_versions_kind', table_name='registry_versions')
    op.drop_table('registry_versions')
    op.drop_column('stations', 'provincial')
    for table in ('sections', 'stations'):
        op.drop_column(table, 'datum')
        op.drop_column(table, 'aliases')
