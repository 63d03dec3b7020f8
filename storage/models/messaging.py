"""Message plumbing: what came in, what goes out, what is due, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from channels.base import ChannelName

from ..base import Base, utcnow
from .enums import InboundStatus, JobStatus, OutboxStatus, sql_enum


class InboundMessageRow(Base):
    """Every message that reached us, stored before any flow runs; the provider id makes a
    second delivery of the same message a no-op."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index("ix_inbound_sender_stored", "channel", "sender", "stored_at"),
        # The workspace's inbox and people pages find messages by who sent them.
        Index("ix_inbound_contact_point", "contact_point_id", "id"),
        # An edited Telegram message names the message it replaces by the provider's own id.
        Index("ix_inbound_provider_ref", "channel", "provider_ref"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[ChannelName] = mapped_column(sql_enum(ChannelName))
    provider_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(320))
    routing_token: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    # What could not be read (see InboundMessage): the person is told, nothing else is kept.
    attachments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cut_from: Mapped[int | None] = mapped_column(Integer)
    sender_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # See InboundMessage: what kind of event this is, the provider's id of the message itself,
    # the message an edit replaces, and for a reply we could not read with confidence, the
    # person's unquoted lines as a whole (for the leads, never shared; see ``unsure``).
    event: Mapped[str] = mapped_column(String(20), default="text", server_default="text")
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    edit_of: Mapped[str | None] = mapped_column(String(255))
    unquoted_text: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[InboundStatus] = mapped_column(
        sql_enum(InboundStatus), default=InboundStatus.NEW
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None]
    contact_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact_points.id", ondelete="SET NULL")
    )
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def unsure(self) -> bool:
        """True for an email reply whose own words we could not tell (until its words are
        let go with the rest after the retention period)."""
        return self.unquoted_text is not None


class OutboxRow(Base):
    """One message to one contact point, written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_provider_id", "channel", "provider_id"),
        # The workspace's inbox finds the replies to each message (and which project they
        # were for); removing old messages sets this column to null.
        Index("ix_outbox_reply_to_inbound", "reply_to_inbound_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    contact_point_id: Mapped[int] = mapped_column(
        ForeignKey("contact_points.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[ChannelName] = mapped_column(sql_enum(ChannelName))
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(16), default="en")
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(default=list)
    reply_to_inbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL")
    )
    status: Mapped[OutboxStatus] = mapped_column(
        sql_enum(OutboxStatus), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A long text goes in parts (Telegram); those that arrived before a try failed are not
    # sent again.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Held by WhatsApp's 24-hour rule until the person writes to us (bot/claimed.py); then it
    # is made due again (storage.outbox.release_held_for_reply).
    awaits_reply: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When a message held for the person's reply was released: its time to be tried again
    # (COPRODUCE_RETRY_FOR) counts from then, not from when it was queued.
    released_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    # The worker holding the claim; when that worker is gone the row may be claimed again.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)


class ScheduledJob(Base):
    """A thing to do at a time; the unique name stops the same job being queued twice."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_scheduled_jobs_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    due_at: Mapped[datetime]
    status: Mapped[JobStatus] = mapped_column(sql_enum(JobStatus), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class WorkerRow(Base):
    """A running worker's lease: renewed while it lives, so others can tell when it died.

    Rows a worker claimed are claimed again as soon as its lease is gone. On SQLite only the
    worker whose row says ``dispatching`` sends; the others wait and say so.
    """

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    dispatching: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ConversationState(Base):
    """Where a contributor is in a conversation (for example a numbered choice waiting)."""

    __tablename__ = "conversation_states"

    contributor_id: Mapped[int] = mapped_column(
        ForeignKey("contributors.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Append-only: database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    # No foreign key: the record outlives whatever it names.
    project_id: Mapped[int | None] = mapped_column(Integer, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
