"""Reliable delivery: worker leases, who holds a claim, an "unknown" outbox status, and
contact points flagged after permanent failures.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OLD_STATUSES = ("queued", "sending", "sent", "delivered", "undelivered", "failed", "cancelled")
_NEW_STATUSES = ("queued", "sending", "unknown", *_OLD_STATUSES[2:])


def _status_check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("dispatching", sa.Boolean(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch.drop_constraint(op.f("ck_outbox_outboxstatus"), type_="check")
        batch.create_check_constraint(
            op.f("ck_outbox_outboxstatus"), sa.text(_status_check(_NEW_STATUSES))
        )
    with op.batch_alter_table("scheduled_jobs") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
    with op.batch_alter_table("contact_points") as batch:
        batch.add_column(
            sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(sa.Column("failed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("failure_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact_points") as batch:
        batch.drop_column("failure_reason")
        batch.drop_column("failed_at")
        batch.drop_column("failures")
    with op.batch_alter_table("scheduled_jobs") as batch:
        batch.drop_column("claimed_by")
    op.execute("UPDATE outbox SET status = 'sending' WHERE status = 'unknown'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("ck_outbox_outboxstatus"), type_="check")
        batch.create_check_constraint(
            op.f("ck_outbox_outboxstatus"), sa.text(_status_check(_OLD_STATUSES))
        )
        batch.drop_column("claimed_by")
    op.drop_table("workers")
