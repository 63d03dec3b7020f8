"""Who is coming: a meeting that asks its members to reply 1 (coming), 2 (not coming) or 3
(coming, with a need, which they then type). The latest answer counts; the leads see the
list (:func:`attendance_list`).

The question waits in the member's conversation state until the meeting starts:

```mermaid
stateDiagram-v2
    [*] --> attendance: the meeting asks who is coming
    attendance --> attendance: 1 or 2 (kept and thanked; they may answer again)
    attendance --> attendance_need: 3 (kept, and "what do you need?")
    attendance_need --> attendance: the next message (kept as the need)
    attendance --> attendance: another number ("reply 1, 2 or 3"; nothing kept)
    attendance --> [*]: the meeting starts or is cancelled
```
Any other words while the question waits go where they would have gone anyway (a comment,
a question...), and the question keeps waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.attendance import (
    COMING,
    COMING_WITH_NEED,
    NOT_COMING,
    WAITING_FOR_ANSWER,
    WAITING_FOR_NEED,
    WAITING_STATES,
    member_answers,
    record_attendance,
)
from storage.audit import record_audit
from storage.conversations import set_states, states_of
from storage.errors import InvalidInput
from storage.memberships import Addressee
from storage.models import LeadKind, Meeting, Project

from .context import Exchange
from .effects import AnswerAttendance, ClearPending, Effect, Reply, SetPending
from .i18n import Translator
from .keywords import ParsedText
from .outbound import Message, Reader, send_to_members
from .situation import Situation

# What each number means; Telegram shows them as buttons too.
ANSWER_FOR_NUMBER = {1: COMING, 2: NOT_COMING, 3: COMING_WITH_NEED}
CHOICES = ("1", "2", "3")
# How long after the meeting starts a number is still read as a (too late) answer.
TOO_LATE_FOR = timedelta(days=1)


def reply_lines(t: Translator) -> list[str]:
    # Each choice starts its own line with its number, as every numbered choice does.
    return [
        t.gettext("Reply with a number:"),
        t.gettext("1 if you are coming"),
        t.gettext("2 if you are not coming"),
        t.gettext("3 if you are coming and need something, for example help to get there"),
    ]


def question_text(reader: Reader, project: Project, meeting: Meeting) -> Message:
    t = reader.t
    first = t.gettext("Are you coming to the {code} meeting on {when}?").format(
        code=project.code, when=reader.when(meeting.starts_at)
    )
    subject = t.gettext("{title}: are you coming?").format(title=project.title)
    return Message("\n".join([first, *reply_lines(t)]), subject=subject, choices=CHOICES)


async def ask_who_is_coming(
    session: AsyncSession, project: Project, meeting: Meeting, *, now: datetime
) -> int:
    """Ask every member whether they are coming, and wait for their number until the meeting
    starts; returns how many were asked."""
    if meeting.cancelled_at is not None:
        raise InvalidInput(f"meeting {meeting.id} is cancelled")
    if meeting.starts_at <= now:
        raise InvalidInput(
            f"meeting {meeting.id} has already started, so no one can be asked if they are coming"
        )
    meeting.ask_attendance = True
    waiting = {"meeting_id": meeting.id, "project_id": project.id}

    async def wait_for_answers(page: list[Addressee]) -> None:
        # A numbered choice someone is in the middle of is left alone, as for a lead's question.
        ids = [person.id for person in page]
        busy = {
            cid for cid, state in (await states_of(session, ids, now)).items() if state == "choose"
        }
        await set_states(
            session,
            [cid for cid in ids if cid not in busy],
            WAITING_FOR_ANSWER,
            waiting,
            meeting.starts_at,
            now,
        )

    return await send_to_members(
        session,
        project,
        kind="meeting-attendance",
        render=lambda reader: question_text(reader, project, meeting),
        now=now,
        each_page=wait_for_answers,
    )


async def start_asking(
    session: AsyncSession, project: Project, meeting: Meeting, *, now: datetime, actor: str
) -> int:
    """A lead's choice that the meeting asks who is coming (audited under the lead)."""
    asked = await ask_who_is_coming(session, project, meeting, now=now)
    await record_audit(
        session,
        actor=actor,
        action="meeting.ask_attendance",
        at=now,
        project_id=project.id,
        details={"meeting": meeting.id, "asked": asked},
    )
    return asked


# The conversation step (pure): called by flows.conversation while the question waits.


def answer(
    situation: Situation, parsed: ParsedText, text: str, t: Translator
) -> list[Effect] | None:
    """What a message means while a meeting waits for this member's answer; None when it is
    not about that (no question waiting, or words that go elsewhere)."""
    pending = situation.pending
    if pending is None or pending.state not in WAITING_STATES:
        return None
    project = situation.project(int(pending.data["project_id"]))
    if project is None or not project.joined:
        return None  # they left the project since they were asked
    meeting_id = int(pending.data["meeting_id"])
    number = parsed.number
    if pending.expired(situation.now):
        # A number soon after the meeting started is still about it: they are told it is
        # too late, rather than that no number was awaited.
        assert pending.expires_at is not None
        soon = situation.now - pending.expires_at < TOO_LATE_FOR
        if soon and number in ANSWER_FOR_NUMBER:
            return [AnswerAttendance(meeting_id, ANSWER_FOR_NUMBER[number]), ClearPending()]
        return None
    if number in ANSWER_FOR_NUMBER:
        chosen = ANSWER_FOR_NUMBER[number]
        state = WAITING_FOR_NEED if chosen == COMING_WITH_NEED else WAITING_FOR_ANSWER
        return [
            AnswerAttendance(meeting_id, chosen),
            SetPending(state, dict(pending.data), pending.expires_at),
        ]
    if number is not None:
        return [Reply("attendance-again", again_text(t, project.code), choices=CHOICES)]
    if pending.state == WAITING_FOR_NEED and text:
        # The next message after "what do you need?" is the need, in their own words.
        return [
            AnswerAttendance(meeting_id, COMING_WITH_NEED, text),
            SetPending(WAITING_FOR_ANSWER, dict(pending.data), pending.expires_at),
        ]
    return None


def again_text(t: Translator, code: str) -> str:
    first = t.gettext("Please reply 1, 2 or 3 about the {code} meeting.").format(code=code)
    return "\n".join([first, *reply_lines(t)])


# Applying an answer (in the transaction that handles the message)


async def record_answer(exchange: Exchange, effect: AnswerAttendance) -> None:
    """Keep the member's answer and thank them; too late once the meeting has started."""
    session, now = exchange.session, exchange.now
    meeting = await session.get(Meeting, effect.meeting_id)
    project = await session.get(Project, meeting.project_id) if meeting else None
    if meeting is None or project is None:
        return  # the project is gone; nothing to keep the answer for
    if meeting.cancelled_at is not None or meeting.starts_at <= now:
        await exchange.reply(
            "attendance-closed",
            lambda reader: _closed_text(reader, project, meeting),
            project=project,
        )
        return
    await record_attendance(
        session,
        meeting_id=meeting.id,
        contributor_id=exchange.contributor.id,
        answer=effect.answer,
        need=effect.need,
        now=now,
    )
    await exchange.reply(
        "attendance-thanks",
        lambda reader: _thanks_text(reader, project, meeting, effect),
        project=project,
    )


def _closed_text(reader: Reader, project: Project, meeting: Meeting) -> Message:
    t, when = reader.t, reader.when(meeting.starts_at)
    if meeting.cancelled_at is not None:
        return Message(
            t.gettext("The {code} meeting on {when} is cancelled.").format(
                code=project.code, when=when
            )
        )
    return Message(
        t.gettext("It is too late to answer about the {code} meeting on {when}.").format(
            code=project.code, when=when
        )
    )


def _thanks_text(
    reader: Reader, project: Project, meeting: Meeting, effect: AnswerAttendance
) -> Message:
    t, when = reader.t, reader.when(meeting.starts_at)
    again = t.gettext("To change your answer, reply 1, 2 or 3.")
    if effect.answer == COMING_WITH_NEED and effect.need:
        first = t.gettext("Thank you. We have noted what you need, and the leads can see it.")
        return Message(reader.paragraphs([first, again]))
    if effect.answer == NOT_COMING:
        first = t.gettext(
            "Thank you. We have noted that you are not coming to the {code} meeting on {when}."
        ).format(code=project.code, when=when)
        later = t.gettext("You can still send comments after it.")
        return Message(reader.paragraphs([first, later, again]))
    first = t.gettext(
        "Thank you. We have noted that you are coming to the {code} meeting on {when}."
    ).format(code=project.code, when=when)
    if effect.answer == COMING_WITH_NEED:
        need = t.gettext("What do you need? Please reply in your own words.")
        return Message(reader.paragraphs([first, need]))
    return Message(reader.paragraphs([first, again]))


# The list the leads see


@dataclass(frozen=True)
class Group:
    count: int
    # Those this lead may see by name; the others are only counted.
    names: tuple[str, ...]


@dataclass(frozen=True)
class StatedNeed:
    name: str | None  # None: someone this lead may not see by name
    need: str | None  # None: they answered 3 and have not said what they need yet


@dataclass(frozen=True)
class AttendanceList:
    meeting_id: int
    starts_at: datetime
    asked: bool
    cancelled: bool
    coming: Group
    not_coming: Group
    needs: tuple[StatedNeed, ...]
    not_answered: Group
    # True for a lead chosen from the contributors: names only of those who chose to be named.
    names_limited: bool


async def attendance_list(
    session: AsyncSession, project: Project, meeting: Meeting, viewer: LeadKind
) -> AttendanceList:
    """Who is coming, who is not, the needs stated and who has not answered, among those who
    are members now. An answer is something a person sent, so a lead chosen from the
    contributors sees it by name only if its sender chose to be named (as with comments); the
    team's leads see every name."""
    everyone = await member_answers(session, meeting.id, project.id)
    limited = viewer == LeadKind.CONTRIBUTOR

    def shown(name: str, named: bool) -> str | None:
        return name if not limited or named else None

    def group(answers: tuple[str | None, ...]) -> Group:
        people = [p for p in everyone if p.answer in answers]
        names = tuple(n for p in people if (n := shown(p.name, p.named)) is not None)
        return Group(len(people), names)

    return AttendanceList(
        meeting_id=meeting.id,
        starts_at=meeting.starts_at,
        asked=meeting.ask_attendance,
        cancelled=meeting.cancelled_at is not None,
        coming=group((COMING, COMING_WITH_NEED)),
        not_coming=group((NOT_COMING,)),
        needs=tuple(
            StatedNeed(shown(p.name, p.named), p.need)
            for p in everyone
            if p.answer == COMING_WITH_NEED
        ),
        not_answered=group((None,)),
        names_limited=limited,
    )
