"""Consent: when and how each contributor agreed to be contacted on a channel, to be named
with their comments, and to the handling of their declarations (and when they withdrew).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column(
            "topic",
            sa.Enum(
                "contact",
                "named",
                "declarations",
                name="consenttopic",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "sms",
                "telegram",
                name="channelname",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("how", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name=op.f("fk_consents_contributor_id_contributors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(
        op.f("ix_consents_contributor_id"), "consents", ["contributor_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_consents_contributor_id"), table_name="consents")
    op.drop_table("consents")
