"""Inbound messages remember what could not be read, and whether an email's From was checked.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("attachments", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("cut_from", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("sender_verified", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("sender_verified")
        batch.drop_column("cut_from")
        batch.drop_column("attachments")
