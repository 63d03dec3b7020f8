"""People and the addresses they can be reached at."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channels.base import ChannelName

from ..base import Base, utcnow
from .enums import ConsentTopic, sql_enum


class Contributor(Base):
    __tablename__ = "contributors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    preferred_channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    access_needs: Mapped[list[str]] = mapped_column(default=list)
    named_in_comments: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    contact_points: Mapped[list[ContactPoint]] = relationship(
        back_populates="contributor", order_by="ContactPoint.id"
    )


class ContactPoint(Base):
    """An address on one channel. Unknown senders get one with no contributor, so that
    their STOP is honoured and they are not sent help twice a day."""

    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[ChannelName] = mapped_column(sql_enum(ChannelName))
    address: Mapped[str] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Permanent send failures in a row (invalid number, bot blocked, mailbox refused); a
    # delivered message sets it back to 0. Repeated failures send people's next messages
    # by their other channel.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    failed_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)

    contributor: Mapped[Contributor | None] = relationship(back_populates="contact_points")


class ReplyToken(Base):
    """The unguessable part of a reply address; it, not From, says who wrote an email."""

    __tablename__ = "reply_tokens"
    __table_args__ = (UniqueConstraint("contributor_id", "project_id"),)

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """One agreement given or withdrawn, with when and how; never updated, so the history
    shows every change. ``channel`` is set for contact on a channel, else None."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor_id: Mapped[int] = mapped_column(
        ForeignKey("contributors.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[ConsentTopic] = mapped_column(sql_enum(ConsentTopic))
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    given: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime]
    # How it was said, in a few words ("sms JOIN", "csv import"); never an address.
    how: Mapped[str] = mapped_column(String(100))
