"""computed_at indexes on district_days and section_periods

The public figures' data-version check (service/api/cache.py) reads max(computed_at) of both tables
on every cached request; over ten years of district days that was a scan of the whole table.

Revision ID: b5f0d2c81e47
Revises: e21b7c40a9d3
Create Date: 2026-12-07 01:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = 'b5f0d2c81e47'
down_revision: str | None = 'e21b7c40a9d3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_district_days_computed_at', 'district_days', ['computed_at'])
    op.create_index('ix_section_periods_computed_at', 'section_periods', ['computed_at'])


def downgrade() -> None:
    op.drop_index('ix_section_periods_computed_at', table_name='section_periods')
    op.drop_index('ix_district_days_computed_at', table_name='district_days')
