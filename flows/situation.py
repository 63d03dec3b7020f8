"""What a contributor's message is decided against: their projects, open windows, a choice
waiting, and whatever the message names (a project code, a question number).

Loaded from storage before the decision, so :mod:`flows.conversation` can stay pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.checks import ItemKind, author_id, find_item, project_of
from storage.conversations import pending_state
from storage.errors import NotFound
from storage.memberships import led_project_ids, memberships_of
from storage.models import (
    CheckState,
    Comment,
    CommentWindow,
    MembershipStatus,
    Project,
    Question,
    QuestionDirection,
)
from storage.sent_before import projects_whose_leads_wrote
from storage.windows import last_closed_windows, open_windows

from .i18n import Translator
from .keywords import Command, ParsedText, parse
from .lead_messages import LEADS_OWN_WORDS, REPLIES_FOR_LEADS_FOR
from .sender import Sender

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,11}$")
# A row number small enough for any database's integer column.
# Row ids fit in a 32-bit integer; a longer number cannot name one (and PostgreSQL would
# refuse to compare it with one).
_LARGEST_ID = 2**31 - 1


def _number_in(word: str) -> int | None:
    """The id a word like "12" or "#12" names (in any script's digits), if it can be one."""
    digits = word.removeprefix("#")
    if not digits.isdigit() or len(digits) > 10:
        return None
    number = int(digits)
    return number if 0 < number <= _LARGEST_ID else None


# A message sent this soon after a window closed, that is not a question, is a late comment.
LATE_COMMENTS_FOR = timedelta(days=7)


@dataclass(frozen=True)
class WindowView:
    id: int
    closes_at: datetime

    def recent(self, now: datetime) -> bool:
        return self.closes_at <= now < self.closes_at + LATE_COMMENTS_FOR


@dataclass(frozen=True)
class ProjectView:
    id: int
    code: str
    title: str
    time_zone: str
    status: MembershipStatus | None
    is_lead: bool = False
    open_to_all: bool = False
    open_window: WindowView | None = None
    closed_window: WindowView | None = None

    @property
    def joined(self) -> bool:
        return self.status == MembershipStatus.JOINED

    @property
    def invited(self) -> bool:
        return self.status == MembershipStatus.INVITED


@dataclass(frozen=True)
class QuestionView:
    id: int
    project_id: int
    project_code: str
    direction: QuestionDirection
    asked_by: int | None
    check_state: CheckState = CheckState.SHARED


@dataclass(frozen=True)
class CommentView:
    id: int
    project_id: int
    project_code: str


@dataclass(frozen=True)
class Reference:
    """What a word like APPROVE, HIDE, WITHDRAW or NAME ME points at: "12" (a comment),
    "QUESTION 3" or "ANSWER 5" (a reply to the leads' question), and the words after it."""

    kind: ItemKind
    number: int | None
    typed: str  # the number as typed, for "we cannot find comment ..."
    rest: str


@dataclass(frozen=True)
class ItemView:
    kind: ItemKind
    id: int
    project_id: int
    project_code: str
    author_id: int | None
    check_state: CheckState


# The words whose first words name a comment, question or answer by its number.
REFERRING = frozenset({Command.APPROVE, Command.HIDE, Command.WITHDRAW, Command.NAME_ME})


def read_reference(rest: str, t: Translator, english: Translator) -> Reference:
    """The item named at the start of ``rest``: QUESTION and ANSWER (in the person's
    language or English) say which kind; a bare number is a comment."""
    named = parse(rest, t, english)
    kind = {Command.QUESTION: ItemKind.QUESTION, Command.ANSWER: ItemKind.REPLY}.get(
        named.command or Command.HELP, ItemKind.COMMENT
    )
    words = named.rest if kind != ItemKind.COMMENT else rest
    typed = first_word(words)
    return Reference(kind, _number_in(typed), typed, after_first_word(words))


@dataclass(frozen=True)
class Pending:
    state: str
    data: dict[str, Any]
    expires_at: datetime | None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class Situation:
    sender: Sender
    now: datetime
    projects: tuple[ProjectView, ...] = ()
    pending: Pending | None = None
    # The project whose code is the first word after the command, when there is one.
    named: ProjectView | None = None
    named_code: str | None = None
    # The question whose number is the first word after ANSWER, when there is one.
    question: QuestionView | None = None
    # The comment whose number is the first word after RESPOND, when there is one.
    comment: CommentView | None = None
    named_in_comments: bool = False
    # What APPROVE, HIDE, WITHDRAW or NAME ME refer to, and the item found, if any.
    reference: Reference | None = None
    item: ItemView | None = None
    # Projects whose leads wrote to them in their own words in the last days, latest first:
    # words with nowhere else to go are a reply for those leads.
    leads_wrote: tuple[int, ...] = ()

    def project(self, project_id: int) -> ProjectView | None:
        return next((p for p in self.projects if p.id == project_id), None)

    @property
    def joined(self) -> list[ProjectView]:
        return [p for p in self.projects if p.joined]

    @property
    def in_projects(self) -> list[ProjectView]:
        """Projects they have joined or are invited to (not those they left)."""
        return [p for p in self.projects if p.status != MembershipStatus.LEFT and p.status]


def first_word(text: str) -> str:
    return text.split(" ", 1)[0].strip(".,;:!?۔،؛؟") if text else ""


def after_first_word(text: str) -> str:
    parts = text.split(" ", 1)
    return parts[1].strip() if len(parts) > 1 else ""


async def load_situation(
    session: AsyncSession,
    sender: Sender,
    parsed: ParsedText,
    now: datetime,
    named_in_comments: bool,
    reference: Reference | None = None,
) -> Situation:
    assert sender.contributor_id is not None
    rows = await memberships_of(session, sender.contributor_id)
    led = await led_project_ids(session, sender.contributor_id)
    ids = [project.id for _, project in rows]
    opened = await open_windows(session, ids, now)
    closed = await last_closed_windows(session, ids, now)
    # Every project they may act for as a lead is one they have joined, so it is among these.
    views = {
        project.id: _view(project, membership.status, project.id in led, opened, closed)
        for membership, project in rows
    }

    named = named_code = None
    word = first_word(parsed.rest)
    if parsed.command is not None and _CODE.match(word):
        named_code = word.upper()
        project = await session.scalar(select(Project).where(Project.code == named_code))
        if project is not None:
            named = views.get(project.id) or _view(project, None, False, {}, {})

    question = None
    number = _number_in(word)
    if parsed.command == Command.ANSWER and number is not None:
        found = await session.get(Question, number)
        where = await session.get(Project, found.project_id) if found else None
        if found is not None and where is not None:
            question = QuestionView(
                found.id,
                found.project_id,
                where.code,
                found.direction,
                found.asked_by,
                found.check_state,
            )

    comment = None
    if parsed.command == Command.RESPOND and number is not None:
        said = await session.get(Comment, number)
        where = await session.get(Project, said.project_id) if said else None
        if said is not None and where is not None:
            comment = CommentView(said.id, said.project_id, where.code)

    item = await _item(session, reference) if reference else None
    state = await pending_state(session, sender.contributor_id)
    pending = Pending(state.state, dict(state.data), state.expires_at) if state else None
    leads_wrote = await projects_whose_leads_wrote(
        session,
        sender.contributor_id,
        kinds=LEADS_OWN_WORDS,
        since=now - REPLIES_FOR_LEADS_FOR,
    )
    return Situation(
        sender=sender,
        now=now,
        projects=tuple(sorted(views.values(), key=lambda view: view.code)),
        pending=pending,
        named=named,
        named_code=named_code,
        question=question,
        comment=comment,
        named_in_comments=named_in_comments,
        reference=reference,
        item=item,
        leads_wrote=tuple(leads_wrote),
    )


async def _item(session: AsyncSession, reference: Reference) -> ItemView | None:
    if reference.number is None:
        return None
    try:
        found = await find_item(session, reference.kind, reference.number)
    except NotFound:
        return None
    project = await session.get(Project, await project_of(session, found))
    assert project is not None
    return ItemView(
        reference.kind,
        found.id,
        project.id,
        project.code,
        author_id(found),
        found.check_state,
    )


def _view(
    project: Project,
    status: MembershipStatus | None,
    is_lead: bool,
    opened: dict[int, CommentWindow],
    closed: dict[int, CommentWindow],
) -> ProjectView:
    window = opened.get(project.id)
    last = closed.get(project.id)
    return ProjectView(
        id=project.id,
        code=project.code,
        title=project.title,
        time_zone=project.time_zone,
        status=status,
        is_lead=is_lead,
        open_to_all=project.open_to_all,
        open_window=WindowView(window.id, window.closes_at) if window else None,
        closed_window=WindowView(last.id, last.closes_at) if last else None,
    )
