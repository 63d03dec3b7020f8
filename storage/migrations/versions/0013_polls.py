"""Polls: a question with numbered choices, and each member's latest answer.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_CHANNELS = "channel IN ('email', 'sms', 'telegram', 'whatsapp')"
# Those that wait for a lead's response: who is named for it, and by when.


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("shape", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("allows_other", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("is_named", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_polls_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by"],
            ["contributors.id"],
            name="fk_polls_asked_by_contributors",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_polls"),
    )
    op.create_index("ix_polls_project_id", "polls", ["project_id"])
    op.create_table(
        "poll_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=True),
        sa.Column("choice", sa.Integer(), nullable=True),
        sa.Column("other", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(_CHANNELS, name="ck_poll_answers_channelname"),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name="fk_poll_answers_poll_id_polls",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name="fk_poll_answers_contributor_id_contributors",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_poll_answers"),
        sa.UniqueConstraint(
            "poll_id", "contributor_id", name="uq_poll_answers_poll_id_contributor_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("poll_answers")
    op.drop_index("ix_polls_project_id", table_name="polls")
    op.drop_table("polls")
