"""What people send is checked before it is shared: a project's sharing mode, and on each
comment, question and reply its check state, a lead's redaction, the flags the checks
raised, who checked it and why it was hidden; questions and replies keep the asker's
NAME ME choice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHECKED_TABLES = ("comments", "questions", "question_responses")


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column(
                "sharing",
                sa.Enum(
                    "checked",
                    "open",
                    name="sharing",
                    native_enum=False,
                    create_constraint=True,
                    length=20,
                ),
                server_default="open",
                nullable=False,
            )
        )
    for table in CHECKED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "check_state",
                    sa.Enum(
                        "waiting",
                        "shared",
                        "hidden",
                        "withdrawn",
                        name="checkstate",
                        native_enum=False,
                        create_constraint=True,
                        length=20,
                    ),
                    server_default="shared",
                    nullable=False,
                )
            )
            batch.add_column(sa.Column("shared_text", sa.Text(), nullable=True))
            batch.add_column(sa.Column("flags", sa.JSON(), server_default="[]", nullable=False))
            batch.add_column(sa.Column("checked_by", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column("hide_reason", sa.Text(), nullable=True))
            batch.create_foreign_key(
                f"fk_{table}_checked_by_contributors",
                "contributors",
                ["checked_by"],
                ["id"],
                ondelete="SET NULL",
            )
            if table != "comments":
                batch.add_column(
                    sa.Column("is_named", sa.Boolean(), server_default=sa.false(), nullable=False)
                )


def downgrade() -> None:
    for table in CHECKED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_checked_by_contributors", type_="foreignkey")
            for column in ("check_state", "shared_text", "flags", "checked_by", "checked_at"):
                batch.drop_column(column)
            batch.drop_column("hide_reason")
            if table != "comments":
                batch.drop_column("is_named")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("sharing")
