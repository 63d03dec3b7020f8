"""Polls: a question the leads put to the group with numbered choices, and each member's
latest answer to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from channels.base import ChannelName

from ..base import Base
from .enums import sql_enum


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    # "choices" (the leads' words), "scale" (1 to size) or "yes-no".
    shape: Mapped[str] = mapped_column(String(10))
    # How many choices; for a scale, its top number.
    size: Mapped[int] = mapped_column(Integer)
    # The words of each choice: the leads' for "choices", a scale's labels (or none, when
    # its points are only numbers); none for "yes-no", whose words are each reader's own.
    labels: Mapped[list[str]] = mapped_column(default=list)
    # A typed answer is kept when it matches no choice.
    allows_other: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Named: the leads see who chose what. Anonymous (the default): only the totals.
    is_named: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    asked_by: Mapped[int | None] = mapped_column(ForeignKey("contributors.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # Set when the result went to every member (at the close, or when a lead closed it early).
    closed_at: Mapped[datetime | None]


class PollAnswer(Base):
    """One member's latest answer to a poll: a choice's number, or their own words."""

    __tablename__ = "poll_answers"
    __table_args__ = (UniqueConstraint("poll_id", "contributor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    choice: Mapped[int | None] = mapped_column(Integer)  # 1-based; None for their own words
    other: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    answered_at: Mapped[datetime]
    # How many times they changed it before the close (the last answer counts).
    changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
