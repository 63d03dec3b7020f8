"""WhatsApp's 24-hour rule: an outbox row held until the person writes to us.

Outside the 24 hours after a person's last WhatsApp message only an approved template may
reach them; what was queued for them waits (``awaits_reply``) and goes when they reply
(``released_at``: from then on it has its full time to be tried again).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("awaits_reply", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("released_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("released_at")
        batch.drop_column("awaits_reply")
