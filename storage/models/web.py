"""The leads' web workspace: one-time sign-in links, signed-in sessions, and the service's
own secret. Tokens are kept only as SHA-256 hashes, so a copy of the database signs no one in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, utcnow


class SignInLink(Base):
    """A link sent to a lead; it signs them in once, within its time."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LeadSession(Base):
    """A signed-in lead: the cookie holds the token, this row says who and until when."""

    __tablename__ = "lead_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ServiceSecret(Base):
    """A secret the service made for itself (the key that signs its form tokens), kept
    here so that every process, and the next start, uses the same one."""

    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class FormSubmission(Base):
    """A workspace form that has been acted on, by the one-time id it carried: the same form
    sent twice (a double click, a resend after a slow answer) is acted on once."""

    __tablename__ = "form_submissions"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id", ondelete="CASCADE"))
    used_at: Mapped[datetime]
