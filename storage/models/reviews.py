"""The project's own review: rounds of rating statements of good co-production from 1 to 5,
each person's closing words, and the panel (the leads and one to three peer leaders) who
sign the review off. A project reviewed every year keeps every round."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from channels.base import ChannelName

from ..base import Base
from .enums import sql_enum


class Review(Base):
    """One round of the review: the statements it asks about, and how long it waits."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    # The year it began in the project's time zone: the yearly reviews are told apart by it.
    year: Mapped[int] = mapped_column(Integer)
    # The statements as the record shows them: the project's own, or our default set in
    # English (each reader then gets the default set in their own language).
    statements: Mapped[list[str]] = mapped_column(default=list)
    own_statements: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    started_by: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # Set when a new round took its place before it closed.
    closed_at: Mapped[datetime | None]


class ReviewRating(Base):
    """One person's latest rating of one statement of a round: 1 to 5, or None (skipped)."""

    __tablename__ = "review_ratings"
    __table_args__ = (UniqueConstraint("review_id", "contributor_id", "statement"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    statement: Mapped[int] = mapped_column(Integer)  # 1-based
    rating: Mapped[int | None] = mapped_column(Integer)
    # A lead of the project when they rated: the record puts leads' and members' side by side.
    as_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    rated_at: Mapped[datetime]


class ReviewComment(Base):
    """What a person added in their own words at the end of a round (their latest words)."""

    __tablename__ = "review_comments"
    __table_args__ = (UniqueConstraint("review_id", "contributor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    # They chose to be named with what they send: the public record shows it with their name.
    is_named: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    as_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    received_at: Mapped[datetime]


class ReviewPanelMember(Base):
    """Someone who signs the round off: a lead, or a peer leader named for it."""

    __tablename__ = "review_panel"
    __table_args__ = (UniqueConstraint("review_id", "contributor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    added_at: Mapped[datetime]
    signed_off_at: Mapped[datetime | None]
    # Their words with the sign-off (REVIEW OK CODE and their words).
    words: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
