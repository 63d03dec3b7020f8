"""Every email's footer (who sends it, how to reach the leads, how to stop), and stopping
email to one address by the one-click link in it (RFC 8058).

The link stops the address as a typed STOP does (:func:`flows.runner.apply_effect` with
:class:`flows.effects.StopChannel`), so the consent history reads the same. No email confirms
it: the page that answers the click does, and the person asked for no more emails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from storage.models import ContactPoint, Contributor
from storage.reply_tokens import point_of_unsubscribe_token

from .context import Exchange
from .effects import StopChannel
from .i18n import translator, usable_language
from .keywords import Command, keyword_words
from .runner import apply_effect


def email_footer(language: str, organisation: str | None, unsubscribe_url: str | None) -> str:
    """The lines that end every email, in the reader's language: the organisation (when one
    is named), how to reach the leads, and how to stop."""
    t = translator(usable_language(language))
    lines = []
    if organisation:
        lines.append(
            t.gettext("This email is from {organisation}.").format(organisation=organisation)
        )
    # A reply goes to the flows by its token: a question reaches the leads, who answer it.
    lines.append(t.gettext("To ask the leads a question, reply to this email."))
    lines.append(
        t.gettext("To stop all emails from us, reply {stop}.").format(
            stop=keyword_words(t)[Command.STOP]
        )
    )
    if unsubscribe_url:
        lines.append(t.gettext("Or stop them with this link: {url}").format(url=unsubscribe_url))
    return "\n".join(lines)


def unsubscribe_url(public_url: str | None, token: str) -> str | None:
    """The one-click link, or None when the service has no public address to put in it."""
    if not public_url:
        return None
    return f"{public_url.rstrip('/')}/unsubscribe/{token}"


class Unsubscribe(StrEnum):
    NOT_FOUND = "not-found"  # no such token: nothing changes
    ASKING = "asking"  # a genuine link, email still on: the page asks to confirm
    STOPPED = "stopped"  # stopped now
    ALREADY = "already"  # stopped before


@dataclass(frozen=True)
class UnsubscribeLink:
    outcome: Unsubscribe
    # The person's language, for the page (None when the link is not genuine).
    language: str | None = None


async def look_at_link(session: AsyncSession, token: str) -> UnsubscribeLink:
    """What following the link would do, changing nothing (a browser's GET, a mail
    scanner's visit)."""
    point = await point_of_unsubscribe_token(session, token)
    if point is None or point.channel != ChannelName.EMAIL:
        return UnsubscribeLink(Unsubscribe.NOT_FOUND)
    outcome = Unsubscribe.ALREADY if point.opted_out_at else Unsubscribe.ASKING
    return UnsubscribeLink(outcome, await _language_of(session, point))


async def stop_email_by_link(session: AsyncSession, token: str, now: datetime) -> UnsubscribeLink:
    """The link was confirmed (one click in a mail program, or the page's button): the
    address gets no more email, recorded as a STOP from it."""
    point = await point_of_unsubscribe_token(session, token, lock=True)
    if point is None or point.channel != ChannelName.EMAIL:
        return UnsubscribeLink(Unsubscribe.NOT_FOUND)
    language = await _language_of(session, point)
    if point.opted_out_at is not None:
        return UnsubscribeLink(Unsubscribe.ALREADY, language)
    person = await session.get(Contributor, point.contributor_id) if point.contributor_id else None
    if person is None:
        point.opted_out_at = now  # someone we do not know: no consent of theirs is kept
    else:
        await apply_effect(Exchange(session, person, point, now, None), StopChannel())
    return UnsubscribeLink(Unsubscribe.STOPPED, language)


async def _language_of(session: AsyncSession, point: ContactPoint) -> str:
    person = await session.get(Contributor, point.contributor_id) if point.contributor_id else None
    return usable_language(person.language if person else None)
