"""Coherent conversations: when a project's messages may go (its digest time and quiet
hours), meetings that change, are cancelled or ask who is coming, the answers about
attendance, and the meeting that moved a window's close.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("digest_at", sa.String(length=5), server_default="10:00", nullable=False)
        )
        batch.add_column(
            sa.Column("quiet_from", sa.String(length=5), server_default="21:00", nullable=False)
        )
        batch.add_column(
            sa.Column("quiet_until", sa.String(length=5), server_default="08:00", nullable=False)
        )
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("cancelled_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("ask_attendance", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("window_extensions") as batch:
        batch.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_window_extensions_meeting_id_meetings",
            "meetings",
            ["meeting_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=20), nullable=False),
        sa.Column("need", sa.Text(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name="fk_attendance_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name="fk_attendance_contributor_id_contributors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attendance"),
        sa.UniqueConstraint(
            "meeting_id", "contributor_id", name="uq_attendance_meeting_id_contributor_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("attendance")
    with op.batch_alter_table("window_extensions") as batch:
        batch.drop_constraint("fk_window_extensions_meeting_id_meetings", type_="foreignkey")
        batch.drop_column("meeting_id")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("ask_attendance")
        batch.drop_column("cancel_reason")
        batch.drop_column("cancelled_at")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("quiet_until")
        batch.drop_column("quiet_from")
        batch.drop_column("digest_at")
