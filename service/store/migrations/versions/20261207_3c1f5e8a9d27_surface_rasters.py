"""surface rasters

Revision ID: 3c1f5e8a9d27
Revises: a3e5c0d7b112
Create Date: 2026-12-07 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.tables


revision: str = '3c1f5e8a9d27'
down_revision: str | None = 'a3e5c0d7b112'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('surface_rasters',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False, comment="the bureau's name for the surface"),
    sa.Column('version', sa.Integer(), nullable=False, comment='1, 2, ... per name'),
    sa.Column('supersedes_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('imported_at', service.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('who', sa.String(length=80), nullable=False, comment='person or API key id that imported'),
    sa.Column('file_name', sa.String(length=255), nullable=False, comment="the uploaded file's name"),
    sa.Column('sha256', sa.String(length=64), nullable=False, comment="of the uploaded file's bytes"),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False, comment='file in <data dir>/surfaces'),
    sa.Column('crs_wkt', sa.Text(), nullable=False, comment="the raster's own CRS (kept as supplied)"),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('bands', sa.Integer(), nullable=False),
    sa.Column('units', sa.String(length=40), nullable=True, comment='units of the values, as the importer states them'),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('value_min', sa.Float(), nullable=True, comment='smallest valid value of band 1'),
    sa.Column('value_max', sa.Float(), nullable=True, comment='largest valid value of band 1'),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['supersedes_id'], ['surface_rasters.id'], name=op.f('fk_surface_rasters_supersedes_id_surface_rasters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surface_rasters')),
    comment='external rasters imported by the bureau; the highest id of a name is current'
    )
    with op.batch_alter_table('surface_rasters', schema=None) as batch_op:
        batch_op.create_index('ix_surface_rasters_name', ['name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('surface_rasters', schema=None) as batch_op:
        batch_op.drop_index('ix_surface_rasters_name')

    op.drop_table('surface_rasters')
