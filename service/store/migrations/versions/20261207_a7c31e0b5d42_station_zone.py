"""stations.zone: the harbour zone a yard-boundary, in-plant or port monitor belongs to

Revision ID: a7c31e0b5d42
Revises: f99d3d41b494
Create Date: 2026-12-07 01:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a7c31e0b5d42'
down_revision: str | None = 'f99d3d41b494'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('stations', sa.Column('zone', sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stations') as batch:
        batch.drop_column('zone')
