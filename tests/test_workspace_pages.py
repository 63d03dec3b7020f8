"""The workspace's pages do what the command line does, for the signed-in lead only: who sees
what, acting on comments (once, even when a form is sent twice), questions, the brief and its
preview, and bad input answered on the page with nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from flows import lead_actions
from flows.lead_actions import Actor
from storage.db import transaction
from storage.models import AuditEntry, BriefVersion, Comment
from tests.bot_fixture import MemoryBot
from tests.workspace_kit import ANN_PHONE, JOINT_EMAIL, PAT_EMAIL, STAFF_EMAIL, care1, workspace


async def _with_comment(bot: MemoryBot, text: str = "The buses are late.") -> None:
    await care1(bot)
    async with transaction(bot.sessions) as session:
        await lead_actions.open_window(session, Actor("test"), "CARE1", days=7, now=bot.clock.now())
    await bot.send_in("sms", ANN_PHONE, text)
    await bot.delivered()


async def test_a_staff_lead_sees_who_wrote_a_comment_and_a_contributor_lead_does_not(
    bot: MemoryBot,
) -> None:
    await _with_comment(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        page = await ws.http.get("/lead/p/CARE1/comments?show=waiting")
        assert "The buses are late." in page.text and "Ann Member" in page.text
    async with workspace(bot) as ws:
        await ws.sign_in(JOINT_EMAIL)
        page = await ws.http.get("/lead/p/CARE1/comments?show=waiting")
        assert "The buses are late." in page.text and "Ann Member" not in page.text
        assert "A member" in page.text
        inbox = await ws.http.get("/lead/p/CARE1/inbox")
        assert "Ann Member" not in inbox.text
        people = await ws.http.get("/lead/p/CARE1/people")
        assert "Ann Member" in people.text, "co-leads see who takes part"


async def test_another_projects_pages_and_comments_are_not_found(bot: MemoryBot) -> None:
    await _with_comment(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(PAT_EMAIL)
        for path in ("/lead/p/CARE1/", "/lead/p/CARE1/comments", "/lead/p/CARE1/record.csv"):
            assert (await ws.http.get(path)).status_code == 404, path
        assert (await ws.http.get("/lead/p/PARK2/comments/1")).status_code == 404
        token = await ws.csrf("/lead/p/PARK2/comments")
        posted = await ws.http.post(
            "/lead/p/CARE1/comments/1", data={"csrftoken": token, "action": "approve"}
        )
        assert posted.status_code == 404
    async with bot.sessions() as session:
        comment = await session.get(Comment, 1)
        assert comment is not None and comment.check_state == "waiting"


async def test_approving_from_the_page_shares_the_comment_once_and_audits_the_lead(
    bot: MemoryBot,
) -> None:
    await _with_comment(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        page = await ws.http.get("/lead/p/CARE1/comments/1")
        version = page.text.split('name="version" value="', 1)[1].split('"', 1)[0]
        token = await ws.csrf("/lead/p/CARE1/comments/1")
        form = {"csrftoken": token, "action": "approve", "version": version}
        first = await ws.http.post("/lead/p/CARE1/comments/1", data=form)
        assert first.status_code == 303
        second = await ws.http.post("/lead/p/CARE1/comments/1", data=form)
        assert second.status_code == 409 and "Nothing was changed" in second.text
        shown = await ws.http.get(first.headers["location"])
        assert "The comment is shared with the group." in shown.text
    async with bot.sessions() as session:
        actors = (
            await session.scalars(
                select(AuditEntry.actor).where(AuditEntry.action.like("%approve%"))
            )
        ).all()
    assert actors == ["contributor:1"]


async def test_responding_to_several_comments_at_once_tells_each_author_once(
    bot: MemoryBot,
) -> None:
    await _with_comment(bot)
    await bot.send_in("sms", ANN_PHONE, "More buses on Sundays.")
    await bot.delivered()
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        page = await ws.http.get("/lead/p/CARE1/comments")
        token = await ws.csrf("/lead/p/CARE1/comments")
        versions = {
            f"version-{n}": page.text.split(f'name="version-{n}" value="', 1)[1].split('"')[0]
            for n in (1, 2)
        }
        form_id = page.text.split('name="form_id" value="', 1)[1].split('"', 1)[0]
        form = {
            "csrftoken": token,
            "form_id": form_id,
            "comment": ["1", "2"],
            "status": "adopted",
            "reason": "We will ask the bus company.",
            **versions,
        }
        done = await ws.http.post("/lead/p/CARE1/comments", data=form)
        assert done.status_code == 303
        again = await ws.http.post("/lead/p/CARE1/comments", data=form)
        assert again.headers["location"].endswith("?twice=1")
        note = await ws.http.get(again.headers["location"])
        assert "it was acted on once, not twice" in note.text
    told = [m for m in await bot.delivered() if m.address == ANN_PHONE]
    assert len([m for m in told if "We will ask the bus company." in m.body]) == 2


async def test_a_response_without_a_status_or_reason_is_named_in_the_error_summary(
    bot: MemoryBot,
) -> None:
    await _with_comment(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        answer = await ws.post("/lead/p/CARE1/comments", {"comment": "1"})
        assert answer.status_code == 400
        assert "<title>Error: Comments" in answer.text
        assert 'href="#status"' in answer.text and 'href="#reason"' in answer.text
    async with bot.sessions() as session:
        comment = await session.get(Comment, 1)
        assert comment is not None and comment.response_status is None


async def test_words_people_send_are_shown_as_text_never_run(bot: MemoryBot) -> None:
    await _with_comment(bot, "<script>alert(1)</script> & <b>bold</b>")
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        page = await ws.http.get("/lead/p/CARE1/comments")
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]


async def test_the_brief_preview_shows_each_channel_and_publishing_sends_it(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        brief = "# Home care\n\nWe want to hear what matters to you about home care visits."
        preview = await ws.post("/lead/p/CARE1/brief", {"text": brief, "action": "preview"})
        assert preview.status_code == 200
        assert "Text message (SMS)" in preview.text and "It takes 1 text message part." in (
            preview.text
        )
        async with bot.sessions() as session:
            assert (await session.scalars(select(BriefVersion))).all() == []
        form_id = preview.text.split('name="form_id" value="', 1)[1].split('"', 1)[0]
        publish = {"text": brief, "action": "publish", "form_id": form_id}
        published = await ws.post("/lead/p/CARE1/brief", publish)
        assert published.status_code == 303
        twice = await ws.post("/lead/p/CARE1/brief", publish)
        assert twice.headers["location"].endswith("?twice=1")
        async with bot.sessions() as session:
            assert len((await session.scalars(select(BriefVersion))).all()) == 1
    sent = await bot.delivered()
    assert ANN_PHONE in [m.address for m in sent]


async def test_an_empty_brief_and_a_link_that_is_not_a_web_address_are_refused(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        answer = await ws.post(
            "/lead/p/CARE1/brief", {"text": "", "easy-read": "javascript:alert(1)"}
        )
        assert answer.status_code == 400
        assert 'href="#text"' in answer.text and 'href="#easy-read"' in answer.text
    async with bot.sessions() as session:
        assert (await session.scalars(select(BriefVersion))).all() == []


async def test_extending_comments_to_a_time_before_their_close_is_refused(bot: MemoryBot) -> None:
    await _with_comment(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        answer = await ws.post(
            "/lead/p/CARE1/meetings",
            {"action": "extend", "until-date": "2026-11-24", "until-time": "10:00", "reason": "x"},
        )
        assert answer.status_code == 400
        assert 'href="#until-date"' in answer.text
        no_reason = await ws.post(
            "/lead/p/CARE1/meetings",
            {"action": "extend", "until-date": "2026-12-30", "until-time": "10:00", "reason": ""},
        )
        assert no_reason.status_code == 400 and 'href="#reason"' in no_reason.text


async def test_a_contributor_lead_answers_a_message_without_learning_who_sent_it(
    bot: MemoryBot,
) -> None:
    await _with_comment(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(JOINT_EMAIL)
        inbox = await ws.http.get("/lead/p/CARE1/inbox")
        path = inbox.text.split('href="/lead/p/CARE1/inbox/', 1)[1].split('"', 1)[0]
        reply_page = f"/lead/p/CARE1/inbox/{path}"
        form = await ws.http.get(reply_page)
        assert "Ann Member" not in form.text and "A member" in form.text
        empty = await ws.post(reply_page, {"text": " "})
        assert empty.status_code == 400 and 'href="#text"' in empty.text
        sent = await ws.post(reply_page, {"text": "Thank you. Which bus route?"})
        assert sent.status_code == 303
    told = [m for m in await bot.delivered() if m.address == ANN_PHONE]
    assert [m.body for m in told] == [
        "A message from the leads of CARE1: Thank you. Which bus route?"
    ]
    async with workspace(bot) as ws:
        await ws.sign_in(PAT_EMAIL)
        assert (await ws.http.get(reply_page)).status_code == 404


async def test_a_lead_adds_a_new_person_who_is_invited_in_their_language(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        wrong = await ws.post(
            "/lead/p/CARE1/people", {"action": "new", "name": "", "email": "not-an-address"}
        )
        assert wrong.status_code == 400
        assert 'href="#name"' in wrong.text and 'href="#email"' in wrong.text
        added = await ws.post(
            "/lead/p/CARE1/people",
            {
                "action": "new",
                "name": "Gwyn <b>Jones</b>",
                "phone": "07700 900555",
                "language": "cy",
                "channel": "sms",
                "needs": ["easy-read"],
            },
        )
        assert added.status_code == 303
        people = await ws.http.get("/lead/p/CARE1/people")
        assert (
            "Gwyn &lt;b&gt;Jones&lt;/b&gt;" in people.text and "Invited, not joined" in people.text
        )
        again = await ws.post(
            "/lead/p/CARE1/people", {"action": "new", "name": "Gwyn", "phone": "07700900555"}
        )
        assert again.status_code == 400 and "already belongs to someone" in again.text
    invited = [m for m in await bot.delivered() if m.address == "+447700900555"]
    assert invited and all(m.language == "cy" for m in invited)


async def test_a_lead_invites_someone_we_already_have_and_no_one_else(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        unknown = await ws.post(
            "/lead/p/CARE1/people", {"action": "existing", "reference": "nobody@example.org"}
        )
        assert unknown.status_code == 400 and "We have no one with that" in unknown.text
        invited = await ws.post(
            "/lead/p/CARE1/people", {"action": "existing", "reference": PAT_EMAIL}
        )
        assert invited.headers["location"].endswith("done=invited")
        twice = await ws.post(
            "/lead/p/CARE1/people", {"action": "existing", "reference": PAT_EMAIL}
        )
        assert twice.headers["location"].endswith("done=already")
    assert [m.address for m in await bot.delivered()] == [PAT_EMAIL]


async def test_project_settings_change_sharing_leads_and_close_with_a_future_review(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        path = "/lead/p/CARE1/settings"
        assert (await ws.post(path, {"action": "sharing", "sharing": "open"})).status_code == 303
        alone = await ws.post(path, {"action": "remove-lead", "person": "2"})
        assert alone.status_code == 303, "Jo steps down; Lee still leads"
        last = await ws.post(path, {"action": "remove-lead", "person": "1"})
        assert last.status_code == 400 and "the only lead" in last.text
        past = await ws.post(path, {"action": "close", "review_on": "2026-01-01"})
        assert past.status_code == 400 and "must be in the future" in past.text
        closed = await ws.post(path, {"action": "close", "review_on": "2027-11-23"})
        assert closed.status_code == 303
        page = await ws.http.get(path)
        assert "Reopen the project" in page.text
    thanked = [m for m in await bot.delivered() if m.address == ANN_PHONE]
    assert "Tuesday 23 November 2027" in thanked[0].body
    async with bot.sessions() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.actor == "contributor:1")
            )
        ).all()
    assert {"project.sharing", "project.remove_lead", "project.close"} <= set(actions)


async def test_a_brief_begun_before_another_lead_published_is_not_sent(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        preview = await ws.post("/lead/p/CARE1/brief", {"text": "Lee's brief", "action": "preview"})
        form_id = preview.text.split('name="form_id" value="', 1)[1].split('"', 1)[0]
        async with transaction(bot.sessions) as session:
            await lead_actions.publish_brief(
                session,
                Actor("test"),
                "CARE1",
                text="Jo's brief",
                summary=None,
                note=None,
                alt_formats={},
                now=bot.clock.now(),
            )
        await bot.delivered()
        late = await ws.post(
            "/lead/p/CARE1/brief",
            {"text": "Lee's brief", "action": "publish", "form_id": form_id, "based_on": "0"},
        )
        assert late.status_code == 409
        assert "Another lead published a new version" in late.text
        assert 'name="based_on" value="1"' in late.text, "sending again publishes on version 1"
    async with bot.sessions() as session:
        texts = (await session.scalars(select(BriefVersion.text))).all()
    assert texts == ["Jo's brief"]
    assert await bot.delivered() == []


async def test_a_contributor_lead_is_not_sent_what_a_member_declared(bot: MemoryBot) -> None:
    await care1(bot)
    await bot.send_in("sms", ANN_PHONE, "DECLARE I am paid by a care agency")
    sent = await bot.delivered()
    to_leads = {m.address: m.body for m in sent if m.address in (STAFF_EMAIL, JOINT_EMAIL)}
    assert "I am paid by a care agency" in to_leads[STAFF_EMAIL]
    assert JOINT_EMAIL not in to_leads
    async with workspace(bot) as ws:
        await ws.sign_in(JOINT_EMAIL)
        inbox = await ws.http.get("/lead/p/CARE1/inbox")
        assert "care agency" not in inbox.text and "Kept as a declaration of interest" in inbox.text
