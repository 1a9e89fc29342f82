"""webhook secrets sealed: text columns

Sealed secrets (enc:v1:..., AES-256-GCM) are longer than the plaintext: TEXT on PostgreSQL. SQLite
never enforces a declared VARCHAR length, and changing one there copies the table, whose DROP would
cascade to webhook_outbox: nothing to do on SQLite (see service.store.alert_tables).

Revision ID: c5949d630384
Revises: 16f89f4248a0
Create Date: 2026-11-29 05:25:36.245078
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'c5949d630384'
down_revision: str | None = '16f89f4248a0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_SECRET_COMMENT = 'whsec_...: Standard Webhooks key'
OLD_ROBOT_COMMENT = 'DingTalk 加签 secret (SEC...)'
NEW_SECRET_COMMENT = 'whsec_... Standard Webhooks key, sealed (enc:v1:, AES-256-GCM)'
NEW_ROBOT_COMMENT = 'DingTalk 加签 secret (SEC...), sealed (enc:v1:)'


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.alter_column('webhook_subscriptions', 'secret',
               existing_type=sa.String(length=120),
               type_=sa.Text(),
               existing_nullable=False,
               comment=NEW_SECRET_COMMENT,
               existing_comment=OLD_SECRET_COMMENT)
    op.alter_column('webhook_subscriptions', 'robot_secret',
               existing_type=sa.String(length=200),
               type_=sa.Text(),
               existing_nullable=True,
               comment=NEW_ROBOT_COMMENT,
               existing_comment=OLD_ROBOT_COMMENT)


def downgrade() -> None:
    # Sealed values no longer fit the old widths: downgrading needs the rows emptied first.
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.alter_column('webhook_subscriptions', 'robot_secret',
               existing_type=sa.Text(),
               type_=sa.String(length=200),
               existing_nullable=True,
               comment=OLD_ROBOT_COMMENT,
               existing_comment=NEW_ROBOT_COMMENT)
    op.alter_column('webhook_subscriptions', 'secret',
               existing_type=sa.Text(),
               type_=sa.String(length=120),
               existing_nullable=False,
               comment=OLD_SECRET_COMMENT,
               existing_comment=NEW_SECRET_COMMENT)
