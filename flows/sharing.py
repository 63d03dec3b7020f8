"""Nothing reaches the group unchecked. Every comment, contributor's question and reply to
the leads' question is checked when it arrives: in a ``checked`` project it waits for a
lead; in an ``open`` one it is shared at once unless the checks flag it (contact details, an
address, someone's name, words about harm). A lead approves it, shares an edited version or
hides it; its author may withdraw it. Digests, answers and the public record show only what
was shared (:func:`storage.checks.shareable_text`).

```mermaid
stateDiagram-v2
    [*] --> waiting: checked project, or flagged
    [*] --> shared: open project, nothing flagged
    waiting --> shared: approve, or redact (edited text)
    waiting --> hidden: hide (author told why)
    shared --> hidden: hide (what went out stays out)
    waiting --> withdrawn: author's WITHDRAW
    shared --> withdrawn: author's WITHDRAW
```
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.checks import (
    Item,
    ItemKind,
    author_id,
    find_item,
    kind_of,
    project_of,
    waiting_items,
    went_out_at,
)
from storage.errors import InvalidInput, NotFound
from storage.jobs import schedule_job
from storage.memberships import led_project_ids
from storage.models import (
    CheckState,
    Comment,
    CommentWindow,
    Contributor,
    LeadKind,
    Project,
    Sharing,
)

from . import sharing_texts
from .outbound import send_to, send_to_each_lead
from .sharing_flags import find_flags
from .sharing_outcome import Checked, Outcome

# Longest text a lead may put in place of what someone wrote.
MAX_REDACTION = 2000


async def check_on_arrival(
    session: AsyncSession, project: Project, item: Item, author: Contributor, now: datetime
) -> None:
    """Flag what the checks find and hold the item, or share it at once in an open project
    with nothing flagged. The leads hear of every question (it needs an answer), of every
    comment held, and of a reply to their own question when the checks flagged it (replies
    can be many: the rest wait in the list)."""
    flags = find_flags(item.text, author_name=author.name)
    item.flags = sorted(flag.value for flag in flags)
    item.is_named = author.named_in_comments
    held = project.sharing == Sharing.CHECKED or bool(flags)
    item.check_state = CheckState.WAITING if held else CheckState.SHARED
    if not held:
        item.checked_at = now
    await session.flush()
    kind = kind_of(item)
    if kind == ItemKind.QUESTION or (kind == ItemKind.COMMENT and held) or flags:
        await tell_leads_of(session, project, item, author, now)


async def tell_leads_of(
    session: AsyncSession, project: Project, item: Item, author: Contributor, now: datetime
) -> None:
    """The leads' notice of an item: with its words (not by SMS when it may be about harm),
    what the checks found, and how to share or hide it. Team leads see who sent it; a
    contributor lead only if its author chose to be named."""
    kind = kind_of(item)
    waiting = item.check_state == CheckState.WAITING

    def render_for(lead_kind: LeadKind):  # type: ignore[no-untyped-def]
        shown = author.name if lead_kind == LeadKind.STAFF or item.is_named else None
        return lambda reader: sharing_texts.held_notice(
            reader,
            kind=kind,
            number=item.id,
            code=project.code,
            text=item.text,
            flags=tuple(item.flags),
            author=shown,
            lead_kind=lead_kind,
            waiting=waiting,
        )

    notice_kind = "lead-notice" if kind == ItemKind.QUESTION else "check-notice"
    await send_to_each_lead(session, project, kind=notice_kind, render_for=render_for, now=now)


async def find_for_lead(
    session: AsyncSession, kind: ItemKind, number: int, by: int | None
) -> tuple[Item, Project]:
    """The item and its project, for someone who may act as its lead (``by`` None: the
    operator at the command line). Anyone else is told only that it cannot be found, so
    numbers of other projects give nothing away."""
    item, project = await _item_and_project(session, kind, number)
    if by is not None and project.id not in await led_project_ids(session, by):
        raise NotFound(f"no {kind} {number} in a project you lead")
    return item, project


async def approve(
    session: AsyncSession,
    kind: ItemKind,
    number: int,
    *,
    now: datetime,
    by: int | None = None,
    actor: str = "cli",
) -> Checked:
    """Share the item as written."""
    item, project = await find_for_lead(session, kind, number, by)
    if refused := await _refusal(session, item, project):
        return refused
    _mark(item, CheckState.SHARED, by, now)
    await _after_sharing(session, item, now)
    await _audit(session, item, project, "approve", actor, now)
    return Checked(kind, number, project, Outcome.APPROVED)


async def redact(
    session: AsyncSession,
    kind: ItemKind,
    number: int,
    text: str,
    *,
    now: datetime,
    by: int | None = None,
    actor: str = "cli",
) -> Checked:
    """Share an edited version; the author is told what the group will read and may
    withdraw it. The original stays for the leads and for the author's own export."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("the shared version needs some words")
    if len(cleaned) > MAX_REDACTION:
        raise InvalidInput(f"the shared version may be at most {MAX_REDACTION} characters")
    item, project = await find_for_lead(session, kind, number, by)
    went_out = await went_out_at(session, item)
    if item.check_state in (CheckState.HIDDEN, CheckState.WITHDRAWN) or went_out:
        return await _refusal(session, item, project) or Checked(
            kind, number, project, Outcome.ALREADY_SENT, went_out=went_out
        )
    _mark(item, CheckState.SHARED, by, now)
    item.shared_text = cleaned
    await _after_sharing(session, item, now)
    told = await _tell_author(
        session,
        item,
        project,
        now,
        lambda reader: sharing_texts.redacted_for_author(
            reader, kind, number, project.code, cleaned
        ),
        kind="check-redacted",
    )
    await _audit(session, item, project, "redact", actor, now)
    return Checked(kind, number, project, Outcome.REDACTED, author_told=told)


async def hide(
    session: AsyncSession,
    kind: ItemKind,
    number: int,
    reason: str,
    *,
    now: datetime,
    by: int | None = None,
    actor: str = "cli",
) -> Checked:
    """Never share it (again): the author is told kindly why. What already went to the
    group cannot be called back; the result says when it went."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidInput("say why it is not shared; the person who wrote it is told")
    item, project = await find_for_lead(session, kind, number, by)
    if item.check_state in _TAKEN_BACK:
        return Checked(kind, number, project, _ALREADY[item.check_state], earlier=item.checked_at)
    went_out = await went_out_at(session, item)
    _mark(item, CheckState.HIDDEN, by, now)
    item.hide_reason = cleaned
    told = await _tell_author(
        session,
        item,
        project,
        now,
        lambda reader: sharing_texts.hidden_for_author(reader, kind, number, project.code, cleaned),
        kind="check-hidden",
    )
    await _audit(session, item, project, "hide", actor, now, went_out=went_out)
    return Checked(kind, number, project, Outcome.HIDDEN, went_out=went_out, author_told=told)


async def withdraw(
    session: AsyncSession, kind: ItemKind, number: int, author: Contributor, now: datetime
) -> Checked:
    """The author takes back what they sent: it is not shared (again)."""
    item, project = await _item_and_project(session, kind, number, author=author)
    if item.check_state in _TAKEN_BACK:
        return Checked(kind, number, project, _ALREADY[item.check_state], earlier=item.checked_at)
    went_out = await went_out_at(session, item)
    item.check_state = CheckState.WITHDRAWN
    item.checked_at = now
    await _audit(session, item, project, "withdraw", f"contributor:{author.id}", now)
    return Checked(kind, number, project, Outcome.WITHDRAWN, went_out=went_out)


# What a lead or author is told when the item was already checked.
_ALREADY = {
    CheckState.SHARED: Outcome.ALREADY_SHARED,
    CheckState.HIDDEN: Outcome.ALREADY_HIDDEN,
    CheckState.WITHDRAWN: Outcome.ALREADY_WITHDRAWN,
}
# Never shared again, whatever anyone does after.
_TAKEN_BACK = (CheckState.HIDDEN, CheckState.WITHDRAWN)


async def _item_and_project(
    session: AsyncSession, kind: ItemKind, number: int, *, author: Contributor | None = None
) -> tuple[Item, Project]:
    """The item and its project; with ``author``, only if they sent it (to anyone else it
    cannot be found)."""
    item = await find_item(session, kind, number)
    if author is not None and author_id(item) != author.id:
        raise NotFound(f"no {kind} {number} of yours")
    project = await session.get(Project, await project_of(session, item))
    assert project is not None  # every item belongs to a project
    return item, project


async def _refusal(session: AsyncSession, item: Item, project: Project) -> Checked | None:
    kind = kind_of(item)
    outcome = _ALREADY.get(item.check_state)
    if outcome is None:
        return None
    went_out = await went_out_at(session, item)
    return Checked(kind, item.id, project, outcome, went_out=went_out, earlier=item.checked_at)


def _mark(item: Item, state: CheckState, by: int | None, now: datetime) -> None:
    item.check_state = state
    item.checked_by = by
    item.checked_at = now


async def _after_sharing(session: AsyncSession, item: Item, now: datetime) -> None:
    """A comment approved after its window's closing digest goes out in a short follow-up
    (one job per approval; the first to run takes every comment then approved)."""
    if not isinstance(item, Comment) or item.is_late or item.window_id is None:
        return
    window = await session.get(CommentWindow, item.window_id)
    if window is None or window.closed_at is None:
        return  # the next daily digest, or the closing one, carries it
    await schedule_job(
        session,
        name=f"window-followup:{window.id}:{item.id}",
        kind="window-followup-digest",
        due_at=now,
        now=now,
        payload={"window_id": window.id},
    )


async def _tell_author(session, item, project, now, render, *, kind) -> bool:  # type: ignore[no-untyped-def]
    person = await session.get(Contributor, author_id(item) or 0)
    if person is None or person.erased_at is not None:
        return False
    await session.refresh(person, ["contact_points"])
    return await send_to(session, person, project, kind=kind, render=render, now=now)


async def _audit(
    session: AsyncSession,
    item: Item,
    project: Project,
    action: str,
    actor: str,
    now: datetime,
    *,
    went_out: datetime | None = None,
) -> None:
    kind = kind_of(item)
    details: dict[str, object] = {kind.value: item.id}
    if went_out is not None:
        details["already_shared_at"] = went_out.isoformat()
    await record_audit(
        session,
        actor=actor,
        action=f"{kind}.{action}",
        at=now,
        project_id=project.id,
        details=details,
    )


async def name_one(
    session: AsyncSession, kind: ItemKind, number: int, author: Contributor, now: datetime
) -> Project:
    """NAME ME with a number: the author's name goes with that one comment or question,
    in what is shared from now on (what already went out stays as it went). Returns its
    project."""
    item, project = await _item_and_project(session, kind, number, author=author)
    item.is_named = True
    await _audit(session, item, project, "name", f"contributor:{author.id}", now)
    return project


async def set_sharing(
    session: AsyncSession, project: Project, sharing: Sharing, *, now: datetime, actor: str
) -> int:
    """Change how the project shares what people send, from now on; returns how many items
    still wait for a check (opening a project does not release what is already held)."""
    if project.sharing != sharing:
        previous = project.sharing
        project.sharing = sharing
        await record_audit(
            session,
            actor=actor,
            action="project.sharing",
            at=now,
            project_id=project.id,
            details={"from": previous.value, "to": sharing.value},
        )
    return len(await waiting_items(session, project.id))
