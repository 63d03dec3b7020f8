"""Signing leads in to the web workspace without a password.

A lead gives the email address or phone number we hold for them; we send a one-time link
to that address (15 minutes, used once). Opening the link shows a button; pressing it starts
a session, so a mail scanner that fetches every link cannot use it up. Whoever asks, the
answer on the page is the same, so the page tells no one which addresses we hold.

Only a lead of a project they have joined may sign in: the same rule as for acting as a lead
on the channels (:func:`storage.memberships.led_project_ids`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from channels.base import ChannelName
from channels.sms import normalise_phone
from storage import lead_sessions
from storage.audit import record_audit
from storage.contributors import find_contact_point, find_contributor
from storage.errors import InvalidInput
from storage.memberships import led_project_ids
from storage.models import ContactPoint, Contributor

from .outbound import Message, Reader, best_contact_point, send_to

LINK_MINUTES = 15
SIGN_IN_PATH = "/lead/sign-in/"


def sign_in_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + SIGN_IN_PATH + token


def _link_message(url: str) -> object:
    def render(reader: Reader) -> Message:
        t = reader.t
        return Message(
            subject=t.gettext("Your link to sign in"),
            body=reader.paragraphs(
                [
                    t.gettext("Sign in to the leads' workspace with this link: {link}").format(
                        link=url
                    ),
                    t.gettext("It works once, for {minutes} minutes.").format(minutes=LINK_MINUTES),
                    t.gettext("If you did not ask for it, you can ignore this message."),
                ]
            ),
        )

    return render


async def _point_for(session: AsyncSession, typed: str, region: str) -> ContactPoint | None:
    """The contact point someone typed: an email address, or a phone number in any form."""
    typed = typed.strip()
    if "@" in typed:
        return await find_contact_point(session, ChannelName.EMAIL, typed.lower())
    try:
        number = normalise_phone(typed, region)
    except ValueError:
        return None
    return await find_contact_point(session, ChannelName.SMS, number)


async def _may_sign_in(session: AsyncSession, contributor: Contributor | None) -> bool:
    return (
        contributor is not None
        and contributor.erased_at is None
        and bool(await led_project_ids(session, contributor.id))
    )


async def request_link(
    session: AsyncSession, typed: str, *, base_url: str, region: str, now: datetime
) -> bool:
    """Send a sign-in link to the lead who holds this address; True if one was queued. The
    caller answers the same either way."""
    point = await _point_for(session, typed, region)
    contributor = (
        await session.get(
            Contributor, point.contributor_id, options=[selectinload(Contributor.contact_points)]
        )
        if point is not None and point.contributor_id is not None
        else None
    )
    if point is None or not await _may_sign_in(session, contributor):
        return False
    assert contributor is not None
    token = await lead_sessions.add_sign_in_link(
        session, contributor.id, now=now, expires_at=now + timedelta(minutes=LINK_MINUTES)
    )
    # To the address they typed, unless they stopped messages there.
    target = point if point.opted_out_at is None else best_contact_point(contributor)
    return await send_to(
        session,
        contributor,
        None,
        kind="sign-in-link",
        render=_link_message(sign_in_url(base_url, token)),  # type: ignore[arg-type]
        now=now,
        point=target,
    )


async def operator_link(
    session: AsyncSession, reference: str, *, base_url: str, actor: str, now: datetime
) -> tuple[Contributor, str]:
    """A sign-in link for a lead (id or email), printed for the operator; audited."""
    contributor = await find_contributor(session, reference)
    if not await _may_sign_in(session, contributor):
        raise InvalidInput(
            f"contributor {contributor.id} leads no project they have joined, "
            "so they cannot sign in to the workspace"
        )
    token = await lead_sessions.add_sign_in_link(
        session, contributor.id, now=now, expires_at=now + timedelta(minutes=LINK_MINUTES)
    )
    await record_audit(
        session,
        actor=actor,
        action="sign-in-link",
        at=now,
        details={"contributor_id": contributor.id},
    )
    return contributor, sign_in_url(base_url, token)


async def link_holder(session: AsyncSession, token: str, now: datetime) -> Contributor | None:
    """Whom an unused, unexpired link would sign in, without using it."""
    link = await lead_sessions.usable_link(session, token, now)
    if link is None:
        return None
    contributor = await session.get(Contributor, link.contributor_id)
    return contributor if await _may_sign_in(session, contributor) else None


async def redeem_link(
    session: AsyncSession, token: str, *, hours: int, now: datetime
) -> tuple[Contributor, str] | None:
    """Use the link once and start a session; the new session's token, or None when the link
    is unknown, expired, used, or its holder no longer leads a project."""
    link = await lead_sessions.usable_link(session, token, now)
    if link is None:
        return None
    contributor = await session.get(Contributor, link.contributor_id)
    if not await _may_sign_in(session, contributor) or not await lead_sessions.use_link(
        session, link, now
    ):
        return None
    assert contributor is not None
    session_token = await lead_sessions.start_session(
        session, contributor.id, now=now, expires_at=now + timedelta(hours=hours)
    )
    await record_audit(
        session, actor=f"contributor:{contributor.id}", action="signed-in", at=now, details={}
    )
    return contributor, session_token


async def signed_in_lead(session: AsyncSession, token: str, now: datetime) -> Contributor | None:
    """The lead a session cookie belongs to, while it lasts and while they still lead."""
    row = await lead_sessions.live_session(session, token, now)
    if row is None:
        return None
    contributor = await session.get(Contributor, row.contributor_id)
    return contributor if await _may_sign_in(session, contributor) else None


async def sign_out(session: AsyncSession, token: str, now: datetime) -> None:
    await lead_sessions.end_session(session, token, now)
