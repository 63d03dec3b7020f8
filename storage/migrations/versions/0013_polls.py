"""Polls: a question with numbered choices, and each member's latest answer. Comments and
members' questions name the lead responsible for the response and the day it is due.

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
_RESPONDED_TABLES = ("comments", "questions")


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
    for table in _RESPONDED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
            batch.create_foreign_key(
                f"fk_{table}_assigned_to_contributors",
                "contributors",
                ["assigned_to"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade() -> None:
    for table in _RESPONDED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_assigned_to_contributors", type_="foreignkey")
            batch.drop_column("due_on")
            batch.drop_column("assigned_to")
    op.drop_table("poll_answers")
    op.drop_index("ix_polls_project_id", table_name="polls")
    op.drop_table("polls")
