"""Flow 7, you said, we did: every comment gets a response, and its author is told.

A lead marks a comment adopted, partly adopted, not adopted or under review, with a reason
(needed for all but under review). A later response replaces the earlier one on the comment;
the audit log keeps every one. The author hears the outcome in their own language, anonymous
comment or not, unless they were erased, left the project or cannot be reached.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.comments import record_response
from storage.memberships import membership
from storage.models import Comment, Contributor, MembershipStatus, Project, ResponseStatus

from .i18n import Translator
from .keywords import Command, keyword_words
from .lead_messages import Sent, send_once
from .outbound import Message, Reader

# What a lead may type for each status (the CLI's values, and looser forms of them).
STATUS_WORDS: dict[str, ResponseStatus] = {
    "adopted": ResponseStatus.ADOPTED,
    "partly": ResponseStatus.PARTLY_ADOPTED,
    "partly-adopted": ResponseStatus.PARTLY_ADOPTED,
    "not": ResponseStatus.NOT_ADOPTED,
    "not-adopted": ResponseStatus.NOT_ADOPTED,
    "review": ResponseStatus.UNDER_REVIEW,
    "under-review": ResponseStatus.UNDER_REVIEW,
}
STATUS_CHOICES = ", ".join(status.value for status in ResponseStatus)
_EDGES = ".,;:!?\"'()"
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "_": "-"})


def _status_word(word: str) -> str:
    return word.translate(_DASHES).strip(_EDGES).casefold()


def status_from_word(word: str) -> ResponseStatus | None:
    """The status a word means: "adopted", "Partly", "not-adopted", "under_review"..."""
    return STATUS_WORDS.get(_status_word(word))


def read_status(text: str) -> tuple[ResponseStatus | None, str]:
    """The status at the start of ``text`` (one word, or two: "not adopted") and the reason
    after it; no status when the first words are not one."""
    words = text.split()
    if not words:
        return None, ""
    status, used = None, 0
    if len(words) > 1:
        status, used = STATUS_WORDS.get(f"{_status_word(words[0])}-{_status_word(words[1])}"), 2
    if status is None:
        status, used = status_from_word(words[0]), 1
    if status is None:
        return None, ""
    return status, " ".join(words[used:]).lstrip(" -:").strip()


def status_sentence(t: Translator, status: ResponseStatus) -> str:
    return {
        ResponseStatus.ADOPTED: t.gettext("They will do what you suggested."),
        ResponseStatus.PARTLY_ADOPTED: t.gettext("They will do part of what you suggested."),
        ResponseStatus.NOT_ADOPTED: t.gettext("They will not do what you suggested."),
        ResponseStatus.UNDER_REVIEW: t.gettext(
            "They are still thinking about it. They will tell you when they decide."
        ),
    }[status]


def outcome_text(reader: Reader, project: Project, comment: Comment) -> Message:
    """What the author is told. On SMS their comment is not repeated, to keep it short."""
    t = reader.t
    assert comment.response_status is not None
    parts = [
        t.gettext("The leads have answered your comment {number} on {code}.").format(
            number=comment.id, code=project.code
        )
    ]
    if not reader.sms:
        parts.append(t.gettext("You said: {comment}").format(comment=comment.text))
    parts.append(status_sentence(t, comment.response_status))
    if comment.response_reason:
        parts.append(t.gettext("Their reason: {reason}").format(reason=comment.response_reason))
    subject = t.gettext("{title}: an answer to your comment").format(title=project.title)
    return Message(reader.paragraphs(parts), subject=subject)


def confirmation_text(t: Translator, project: Project, comment: Comment, author_told: bool) -> str:
    """The lead's confirmation over a channel."""
    # TRANSLATORS: {status} is one of adopted, partly-adopted, not-adopted, under-review,
    # in English: the word the lead typed.
    done = t.gettext("Thank you. Comment {number} on {code} is now marked {status}.").format(
        number=comment.id, code=project.code, status=comment.response_status
    )
    if author_told:
        told = t.gettext("We have told the person who wrote it.")
    else:
        told = t.gettext("We could not tell the person who wrote it.")
    return f"{done} {told}"


def respond_how(t: Translator) -> str:
    """How a lead writes a response; the status words stay in English."""
    word = keyword_words(t)[Command.RESPOND]
    return "\n".join(
        [
            t.gettext(
                "Please write {respond}, the number of the comment, what you decided and why."
            ).format(respond=word),
            # TRANSLATORS: {choices} are English words the lead types as they are.
            t.gettext("Choose one of: {choices}.").format(choices=STATUS_CHOICES),
            # TRANSLATORS: {adopted} is the English word "adopted"; translate the rest.
            t.gettext("For example: {respond} 12 {adopted} We will add visits at weekends.").format(
                respond=word, adopted=ResponseStatus.ADOPTED.value
            ),
        ]
    )


def no_such_comment(t: Translator, number: str) -> str:
    found = t.gettext("We cannot find comment {number}.").format(number=number)
    return f"{found}\n{respond_how(t)}"


def reason_needed(t: Translator) -> str:
    return (
        t.gettext("Please say why. The person who wrote the comment will see it.")
        + "\n"
        + respond_how(t)
    )


async def respond_to_comment(
    session: AsyncSession,
    comment: Comment,
    status: ResponseStatus,
    reason: str | None,
    *,
    now: datetime,
    responded_by: int | None = None,
    actor: str = "cli",
) -> Sent:
    """Store the response (replacing any earlier one), add it to the audit log and tell the
    author; true when the author has it: told now, or already told these very words today
    (they are not sent twice)."""
    await record_response(
        session, comment, status=status, reason=reason, responded_by=responded_by, now=now
    )
    project = await session.get(Project, comment.project_id)
    assert project is not None
    author = await session.get(Contributor, comment.contributor_id or 0)
    told = Sent()
    if author is not None and await _may_tell(session, author, project):
        await session.refresh(author, ["contact_points"])
        told = await send_once(
            session,
            author,
            project,
            kind="comment-response",
            render=lambda reader: outcome_text(reader, project, comment),
            now=now,
            hold_at_night=True,
        )
    await record_audit(
        session,
        actor=actor,
        action="comment.respond",
        at=now,
        project_id=project.id,
        details={
            "comment": comment.id,
            "status": status.value,
            "has_reason": comment.response_reason is not None,
            # Only when the author already had these very words today (not sent again).
            **({"already_sent": told.already} if told.already else {}),
        },
    )
    return told


async def _may_tell(session: AsyncSession, author: Contributor, project: Project) -> bool:
    """Not someone erased, nor someone who left the project: they asked for nothing more."""
    if author.erased_at is not None:
        return False
    found = await membership(session, project.id, author.id)
    return found is None or found.status != MembershipStatus.LEFT
