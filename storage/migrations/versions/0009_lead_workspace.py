"""The leads' web workspace: one-time sign-in links, signed-in sessions (both kept as token
hashes), the service's own secrets, and received messages found by who sent them.

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


def downgrade() -> None:
    op.drop_index("ix_inbound_contact_point", table_name="inbound_messages")
    op.drop_table("service_secrets")
    op.drop_table("lead_sessions")
    op.drop_table("sign_in_links")
