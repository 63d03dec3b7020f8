"""Inbound messages found by sender and time, to count how fast one sender is writing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_inbound_sender_stored", "inbound_messages", ["channel", "sender", "stored_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_sender_stored", table_name="inbound_messages")
