"""Open projects anyone may join, and which comments have been in a daily digest.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("open_to_all", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("digested_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("digested_at")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("open_to_all")
