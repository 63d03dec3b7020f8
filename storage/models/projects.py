"""Projects and everything said and decided in them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from channels.base import ChannelName

from ..base import Base, utcnow
from .enums import (
    CheckState,
    LeadKind,
    MembershipStatus,
    ProjectStatus,
    QuestionDirection,
    ResponseStatus,
    Sharing,
    sql_enum,
)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    default_language: Mapped[str] = mapped_column(String(16), default="en")
    window_days: Mapped[int] = mapped_column(Integer, default=7)
    # Anyone may JOIN an open project; otherwise only those a lead invited.
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Checked: a lead sees everything people send before the group does. Projects made
    # before this setting existed shared at once, and keep doing so.
    sharing: Mapped[Sharing] = mapped_column(
        sql_enum(Sharing), default=Sharing.CHECKED, server_default=Sharing.OPEN.value
    )
    status: Mapped[ProjectStatus] = mapped_column(
        sql_enum(ProjectStatus), default=ProjectStatus.ACTIVE
    )
    review_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Local times ("HH:MM" in the project's zone): when the day's digest goes, and the hours
    # in which no scheduled or broadcast message is sent (see flows.quiet_hours).
    digest_at: Mapped[str] = mapped_column(String(5), default="10:00", server_default="10:00")
    quiet_from: Mapped[str] = mapped_column(String(5), default="21:00", server_default="21:00")
    quiet_until: Mapped[str] = mapped_column(String(5), default="08:00", server_default="08:00")
    # Who is asking, named in invitations and email footers; None uses COPRODUCE_ORGANISATION.
    organisation: Mapped[str | None] = mapped_column(String(200))


class ProjectLead(Base):
    __tablename__ = "project_leads"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    contributor_id: Mapped[int] = mapped_column(
        ForeignKey("contributors.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[LeadKind] = mapped_column(sql_enum(LeadKind), default=LeadKind.STAFF)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("project_id", "contributor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    contributor_id: Mapped[int] = mapped_column(
        ForeignKey("contributors.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[MembershipStatus] = mapped_column(
        sql_enum(MembershipStatus), default=MembershipStatus.INVITED
    )
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    leave_reason: Mapped[str | None] = mapped_column(Text)
    notice: Mapped[str | None] = mapped_column(Text)


class BriefVersion(Base):
    __tablename__ = "brief_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str | None] = mapped_column(Text)
    alt_formats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("contributors.id"))


class Declaration(Base):
    """A declaration of interest; never updated, a new one is added (history kept)."""

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor_id: Mapped[int] = mapped_column(
        ForeignKey("contributors.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    has_interest: Mapped[bool] = mapped_column(Boolean)
    text: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(Integer, default=90)
    place: Mapped[str | None] = mapped_column(Text)
    window_days: Mapped[int] = mapped_column(Integer, default=7)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A cancelled meeting opens no window; the reason went to every member.
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Members were asked to reply 1 (coming), 2 (not coming) or 3 (coming, with a need).
    ask_attendance: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Attendance(Base):
    """One member's latest answer to "are you coming?" for one meeting."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "contributor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id", ondelete="CASCADE"))
    # "coming", "not-coming" or "coming-with-need" (the need is then in ``need``).
    answer: Mapped[str] = mapped_column(String(20))
    need: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime]


class CommentWindow(Base):
    __tablename__ = "comment_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    original_closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class WindowExtension(Base):
    __tablename__ = "window_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(
        ForeignKey("comment_windows.id", ondelete="CASCADE"), index=True
    )
    previous_closes_at: Mapped[datetime]
    new_closes_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    extended_by: Mapped[int | None] = mapped_column(ForeignKey("contributors.id"))
    extended_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a meeting that ended while the window was open moved its close.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))


class CheckedBeforeSharing:
    """What people send that may reach the group: held until a lead (or, in an open project,
    the checks) let it through. ``shared_text`` is a lead's redaction; the original stays in
    ``text`` for the leads and for the author's export only."""

    # What was stored before checks existed had already been shared.
    check_state: Mapped[CheckState] = mapped_column(
        sql_enum(CheckState), default=CheckState.WAITING, server_default=CheckState.SHARED.value
    )
    shared_text: Mapped[str | None] = mapped_column(Text)
    # What the checks found (flows.sharing_flags.Flag values), for the leads.
    flags: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    checked_by: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    checked_at: Mapped[datetime | None]
    hide_reason: Mapped[str | None] = mapped_column(Text)


class Comment(CheckedBeforeSharing, Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment_windows.id", ondelete="SET NULL")
    )
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    is_named: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the comment went out in a daily digest, so the next one carries only new ones.
    digested_at: Mapped[datetime | None]
    response_status: Mapped[ResponseStatus | None] = mapped_column(sql_enum(ResponseStatus))
    response_reason: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    responded_by: Mapped[int | None] = mapped_column(ForeignKey("contributors.id"))
    # Indexed: the workspace's inbox finds the comment each message became.
    inbound_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL"), index=True
    )
    # The lead named for the response, and the day (in the project's zone) it is due by
    # (flows.responsibility); a later assignment replaces the earlier.
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None] = mapped_column(Date)


class CommentEdit(Base):
    """The text a comment had before its author changed it (an edited Telegram message)."""

    __tablename__ = "comment_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    text_before: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime]
    inbound_message_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("inbound_messages.id", ondelete="SET NULL"),
    )


class Question(CheckedBeforeSharing, Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[QuestionDirection] = mapped_column(sql_enum(QuestionDirection))
    asked_by: Mapped[int | None] = mapped_column(ForeignKey("contributors.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The asker's NAME ME choice when they asked.
    is_named: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The lead named for the written answer to a members' question, and the day (in the
    # project's zone) it is due by (flows.responsibility).
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None] = mapped_column(Date)


class Answer(Base):
    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("contributors.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    broadcast_at: Mapped[datetime | None]


class QuestionResponse(CheckedBeforeSharing, Base):
    """A member's reply to a question a lead pushed to the group."""

    __tablename__ = "question_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributors.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[ChannelName | None] = mapped_column(sql_enum(ChannelName))
    received_at: Mapped[datetime]
    is_named: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
