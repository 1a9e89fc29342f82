"""sea points and areas; registry kind 'sea'; target indicator 'sea'

Nearshore seawater (GB 3097-1997, issue 17): ``sea_points`` and ``sea_areas`` tables;
``registry_versions.kind`` also allows ``sea`` (``envmon sea import``) and ``targets.indicator``
allows ``sea`` (优良（一、二类）水质比例). SQLite changes a CHECK by copying the table (batch mode);
no foreign key points at ``targets``, and ``registry_versions`` only at itself.

Revision ID: a3e5c0d7b112
Revises: a7c31e0b5d42
Create Date: 2026-12-07 00:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.store.tables

revision: str = 'a3e5c0d7b112'
down_revision: str | None = 'a7c31e0b5d42'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sea_points',
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=True),
        sa.Column('district_code', sa.String(length=12), nullable=True),
        sa.Column('area_code', sa.String(length=32), nullable=True, comment='the sea area (bay / zone) the point belongs to'),
        sa.Column('target_class', sa.String(length=4), nullable=True, comment='GB 3097 class I..IV the point must meet'),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('datum', sa.String(length=200), nullable=True),
        sa.Column('aliases', sa.JSON(), nullable=True),
        sa.Column('source', sa.String(length=80), nullable=True),
        sa.Column('demo', sa.Boolean(), nullable=False),
        sa.Column('updated_at', service.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_sea_points')),
        comment='海水监测点位: nearshore seawater monitoring points',
    )
    op.create_table(
        'sea_areas',
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=True),
        sa.Column('kind', sa.String(length=8), nullable=True, comment='bay (海湾) | zone (功能区)'),
        sa.Column('district_code', sa.String(length=12), nullable=True),
        sa.Column('target_class', sa.String(length=4), nullable=True, comment='GB 3097 class I..IV'),
        sa.Column('geometry', sa.JSON(), nullable=False, comment='GeoJSON Polygon/MultiPolygon, WGS-84'),
        sa.Column('area_km2', sa.Float(), nullable=True),
        sa.Column('datum', sa.String(length=200), nullable=True),
        sa.Column('source', sa.String(length=80), nullable=True),
        sa.Column('demo', sa.Boolean(), nullable=False),
        sa.Column('updated_at', service.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_sea_areas')),
        comment='海湾 / 海洋功能区: bay and functional-zone polygons with their target class',
    )
    with op.batch_alter_table('registry_versions') as batch:
        batch.drop_constraint(op.f('ck_registry_versions_kind'), type_='check')
        batch.create_check_constraint(
            op.f('ck_registry_versions_kind'), "kind IN ('stations', 'sections', 'sea')"
        )
        batch.alter_column(
            'kind',
            existing_type=sa.String(length=8),
            existing_nullable=False,
            comment='stations | sections | sea',
            existing_comment='stations | sections',
        )
    with op.batch_alter_table('targets') as batch:
        batch.drop_constraint(op.f('ck_targets_indicator'), type_='check')
        batch.create_check_constraint(
            op.f('ck_targets_indicator'), "indicator IN ('air', 'water', 'sea')"
        )
        batch.alter_column(
            'indicator',
            existing_type=sa.String(length=8),
            existing_nullable=False,
            comment='air | water | sea',
            existing_comment='air | water',
        )


def downgrade() -> None:
    op.execute("DELETE FROM targets WHERE indicator = 'sea'")
    with op.batch_alter_table('targets') as batch:
        batch.drop_constraint(op.f('ck_targets_indicator'), type_='check')
        batch.create_check_constraint(op.f('ck_targets_indicator'), "indicator IN ('air', 'water')")
        batch.alter_column(
            'indicator',
            existing_type=sa.String(length=8),
            existing_nullable=False,
            comment='air | water',
            existing_comment='air | water | sea',
        )
    op.execute(
        "UPDATE registry_versions SET supersedes_id = NULL WHERE supersedes_id IN "
        "(SELECT id FROM registry_versions WHERE kind = 'sea')"
    )
    op.execute("DELETE FROM registry_versions WHERE kind = 'sea'")
    with op.batch_alter_table('registry_versions') as batch:
        batch.drop_constraint(op.f('ck_registry_versions_kind'), type_='check')
        batch.create_check_constraint(
            op.f('ck_registry_versions_kind'), "kind IN ('stations', 'sections')"
        )
        batch.alter_column(
            'kind',
            existing_type=sa.String(length=8),
            existing_nullable=False,
            comment='stations | sections',
            existing_comment='stations | sections | sea',
        )
    op.drop_table('sea_areas')
    op.drop_table('sea_points')
