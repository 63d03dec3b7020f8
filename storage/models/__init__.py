"""The domain as tables: people, projects and their record, and the message plumbing.

The first Alembic revision creates exactly these; a test compares the two so they cannot drift.
"""

from .enums import (
    CheckState,
    ConsentTopic,
    InboundStatus,
    JobStatus,
    LeadKind,
    MembershipStatus,
    OutboxStatus,
    ProjectStatus,
    QuestionDirection,
    ResponseStatus,
    Sharing,
)
from .messaging import (
    AuditEntry,
    ConversationState,
    InboundMessageRow,
    OutboxRow,
    ScheduledJob,
    WorkerRow,
)
from .people import Consent, ContactPoint, Contributor, ReplyToken
from .polls import Poll, PollAnswer
from .projects import (
    Answer,
    Attendance,
    BriefVersion,
    Comment,
    CommentEdit,
    CommentWindow,
    Declaration,
    Meeting,
    Membership,
    Project,
    ProjectLead,
    Question,
    QuestionResponse,
    WindowExtension,
)
from .reviews import Review, ReviewComment, ReviewPanelMember, ReviewRating
from .web import FormSubmission, LeadSession, ServiceSecret, SignInLink

__all__ = [
    "Answer",
    "Attendance",
    "AuditEntry",
    "BriefVersion",
    "CheckState",
    "Comment",
    "CommentEdit",
    "CommentWindow",
    "Consent",
    "ConsentTopic",
    "ContactPoint",
    "Contributor",
    "ConversationState",
    "Declaration",
    "FormSubmission",
    "InboundMessageRow",
    "InboundStatus",
    "JobStatus",
    "LeadKind",
    "LeadSession",
    "Meeting",
    "Membership",
    "MembershipStatus",
    "OutboxRow",
    "OutboxStatus",
    "Poll",
    "PollAnswer",
    "Project",
    "ProjectLead",
    "ProjectStatus",
    "Question",
    "QuestionDirection",
    "QuestionResponse",
    "ReplyToken",
    "ResponseStatus",
    "Review",
    "ReviewComment",
    "ReviewPanelMember",
    "ReviewRating",
    "ScheduledJob",
    "ServiceSecret",
    "Sharing",
    "SignInLink",
    "WindowExtension",
    "WorkerRow",
]
