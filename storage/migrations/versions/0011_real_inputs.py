"""Real inputs from real clients and providers: WhatsApp as a fourth channel, the organisation
that asks, what kind of event an inbound message is (an opt-out at the provider, an edit), the
provider's own id of a message, replies we could not read with confidence, and the history of
an edited comment.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Every column that names a channel, by table; each has the CHECK "ck_<table>_channelname".
_CHANNEL_COLUMNS = {
    "inbound_messages": "channel",
    "outbox": "channel",
    "contributors": "preferred_channel",
    "contact_points": "channel",
    "consents": "channel",
    "declarations": "channel",
    "comments": "channel",
    "questions": "channel",
    "question_responses": "channel",
}
_BEFORE = ("email", "sms", "telegram")
_AFTER = (*_BEFORE, "whatsapp")


def _channels_allowed(names: tuple[str, ...]) -> None:
    allowed = ", ".join(f"'{name}'" for name in names)
    for table, column in _CHANNEL_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint("channelname", type_="check")
            batch.create_check_constraint("channelname", sa.text(f"{column} IN ({allowed})"))


def upgrade() -> None:
    _channels_allowed(_AFTER)
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("organisation", sa.String(length=200), nullable=True))
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(
            sa.Column("event", sa.String(length=20), server_default="text", nullable=False)
        )
        batch.add_column(sa.Column("provider_ref", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("edit_of", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("unquoted_text", sa.Text(), nullable=True))
        batch.create_index("ix_inbound_provider_ref", ["channel", "provider_ref"])
    op.create_table(
        "comment_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("text_before", sa.Text(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=False),
        sa.Column("inbound_message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite")),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_comment_edits_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name="fk_comment_edits_inbound_message_id_inbound_messages",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_comment_edits"),
    )
    op.create_index("ix_comment_edits_comment_id", "comment_edits", ["comment_id"])


def downgrade() -> None:
    op.drop_index("ix_comment_edits_comment_id", table_name="comment_edits")
    op.drop_table("comment_edits")
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_index("ix_inbound_provider_ref")
        batch.drop_column("unquoted_text")
        batch.drop_column("edit_of")
        batch.drop_column("provider_ref")
        batch.drop_column("event")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("organisation")
    _channels_allowed(_BEFORE)
