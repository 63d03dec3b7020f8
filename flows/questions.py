"""Flow 5: questions and written answers.

A contributor asks the leads (QUESTION, or a message ending in "?" when no window is open);
the leads are told at once. A lead can push a question to the group; members' replies are
kept as responses to it. Every answer goes to every member, and the asker is told.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from channels.markdown import escape
from storage.audit import record_audit
from storage.checks import shareable_text
from storage.conversations import set_states, states_of
from storage.errors import InvalidInput
from storage.memberships import Addressee, membership
from storage.models import (
    CheckState,
    Contributor,
    MembershipStatus,
    Project,
    Question,
    QuestionDirection,
)
from storage.questions import add_answer, add_question, add_response

from . import replies
from .context import Exchange
from .lead_messages import Sent, already_had, send_once
from .outbound import Message, Reader, send_to_members
from .sharing import check_on_arrival

# A plain reply to a lead's question counts as an answer to it for this long.
REPLYING_FOR = timedelta(days=7)


async def ask_leads(exchange: Exchange, project: Project, text: str) -> Question:
    """A contributor's question: thanked with its number; the leads are told at once."""
    question = await put_to_leads(exchange, project, text)
    held = question.check_state == CheckState.WAITING

    def thanks(reader: Reader) -> Message:
        t = reader.t
        parts = [
            t.gettext("Thank you. Your question to {code} is number {number}.").format(
                code=project.code, number=question.id
            ),
            t.gettext(
                "We will answer in writing and send the answer to everyone in {code}."
            ).format(code=project.code),
        ]
        if held:
            parts.append(t.gettext("The leads will read it before it is shared with the group."))
        return Message(" ".join(parts))

    await exchange.reply("question-thanks", thanks, project=project)
    return question


async def put_to_leads(exchange: Exchange, project: Project, text: str) -> Question:
    """Store a contributor's question and start its check; the leads are told at once."""
    person = exchange.contributor
    question = await add_question(
        exchange.session,
        project_id=project.id,
        direction=QuestionDirection.TO_LEADS,
        asked_by=person.id,
        text=text,
        channel=exchange.point.channel,
        now=exchange.now,
    )

    await check_on_arrival(exchange.session, project, question, person, exchange.now)
    return question


def group_question_text(reader: Reader, project: Project, question: Question) -> Message:
    t = reader.t
    body = "\n".join(
        [
            t.gettext("A question from the {code} leads (number {number}):").format(
                code=project.code, number=question.id
            ),
            question.text,
            t.gettext("Just reply to this message with your answer."),
        ]
    )
    subject = t.gettext("{title}: a question for you").format(title=project.title)
    return Message(body, subject=subject)


async def ask_group(
    session: AsyncSession,
    project: Project,
    text: str,
    *,
    now: datetime,
    asked_by: int | None = None,
    actor: str = "cli",
) -> tuple[Question, int]:
    """A lead's question to every member; a plain reply in the next days answers it."""
    question = await add_question(
        session,
        project_id=project.id,
        direction=QuestionDirection.TO_GROUP,
        asked_by=asked_by,
        text=text,
        channel=None,
        now=now,
    )

    async def wait_for_replies(page: list[Addressee]) -> None:
        # A numbered choice someone is in the middle of is left alone; ANSWER n still works.
        ids = [person.id for person in page if person.id != asked_by]
        busy = {
            cid for cid, state in (await states_of(session, ids, now)).items() if state == "choose"
        }
        await set_states(
            session,
            [cid for cid in ids if cid not in busy],
            "replying",
            {"question_id": question.id},
            now + REPLYING_FOR,
            now,
        )

    reached = await send_to_members(
        session,
        project,
        kind="group-question",
        render=lambda reader: group_question_text(reader, project, question),
        now=now,
        each_page=wait_for_replies,
    )
    await record_audit(
        session,
        actor=actor,
        action="question.ask",
        at=now,
        project_id=project.id,
        details={"question": question.id, "reached": reached},
    )
    return question, reached


async def record_reply(exchange: Exchange, question: Question, project: Project, text: str) -> None:
    """A member's reply to the leads' question; from someone who has left the project since
    it was asked (a plain reply still counts as one for a week), nothing is kept."""
    found = await membership(exchange.session, project.id, exchange.contributor.id)
    if found is None or found.status != MembershipStatus.JOINED:

        def not_in(reader: Reader) -> Message:
            return Message(replies.not_in_project(reader.t, project.code))

        await exchange.reply("not-in-project", not_in)
        return
    reply = await add_response(
        exchange.session,
        question,
        contributor_id=exchange.contributor.id,
        text=text,
        channel=exchange.point.channel,
        now=exchange.now,
    )
    await check_on_arrival(exchange.session, project, reply, exchange.contributor, exchange.now)

    def thanks(reader: Reader) -> Message:
        return Message(
            reader.t.gettext("Thank you. We have your answer to question {number}.").format(
                number=question.id
            )
        )

    await exchange.reply("reply-thanks", thanks, project=project)


def answer_text(
    reader: Reader,
    project: Project,
    question: Question,
    answer: str,
    *,
    for_asker: bool,
    shared: bool = True,
) -> Message:
    """The answer as every member gets it (the question as it was shared); the asker's says
    it was their question, in their own words, and whether everyone got the answer."""
    t = reader.t
    if for_asker:
        if shared:
            first = t.gettext(
                "Your question {number} has been answered. We have sent the answer to "
                "everyone in {code}."
            )
        else:
            first = t.gettext(
                "Your question {number} to {code} has been answered. It was not shared with "
                "the group, so the answer comes only to you."
            )
        subject = t.gettext("{title}: your question is answered")
        asked = question.text
    else:
        first = t.gettext("Question {number} in {code}:")
        subject = t.gettext("{title}: an answer to question {number}")
        asked = shareable_text(question) or ""
    # Markdown (the answer is the lead's): our lines apart from the answer by blank lines,
    # the question in the asker's own words, escaped so nothing in it reads as a mark.
    body = "\n\n".join(
        part
        for part in [
            first.format(number=question.id, code=project.code),
            escape(asked),
            t.gettext("The answer from the leads:"),
            answer,
        ]
        if part
    )
    return Message(body, subject=subject.format(title=project.title, number=question.id))


async def answer_question(
    session: AsyncSession,
    question: Question,
    text: str,
    *,
    now: datetime,
    answered_by: int | None = None,
    actor: str = "cli",
) -> int:
    """:func:`answer_and_tell`, for those who need only how many it reached."""
    sent = await answer_and_tell(
        session, question, text, now=now, answered_by=answered_by, actor=actor
    )
    return sent.reached


async def answer_and_tell(
    session: AsyncSession,
    question: Question,
    text: str,
    *,
    now: datetime,
    answered_by: int | None = None,
    actor: str = "cli",
) -> Sent:
    """Store the answer, send it to every member and tell the asker; who had this very
    answer from us today is not sent it again. A question still waiting for its check
    cannot be answered yet (the answer would carry it to everyone); the answer to one
    hidden or withdrawn goes to the asker alone."""
    if question.direction != QuestionDirection.TO_LEADS:
        raise InvalidInput(
            f"question {question.id} was asked by the leads; members' replies are kept as "
            "responses to it"
        )
    if question.check_state == CheckState.WAITING:
        raise InvalidInput(
            f"question {question.id} has not been checked yet: share it (question approve "
            f"{question.id}, or question redact) or hide it (question hide) before answering"
        )
    shared = question.check_state == CheckState.SHARED
    project = await session.get(Project, question.project_id)
    assert project is not None
    answer = await add_answer(
        session, question, text=text, answered_by=answered_by, now=now, broadcast=shared
    )
    asker = await session.get(Contributor, question.asked_by) if question.asked_by else None
    exclude = [asker.id] if asker else []
    reached = 0
    already: set[int] = set()
    if shared:

        def for_everyone(reader: Reader) -> Message:
            return answer_text(reader, project, question, answer.text, for_asker=False)

        already = await already_had(session, project, kind="answer", render=for_everyone, now=now)
        already.difference_update(exclude)
        reached = await send_to_members(
            session,
            project,
            kind="answer",
            render=for_everyone,
            now=now,
            exclude=[*exclude, *sorted(already)],
        )
    told = Sent()
    if asker is not None and asker.erased_at is None:
        await session.refresh(asker, ["contact_points"])
        told = await send_once(
            session,
            asker,
            project,
            kind="your-answer",
            render=lambda reader: answer_text(
                reader, project, question, answer.text, for_asker=True, shared=shared
            ),
            now=now,
            hold_at_night=True,
        )
    sent = Sent(reached + told.reached, len(already) + told.already)
    await record_audit(
        session,
        actor=actor,
        action="question.answer",
        at=now,
        project_id=project.id,
        details={
            "question": question.id,
            "reached": sent.reached,
            **({"already_sent": sent.already} if sent.already else {}),
        },
    )
    return sent
