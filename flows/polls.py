"""Polls: the leads ask the group to choose, every member answers by number or words on any
channel, the last answer before the close counts, and at the close the result goes to every
member in words and numbers.

The poll waits in each member's conversation state until it closes:

```mermaid
stateDiagram-v2
    [*] --> poll: a lead sends a poll
    poll --> poll: a choice's number or words (kept and thanked; they may answer again)
    poll --> poll: a number that is no choice ("reply with a number from 1 to N"; nothing kept)
    poll --> poll: their own words, when the poll takes them (kept as their answer)
    poll --> [*]: the poll closes (a choice in the day after is told it has closed)
```
Other words while the poll waits go where they would have gone anyway (a comment, a
question...), and the poll keeps waiting; words with nowhere to go get the choices again.
POLL n and a choice answers poll n at any time before it closes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.conversations import set_states, states_of
from storage.errors import InvalidInput
from storage.jobs import cancel_job, schedule_job
from storage.memberships import Addressee, membership
from storage.models import MembershipStatus, Poll, Project, ProjectStatus
from storage.polls import Tally, add_poll, record_poll_answer, tally

from . import replies
from .context import Exchange
from .effects import AnswerPoll, ClearPending, Effect, Reply, only_not_understood
from .i18n import Translator
from .keywords import ParsedText
from .outbound import Message, Reader, send_to_members
from .poll_choices import OutOfRange, PollShape, buttons, choice_labels, numbered_lines, read_choice
from .poll_reports import shape_of_poll
from .poll_results import number_lines, summary
from .situation import Situation

# A member's conversation state while a poll waits for their answer.
WAITING = "poll"
OPEN_FOR = timedelta(days=7)
LONGEST_OPEN = timedelta(days=92)
SHORTEST_OPEN = timedelta(hours=1)
# How long after the close a number is still read as a (too late) answer to the poll.
TOO_LATE_FOR = timedelta(days=1)


def _close_job(poll: Poll) -> str:
    return f"poll:{poll.id}:close"


# Sending a poll


def poll_text(reader: Reader, project: Project, poll: Poll) -> Message:
    t = reader.t
    shape = shape_of_poll(poll)
    lines = [
        t.gettext("A poll from the {code} leads (number {number}):").format(
            code=project.code, number=poll.id
        ),
        poll.question,
        t.gettext("Reply with a number:"),
        *numbered_lines(shape, t),
    ]
    if poll.allows_other:
        lines.append(t.gettext("Or reply in your own words."))
    lines.append(
        t.gettext("You can change your answer until {when}.").format(
            when=reader.when(poll.closes_at)
        )
    )
    lines.append(
        t.gettext("The leads will see your name with your answer.")
        if poll.is_named
        else t.gettext("Your answer is anonymous. Everyone will see only the totals.")
    )
    subject = t.gettext("{title}: a poll for you").format(title=project.title)
    return Message("\n".join(lines), subject=subject, choices=buttons(shape, t))


async def create_poll(
    session: AsyncSession,
    project: Project,
    question: str,
    shape: PollShape,
    *,
    now: datetime,
    closes_at: datetime | None = None,
    allows_other: bool = False,
    named: bool = False,
    asked_by: int | None = None,
    actor: str = "cli",
) -> tuple[Poll, int]:
    """Send a poll to every member and wait for their answers until it closes (by default in
    a week); returns the poll and how many it reached."""
    words = " ".join(question.split())
    if not words:
        raise InvalidInput("a poll needs a question")
    if project.status == ProjectStatus.CLOSED:
        raise InvalidInput(f"{project.code} is closed, so it cannot start a poll")
    closes = closes_at or now + OPEN_FOR
    if closes < now + SHORTEST_OPEN:
        raise InvalidInput("a poll must stay open for at least an hour")
    if closes > now + LONGEST_OPEN:
        raise InvalidInput("a poll can stay open for at most three months")
    poll = await add_poll(
        session,
        project_id=project.id,
        question=words,
        shape=shape.shape,
        size=shape.size,
        labels=list(shape.labels),
        allows_other=allows_other,
        is_named=named,
        asked_by=asked_by,
        now=now,
        closes_at=closes,
    )
    waiting = {
        "poll_id": poll.id,
        "project_id": project.id,
        "shape": shape.shape,
        "size": shape.size,
        "labels": list(shape.labels),
        "other": allows_other,
    }

    async def wait_for_answers(page: list[Addressee]) -> None:
        # A numbered choice someone is in the middle of is left alone; POLL n still works.
        ids = [person.id for person in page]
        busy = {
            cid for cid, state in (await states_of(session, ids, now)).items() if state == "choose"
        }
        await set_states(
            session, [cid for cid in ids if cid not in busy], WAITING, waiting, closes, now
        )

    reached = await send_to_members(
        session,
        project,
        kind="poll",
        render=lambda reader: poll_text(reader, project, poll),
        now=now,
        each_page=wait_for_answers,
    )
    await schedule_job(
        session,
        name=_close_job(poll),
        kind="poll-close",
        due_at=closes,
        now=now,
        payload={"poll_id": poll.id},
    )
    await record_audit(
        session,
        actor=actor,
        action="poll.create",
        at=now,
        project_id=project.id,
        details={"poll": poll.id, "reached": reached},
    )
    return poll, reached


# The conversation step (pure): called by flows.conversation while a poll waits.


def answer(
    situation: Situation, parsed: ParsedText, text: str, t: Translator
) -> list[Effect] | None:
    """What a message means while a poll waits for this member's answer; None when it is
    not about the poll (a command word, or words that are no choice)."""
    pending = situation.pending
    if pending is None or pending.state != WAITING or parsed.command is not None:
        return None
    data = pending.data
    project = situation.project(int(data["project_id"]))
    if project is None or not project.joined:
        return None  # they left the project since they were asked
    poll_id = int(data["poll_id"])
    shape = _waiting_shape(data)
    picked = read_choice(text, shape, t)
    if pending.expired(situation.now):
        # A choice soon after the close is still about the poll: they are told it closed.
        assert pending.expires_at is not None
        soon = situation.now - pending.expires_at < TOO_LATE_FOR
        if soon and isinstance(picked, int):
            return [AnswerPoll(poll_id, picked), ClearPending()]
        return None
    if isinstance(picked, OutOfRange):
        return [again(t, project.code, poll_id, shape)]
    if picked is not None:
        return [AnswerPoll(poll_id, picked)]
    if data.get("other") and text:
        return [AnswerPoll(poll_id, words=text)]
    return None


def instead_of_nowhere(situation: Situation, effects: list[Effect], t: Translator) -> list[Effect]:
    """Words that had nowhere to go while a poll waits: the poll's choices again, not a
    "we did not understand"."""
    pending = situation.pending
    if not only_not_understood(effects) or pending is None or pending.state != WAITING:
        return effects
    if pending.expired(situation.now):
        return effects
    project = situation.project(int(pending.data["project_id"]))
    if project is None or not project.joined:
        return effects
    return [again(t, project.code, int(pending.data["poll_id"]), _waiting_shape(pending.data))]


def _waiting_shape(data: Mapping[str, Any]) -> PollShape:
    return PollShape(str(data["shape"]), int(data["size"]), tuple(data.get("labels") or ()))


def again(t: Translator, code: str, poll_id: int, shape: PollShape) -> Reply:
    first = t.gettext(
        "Please reply with a number from 1 to {size} for the {code} poll (number {number}):"
    ).format(size=shape.size, code=code, number=poll_id)
    return Reply(
        "poll-again", "\n".join([first, *numbered_lines(shape, t)]), choices=buttons(shape, t)
    )


# Keeping an answer (in the transaction that handles the message)


async def record_answer(exchange: Exchange, effect: AnswerPoll) -> None:
    """Keep the member's answer and thank them; refused, with a reason, when the poll has
    closed, they are not a member, or the words pick no choice."""
    session, now = exchange.session, exchange.now
    poll = await session.get(Poll, effect.poll_id)
    project = await session.get(Project, poll.project_id) if poll else None
    if poll is None or project is None:

        def no_poll(reader: Reader) -> Message:
            return Message(no_such_poll(reader.t, effect.poll_id))

        await exchange.reply("no-such-poll", no_poll)
        return
    found = await membership(session, project.id, exchange.contributor.id)
    if found is None or found.status != MembershipStatus.JOINED:
        await exchange.reply(
            "not-in-project", lambda r: Message(replies.not_in_project(r.t, project.code))
        )
        return
    if poll.closed_at is not None or poll.closes_at <= now:
        await exchange.reply(
            "poll-closed", lambda r: _closed_text(r, project, poll), project=project
        )
        return
    shape = shape_of_poll(poll)
    choice, other = effect.choice, None
    if choice is None:
        reader = exchange.reader(project)
        picked = read_choice(effect.words or "", shape, reader.t)
        if isinstance(picked, int):
            choice = picked
        elif picked is None and poll.allows_other and effect.words:
            other = effect.words
        else:
            reply = again(reader.t, project.code, poll.id, shape)
            await exchange.reply(reply.kind, reply.body, project=project, choices=reply.choices)
            return
    if choice is not None and not 1 <= choice <= poll.size:
        reply = again(exchange.reader(project).t, project.code, poll.id, shape)
        await exchange.reply(reply.kind, reply.body, project=project, choices=reply.choices)
        return
    await record_poll_answer(
        session,
        poll,
        contributor_id=exchange.contributor.id,
        choice=choice,
        other=other,
        channel=exchange.point.channel,
        now=now,
    )
    await exchange.reply(
        "poll-thanks", lambda r: _thanks_text(r, project, poll, choice), project=project
    )


def no_such_poll(t: Translator, number: int | str) -> str:
    return t.gettext("We cannot find poll {number}. Please check the number.").format(number=number)


def _closed_text(reader: Reader, project: Project, poll: Poll) -> Message:
    return Message(
        reader.t.gettext("The {code} poll (number {number}) closed on {when}.").format(
            code=project.code, number=poll.id, when=reader.when(poll.closed_at or poll.closes_at)
        )
    )


def _thanks_text(reader: Reader, project: Project, poll: Poll, choice: int | None) -> Message:
    t = reader.t
    if choice is None:
        first = t.gettext(
            "Thank you. We have your answer to poll {number} in your own words."
        ).format(number=poll.id)
    else:
        line = f"{choice} {choice_labels(shape_of_poll(poll), t)[choice - 1]}".strip()
        first = t.gettext("Thank you. Your answer to poll {number} is: {choice}.").format(
            number=poll.id, choice=line
        )
    change = t.gettext("To change it, reply again before {when}.").format(
        when=reader.when(poll.closes_at)
    )
    return Message(reader.paragraphs([first, change]))


# The close


def result_text(reader: Reader, project: Project, poll: Poll, counted: Tally) -> Message:
    t = reader.t
    shape = shape_of_poll(poll)
    lines = [
        t.gettext("The {code} poll (number {number}) has closed.").format(
            code=project.code, number=poll.id
        ),
        poll.question,
        summary(shape, counted, t),
        *number_lines(shape, counted, t, reader.language),
    ]
    subject = t.gettext("{title}: the result of the poll").format(title=project.title)
    return Message("\n".join(lines), subject=subject)


async def close_poll(
    session: AsyncSession, poll: Poll, *, now: datetime, actor: str = "scheduler"
) -> int:
    """Close the poll and send its result to every member; returns how many it reached.
    Closing a closed poll does nothing."""
    if poll.closed_at is not None:
        return 0
    project = await session.get(Project, poll.project_id)
    assert project is not None
    poll.closed_at = now
    counted = await tally(session, poll)
    await cancel_job(session, _close_job(poll), now)
    reached = await send_to_members(
        session,
        project,
        kind="poll-result",
        render=lambda reader: result_text(reader, project, poll, counted),
        now=now,
    )
    await record_audit(
        session,
        actor=actor,
        action="poll.close",
        at=now,
        project_id=project.id,
        details={"poll": poll.id, "answers": counted.total, "reached": reached},
    )
    return reached


async def run_poll_close(session: AsyncSession, payload: Mapping[str, Any], now: datetime) -> None:
    """The scheduled close (a poll a lead closed early is already closed)."""
    poll = await session.get(Poll, int(payload["poll_id"]))
    if poll is not None:
        await close_poll(session, poll, now=now)
