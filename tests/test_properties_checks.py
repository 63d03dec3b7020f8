"""A property of checking before sharing: whatever the mix of comments, approvals, edits,
hides, withdrawals and digest times, no words reach a member who is not a lead, or the public
record, unless a lead shared them (or, in an open project, the checks found nothing in them),
and nothing hidden or withdrawn goes out after it was."""

from __future__ import annotations

import re
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from channels.base import ChannelName
from flows import sharing
from flows.record import project_record
from flows.record_render import FORMATS, render
from flows.sharing_flags import find_flags
from flows.sharing_outcome import Outcome
from flows.windows import open_comment_window
from storage.checks import ItemKind
from storage.db import transaction
from storage.memberships import join
from storage.models import CheckState, Comment, Sharing
from storage.projects import find_project
from tests.bot_fixture import memory_bot
from tests.helpers import START, ManualClock, add_person, add_project

PROPERTY = settings(
    deadline=None, max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LEAD = "9001"
MEMBERS = {"Ann": "+447700900001", "Bea": "5001"}
WORDS = re.compile(r"(?:said|edit)\d+")

_comment = st.tuples(
    st.just("comment"), st.sampled_from(sorted(MEMBERS)), st.booleans()
)  # the bool: the words carry a phone number, which the checks flag
_act = st.tuples(
    st.sampled_from(["approve", "hide", "redact", "withdraw"]), st.integers(0, 5), st.none()
)
_time = st.tuples(st.sampled_from(["day", "close", "later"]), st.none(), st.none())
steps = st.lists(st.one_of(_comment, _act, _time), min_size=1, max_size=14)


class Model:
    """What may be read by members: words that were shared and not taken back since."""

    def __init__(self) -> None:
        self.shareable: set[str] = set()
        self.comments: list[tuple[int, str, str]] = []  # id, author's name, their words
        self.edits: dict[int, list[str]] = {}  # the leads' versions of each comment

    def take_back(self, comment_id: int, words: str) -> None:
        self.shareable -= {words, *self.edits.get(comment_id, [])}


async def _lead(bot, act, comment_id: int, text: str):  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        now = bot.clock.now()
        if act == "approve":
            return await sharing.approve(session, ItemKind.COMMENT, comment_id, now=now)
        if act == "hide":
            return await sharing.hide(session, ItemKind.COMMENT, comment_id, "private", now=now)
        return await sharing.redact(session, ItemKind.COMMENT, comment_id, text, now=now)


async def _run(bot, mode: Sharing, plan) -> None:  # type: ignore[no-untyped-def]
    lead = await add_person(bot.sessions, "Lee", telegram=LEAD)
    people = {
        name: await add_person(
            bot.sessions,
            name,
            **({"phone": address} if address.startswith("+") else {"telegram": address}),
        )
        for name, address in MEMBERS.items()
    }
    await add_project(
        bot.sessions, "CARE1", leads=[lead], members=list(people.values()), sharing=mode
    )
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        for person in people.values():
            await join(session, project, person.id, bot.clock.now(), "test")
        await open_comment_window(session, project, now=bot.clock.now(), days=3)
    await bot.delivered()
    model, numbers = Model(), count(1)

    async def deliver() -> None:
        for message in await bot.delivered():
            if message.address == LEAD:
                continue
            for words in WORDS.findall(message.body):
                assert words in model.shareable, (words, message.address, message.body)

    for kind, who, extra in plan:
        if kind == "comment":
            words = f"said{next(numbers)}"
            text = f"{words} ring 07700 900{next(numbers):03d}" if extra else words
            await bot.send_in(
                ChannelName.SMS if who == "Ann" else ChannelName.TELEGRAM, MEMBERS[who], text
            )
            async with bot.sessions() as session:
                comment = await session.scalar(select(Comment).order_by(Comment.id.desc()))
            if comment is None or comment.id in {known for known, _, _ in model.comments}:
                continue  # not taken as a comment (comments had long closed): nothing shared
            if comment.check_state == CheckState.SHARED:
                # Shared at once only in an open project, and only with nothing flagged.
                assert mode == Sharing.OPEN and not find_flags(text)
                model.shareable.add(words)
            model.comments.append((comment.id, who, words))
        elif kind in ("approve", "hide", "redact", "withdraw") and model.comments:
            comment_id, author, words = model.comments[who % len(model.comments)]
            edited = f"edit{next(numbers)}"
            if kind == "withdraw":
                await bot.send_in(
                    ChannelName.SMS if author == "Ann" else ChannelName.TELEGRAM,
                    MEMBERS[author],
                    f"WITHDRAW {comment_id}",
                )
                async with bot.sessions() as session:
                    state = (await session.get(Comment, comment_id)).check_state
                if state == CheckState.WITHDRAWN:
                    model.take_back(comment_id, words)
            else:
                checked = await _lead(bot, kind, comment_id, edited)
                if checked.outcome == Outcome.APPROVED:
                    model.shareable.add(words)
                elif checked.outcome == Outcome.REDACTED:
                    model.shareable.add(edited)
                    model.edits.setdefault(comment_id, []).append(edited)
                elif checked.outcome == Outcome.HIDDEN:
                    model.take_back(comment_id, words)
        elif kind == "day":
            bot.clock.advance(days=1)
            await bot.services.scheduler.run_due()
        elif kind == "close":
            bot.clock.advance(days=3)
            await bot.services.scheduler.run_due()
        elif kind == "later":
            bot.clock.advance(minutes=10)
            await bot.services.scheduler.run_due()
        await deliver()
    bot.clock.advance(days=4)
    await bot.services.scheduler.run_due()
    await deliver()
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        record = await project_record(session, project, now=bot.clock.now())
    for form in FORMATS:
        for words in WORDS.findall(render(record, form)):
            assert words in model.shareable, (form, words)


@pytest.mark.parametrize("mode", [Sharing.CHECKED, Sharing.OPEN])
@PROPERTY
@given(plan=steps)
async def test_no_unshared_words_reach_members_or_the_record(tmp_path, mode, plan) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/checks-{next(_databases)}.db"
    async with memory_bot(url, ManualClock(START), sender_rate=0) as bot:
        await _run(bot, mode, plan)


_databases = count()
