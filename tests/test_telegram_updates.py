"""Telegram updates as the Bot API really sends them, through the webhook, the flows and the
local Bot API server: a person blocking and unblocking the bot, edited messages, pictures,
polls, reactions and kinds of update we do not read, and flood control honoured as given."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from flows.i18n import translator
from flows.windows import open_comment_window
from storage.comments import comment_a_late_edit_changes, comment_edits
from storage.consents import consents_of
from storage.db import transaction
from storage.memberships import join
from storage.models import (
    CheckState,
    Comment,
    ContactPoint,
    InboundMessageRow,
    OutboxRow,
    OutboxStatus,
    Sharing,
)
from storage.outbox import enqueue
from storage.personal_data import export_contributor
from storage.projects import find_project
from tests.helpers import START, add_person, add_project, telegram_update
from tests.live import TELEGRAM_SECRET, live_service

BEA = 5001
ONLY_WORDS = (
    "We can only read words you type. We cannot read pictures, voice messages or files. "
    "Please send your message as words."
)
WHEN = int(START.timestamp())
SAM = {"id": BEA, "is_bot": False, "first_name": "Bea"}
PRIVATE = {"id": BEA, "type": "private", "first_name": "Bea"}
GROUP = {"id": -100123, "type": "group", "title": "Carers"}
BOT = {"id": 7000001, "is_bot": True, "first_name": "Coproduce"}


@pytest.fixture
async def live(database_url, clock):
    async with live_service(database_url, clock) as service:
        yield service


async def _post(live, update: dict[str, Any]) -> None:
    response = await live.http.post(
        "/telegram/webhook",
        content=json.dumps(update),
        headers={
            "content-type": "application/json",
            "x-telegram-bot-api-secret-token": TELEGRAM_SECRET,
        },
    )
    assert response.status_code == 200
    await live.settle()


def _said(live) -> list[str]:
    return [sent.text for sent in live.telegram_api.take()]


def _membership(update_id: int, chat: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "my_chat_member": {
            "chat": chat,
            "from": SAM,
            "date": WHEN,
            "old_chat_member": {"user": BOT, "status": old, **_until(old)},
            "new_chat_member": {"user": BOT, "status": new, **_until(new)},
        },
    }


def _until(status: str) -> dict[str, Any]:
    return {"until_date": 0} if status == "kicked" else {}


def _message(update_id: int, message_id: int, **content: Any) -> dict[str, Any]:
    message = {"message_id": message_id, "date": WHEN, "chat": PRIVATE, "from": SAM, **content}
    return {"update_id": update_id, "message": message}


def _edit(update_id: int, message_id: int, text: str, at: int) -> dict[str, Any]:
    edited = {
        "message_id": message_id,
        "date": WHEN,
        "edit_date": at,
        "chat": PRIVATE,
        "from": SAM,
        "text": text,
    }
    return {"update_id": update_id, "edited_message": edited}


async def _point(live) -> ContactPoint:
    async with live.services.sessions() as session:
        return await session.scalar(select(ContactPoint).where(ContactPoint.address == str(BEA)))


async def _history(live, person_id: int) -> list[tuple[bool, str]]:
    async with live.services.sessions() as session:
        return [(c.given, c.how) for c in await consents_of(session, person_id)]


async def _comments(live) -> list[Comment]:
    async with live.services.sessions() as session:
        return list((await session.scalars(select(Comment).order_by(Comment.id))).all())


# Blocking and unblocking the bot


async def test_blocking_the_bot_stops_messages_there_and_unblocking_starts_them_again(
    live,
) -> None:
    bea = await add_person(live.services.sessions, "Bea", telegram=str(BEA), language="cy")
    await _post(live, _membership(300, PRIVATE, "member", "kicked"))
    assert _said(live) == []  # nothing is sent to a person who blocked the bot
    assert (await _point(live)).opted_out_at == live.clock.now()
    # A message queued for her afterwards is never sent.
    async with transaction(live.services.sessions) as session:
        row = await enqueue(
            session,
            contact_point=await session.get(ContactPoint, (await _point(live)).id),
            kind="broadcast",
            body="News",
            language="cy",
            now=live.clock.now(),
        )
    await live.settle()
    assert _said(live) == []
    async with live.services.sessions() as session:
        assert (await session.get(OutboxRow, row.id)).status == OutboxStatus.CANCELLED

    live.clock.advance(days=1)
    await _post(live, _membership(301, PRIVATE, "kicked", "member"))
    assert (await _point(live)).opted_out_at is None
    [welcome] = _said(live)
    t = translator("cy")
    assert welcome == t.gettext(
        "Welcome back. You will get our messages here again. Send {stop} to stop."
    ).format(stop=t.gettext("STOP"))
    assert await _history(live, bea.id) == [
        (True, "added by a lead (cli)"),
        (False, "telegram blocked the bot"),
        (True, "telegram unblocked the bot"),
    ]


async def test_a_second_block_or_an_unblock_without_a_block_changes_nothing(live) -> None:
    bea = await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    await _post(live, _membership(310, PRIVATE, "kicked", "member"))
    await _post(live, _membership(311, PRIVATE, "member", "kicked"))
    await _post(live, _membership(312, PRIVATE, "member", "kicked"))
    assert _said(live) == []
    assert await _history(live, bea.id) == [
        (True, "added by a lead (cli)"),
        (False, "telegram blocked the bot"),
    ]


async def test_unblocking_the_bot_does_not_take_back_a_stop_the_person_typed(live) -> None:
    bea = await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    await _post(live, telegram_update(315, BEA, "STOP"))
    assert len(_said(live)) == 1  # our confirmation of her STOP
    await _post(live, _membership(316, PRIVATE, "member", "kicked"))
    await _post(live, _membership(317, PRIVATE, "kicked", "member"))
    assert _said(live) == []
    assert (await _point(live)).opted_out_at is not None
    assert (await _history(live, bea.id))[-1] == (False, "telegram STOP")


async def test_a_send_refused_because_the_bot_was_blocked_stops_the_chat(live) -> None:
    bea = await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    live.telegram_api.blocked_chats.add(BEA)
    await _post(live, telegram_update(320, BEA, "help"))
    assert _said(live) == []
    assert (await _point(live)).opted_out_at == live.clock.now()
    assert (await _history(live, bea.id))[-1] == (False, "telegram opted out at the provider")


# Edited messages


async def _bea_commenting(live, sharing: Sharing = Sharing.OPEN) -> None:
    """CARE1 with comments open for a week; Bea is a member on Telegram."""
    lee = await add_person(live.services.sessions, "Lee", email="lee@example.org")
    bea = await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    await add_project(live.services.sessions, "CARE1", [lee], [bea], sharing=sharing)
    async with transaction(live.services.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, bea.id, START, "test")
        await open_comment_window(session, project, now=live.clock.now(), days=7)
    await live.settle()
    live.telegram_api.take()


async def test_an_edit_while_comments_are_open_replaces_the_comment_and_keeps_the_old_words(
    live,
) -> None:
    await _bea_commenting(live)
    await _post(live, _message(400, 1400, text="The buses are late."))
    [comment] = await _comments(live)
    assert _said(live) == [
        f"Thank you. We have your comment on CARE1. Its number is {comment.id}. "
        "We will share it without your name. Reply NAME ME to add your name."
    ]
    live.clock.advance(minutes=5)
    at = int((START + timedelta(minutes=5)).timestamp())
    await _post(live, _edit(401, 1400, "The buses are late every morning.", at))
    assert _said(live) == [
        f"Thank you. We have your change to your comment on CARE1. Its number is {comment.id}."
    ]
    [changed] = await _comments(live)
    assert changed.text == "The buses are late every morning."
    async with live.services.sessions() as session:
        [edit] = await comment_edits(session, comment.id)
        edited_row = await session.scalar(
            select(InboundMessageRow).where(InboundMessageRow.provider_id == "401")
        )
    assert (edit.text_before, edit.edited_at) == ("The buses are late.", live.clock.now())
    assert edit.inbound_message_id == edited_row.id
    assert (edited_row.event, edited_row.edit_of) == ("edited", f"{BEA}:1400")
    # What the comment said before is part of what we hold about its author.
    async with live.services.sessions() as session:
        exported = await export_contributor(session, comment.contributor_id, live.clock.now())
    [held] = exported["comments"]
    assert held["text"] == "The buses are late every morning."
    assert [e["text"] for e in held["earlier_texts"]] == ["The buses are late."]


async def test_an_edited_comment_is_checked_again_before_the_group_sees_the_new_words(
    live,
) -> None:
    await _bea_commenting(live, Sharing.CHECKED)
    await _post(live, _message(405, 1405, text="The buses are late."))
    [comment] = await _comments(live)
    live.telegram_api.take()
    async with transaction(live.services.sessions) as session:
        approved = await session.get(Comment, comment.id)
        approved.check_state = CheckState.SHARED  # as a lead's APPROVE leaves it
    await _post(live, _edit(406, 1405, "Ring Sam on 07700 900123 about the buses.", WHEN + 60))
    assert _said(live) == [
        f"Thank you. We have your change to your comment on CARE1. Its number is {comment.id}. "
        "The leads will read it before it is shared with the group."
    ]
    [changed] = await _comments(live)
    assert (changed.check_state, changed.flags) == (CheckState.WAITING, ["contact"])


async def test_an_edit_after_the_close_is_kept_as_a_late_comment_linked_to_the_edit(live) -> None:
    await _bea_commenting(live)
    await _post(live, _message(410, 1410, text="The buses are late."))
    [comment] = await _comments(live)
    live.telegram_api.take()
    live.clock.advance(days=8)
    at = int((START + timedelta(days=8)).timestamp())
    await _post(live, _edit(411, 1410, "The buses are late every morning.", at))
    original, late = await _comments(live)
    assert (original.text, original.is_late) == ("The buses are late.", False)
    assert (late.text, late.is_late) == ("The buses are late every morning.", True)
    assert _said(live) == [
        f"Thank you. Comments on CARE1 have closed, so comment {comment.id} stays as it was. "
        f"We have kept your change for the leads as a late comment. Its number is {late.id}."
    ]
    async with live.services.sessions() as session:
        assert await comment_edits(session, comment.id) == []
        row = await session.get(InboundMessageRow, late.inbound_message_id)
        changes = await comment_a_late_edit_changes(session, late)
        assert await comment_a_late_edit_changes(session, original) is None
    assert (row.event, row.edit_of) == ("edited", f"{BEA}:1410")
    assert changes.id == comment.id


async def test_an_edit_of_a_message_that_was_not_a_comment_is_not_read(live) -> None:
    await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    await _post(live, _message(420, 1420, text="help"))
    live.telegram_api.take()
    await _post(live, _edit(421, 1420, "join CARE1", WHEN + 60))
    assert _said(live) == [
        "You changed a message you sent us. We only read changes to comments, so we did not "
        "read this change. Please send what you meant as a new message."
    ]
    assert await _comments(live) == []


async def test_every_text_message_carries_the_chat_and_message_id_edits_name(live) -> None:
    await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    await _post(live, _message(430, 1430, text="help"))
    live.telegram_api.take()
    async with live.services.sessions() as session:
        row = await session.scalar(select(InboundMessageRow))
    assert (row.provider_id, row.provider_ref, row.event) == ("430", f"{BEA}:1430", "text")


# Updates that carry no words, or no person


PHOTO = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
NO_WORDS = {
    "photo": _message(500, 1500, photo=PHOTO),
    "voice": _message(501, 1501, voice={"file_id": "v", "file_unique_id": "v", "duration": 3}),
    "sticker": _message(
        502,
        1502,
        sticker={
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        },
    ),
    "document": _message(503, 1503, document={"file_id": "d", "file_unique_id": "d"}),
    "poll": _message(
        504,
        1504,
        poll={
            "id": "9",
            "question": "Tea?",
            "options": [
                {"persistent_id": "o1", "text": "Yes", "voter_count": 0},
                {"persistent_id": "o2", "text": "No", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        },
    ),
    # Bot API 9.6 gave poll options a persistent_id; one without it is read all the same.
    "poll-in-another-shape": _message(
        509,
        1509,
        text="",
        poll={"id": "9", "question": "Tea?", "options": [{"text": "Yes", "voter_count": 0}]},
    ),
    "future-content": _message(505, 1505, hologram={"id": "h1", "depth": 3}),
    "business-message": {
        "update_id": 508,
        "business_message": {
            "message_id": 1508,
            "date": WHEN,
            "chat": PRIVATE,
            "from": SAM,
            "business_connection_id": "bc1",
            "photo": PHOTO,
        },
    },
}


@pytest.mark.parametrize("update", list(NO_WORDS.values()), ids=list(NO_WORDS))
async def test_an_update_with_no_words_is_answered_that_only_words_are_read(live, update) -> None:
    await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    update = {**update, "an_update_field_from_the_future": {"x": 1}}
    await _post(live, update)
    assert _said(live) == [ONLY_WORDS]


NO_PERSON = {
    "channel-post": {
        "update_id": 600,
        "channel_post": {
            "message_id": 1,
            "date": WHEN,
            "chat": {"id": -1001, "type": "channel", "title": "News"},
            "text": "hello",
        },
    },
    "group-message": telegram_update(601, -100123, "hello group", chat=GROUP),
    "added-to-a-group": _membership(602, GROUP, "left", "member"),
    "poll-state": {
        "update_id": 603,
        "poll": {
            "id": "9",
            "question": "Tea?",
            "options": [{"text": "Yes", "voter_count": 1}],
            "total_voter_count": 1,
            "is_closed": True,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        },
    },
    "reaction-taken-back": {
        "update_id": 604,
        "message_reaction": {
            "chat": PRIVATE,
            "message_id": 1499,
            "user": SAM,
            "date": WHEN,
            "old_reaction": [{"type": "emoji", "emoji": "\U0001f44d"}],
            "new_reaction": [],
        },
    },
    "reaction": {
        "update_id": 506,
        "message_reaction": {
            "chat": PRIVATE,
            "message_id": 1499,
            "user": SAM,
            "date": WHEN,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "\U0001f44d"}],
        },
    },
    "join-request": {
        "update_id": 507,
        "chat_join_request": {
            "chat": GROUP,
            "from": SAM,
            "user_chat_id": BEA,
            "date": WHEN,
        },
    },
    "unknown-kind": {"update_id": 605, "guest_visit": {"id": 1}},
}


@pytest.mark.parametrize("update", list(NO_PERSON.values()), ids=list(NO_PERSON))
async def test_an_update_with_no_person_to_answer_is_acknowledged_and_nothing_is_sent(
    live, update
) -> None:
    await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    await _post(live, update)
    assert _said(live) == []
    async with live.services.sessions() as session:
        assert (await session.scalars(select(InboundMessageRow))).all() == []


# Flood control


async def test_telegram_flood_control_is_retried_after_the_pause_it_asked_for(live) -> None:
    await add_person(live.services.sessions, "Bea", telegram=str(BEA))
    live.telegram_api.fail_next.append(429)  # "retry after 7"
    await _post(live, telegram_update(700, BEA, "help"))
    async with live.services.sessions() as session:
        row = await session.scalar(select(OutboxRow))
    wait = (row.next_attempt_at - live.clock.now()).total_seconds()
    assert 7 <= wait <= 7.7
    live.clock.advance(seconds=8)
    await live.settle()
    assert len(_said(live)) == 1
