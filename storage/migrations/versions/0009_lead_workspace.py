"""The leads' web workspace: one-time sign-in links, signed-in sessions (both kept as token
hashes), the service's own secrets, received messages found by who sent them, and what
became of each (the replies to it and its comment).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def _token_table(name: str, last: str) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column(last, _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name=f"fk_{name}_contributor_id_contributors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint("token_hash", name=f"uq_{name}_token_hash"),
    )


def upgrade() -> None:
    _token_table("sign_in_links", "used_at")
    _token_table("lead_sessions", "ended_at")
    op.create_table(
        "service_secrets",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_service_secrets"),
    )
    op.create_index("ix_inbound_contact_point", "inbound_messages", ["contact_point_id", "id"])
    op.create_table(
        "form_submissions",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("contributor_id", sa.Integer(), nullable=False),
        sa.Column("used_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["contributor_id"],
            ["contributors.id"],
            name="fk_form_submissions_contributor_id_contributors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_id", name="pk_form_submissions"),
    )
    # The inbox finds what became of each message: the replies to it and its comment.
    op.create_index("ix_outbox_reply_to_inbound", "outbox", ["reply_to_inbound_id"])
    op.create_index(
        op.f("ix_comments_inbound_message_id"), "comments", ["inbound_message_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("form_submissions")
    op.drop_index(op.f("ix_comments_inbound_message_id"), table_name="comments")
    op.drop_index("ix_outbox_reply_to_inbound", table_name="outbox")
    op.drop_index("ix_inbound_contact_point", table_name="inbound_messages")
    op.drop_table("service_secrets")
    op.drop_table("lead_sessions")
    op.drop_table("sign_in_links")
