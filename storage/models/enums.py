"""The closed sets of values the tables use, stored as short strings with a CHECK."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def sql_enum(cls: type[StrEnum]) -> Enum:
    # Stored as short strings with a CHECK constraint: readable in SQL, same on both databases.
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        name=cls.__name__.lower(),
    )


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class LeadKind(StrEnum):
    STAFF = "staff"  # from the organisation's team
    CONTRIBUTOR = "contributor"  # chosen from the contributors (joint lead)


class MembershipStatus(StrEnum):
    INVITED = "invited"
    JOINED = "joined"
    LEFT = "left"


class ResponseStatus(StrEnum):
    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly-adopted"
    NOT_ADOPTED = "not-adopted"
    UNDER_REVIEW = "under-review"


class QuestionDirection(StrEnum):
    TO_LEADS = "to-leads"  # a contributor asks the leads
    TO_GROUP = "to-group"  # a lead pushes a question to every member


class InboundStatus(StrEnum):
    NEW = "new"
    PROCESSED = "processed"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    # The provider may have it (its answer was lost); looked up before any resend.
    UNKNOWN = "unknown"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ConsentTopic(StrEnum):
    """What a contributor agreed to, or withdrew from."""

    CONTACT = "contact"  # being sent messages on one channel (the consent row names it)
    NAMED = "named"  # their name shown with their comments (NAME ME / ANONYMOUS)
    # Their declarations of interest kept and shown to the project's leads.
    DECLARATIONS = "declarations"


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Sharing(StrEnum):
    """How a project shares what its people send with the group."""

    CHECKED = "checked"  # a lead approves everything before it is shared
    OPEN = "open"  # shared at once, unless a check flags it (then held as in checked)


class CheckState(StrEnum):
    """Where a comment, question or reply stands before it may reach the group."""

    WAITING = "waiting"  # held for a lead's check; only the leads see it
    SHARED = "shared"  # approved (as written, or as a lead redacted it) or passed the checks
    HIDDEN = "hidden"  # a lead decided it is never shared
    WITHDRAWN = "withdrawn"  # its author asked for it not to be shared
