"""The project's own review: rounds of ratings of statements from 1 to 5, each person's
closing words, and the panel who sign each round off.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_CHANNELS = "channel IN ('email', 'sms', 'telegram', 'whatsapp')"


def _review_and_person(table: str) -> list[sa.SchemaItem]:
    """The columns and keys every table about one person in one round starts with."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=f"fk_{table}_review_id_reviews",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name=f"fk_{table}_contributor_id_contributors",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _channel(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.CheckConstraint(_CHANNELS, name=f"ck_{table}_channelname"),
    ]


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("statements", sa.JSON(), nullable=False),
        sa.Column("own_statements", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_reviews_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by"],
            ["contributors.id"],
            name="fk_reviews_started_by_contributors",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
    )
    op.create_index("ix_reviews_project_id", "reviews", ["project_id"])
    op.create_table(
        "review_ratings",
        *_review_and_person("review_ratings"),
        sa.Column("statement", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("as_lead", sa.Boolean(), server_default=sa.false(), nullable=False),
        *_channel("review_ratings"),
        sa.Column("rated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "review_id",
            "contributor_id",
            "statement",
            name="uq_review_ratings_review_id_contributor_id_statement",
        ),
    )
    op.create_table(
        "review_comments",
        *_review_and_person("review_comments"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_named", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("as_lead", sa.Boolean(), server_default=sa.false(), nullable=False),
        *_channel("review_comments"),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "review_id", "contributor_id", name="uq_review_comments_review_id_contributor_id"
        ),
    )
    op.create_table(
        "review_panel",
        *_review_and_person("review_panel"),
        sa.Column("is_lead", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("signed_off_at", UTCDateTime(), nullable=True),
        sa.Column("words", sa.Text(), nullable=True),
        *_channel("review_panel"),
        sa.UniqueConstraint(
            "review_id", "contributor_id", name="uq_review_panel_review_id_contributor_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("review_panel")
    op.drop_table("review_comments")
    op.drop_table("review_ratings")
    op.drop_index("ix_reviews_project_id", table_name="reviews")
    op.drop_table("reviews")
