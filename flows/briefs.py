"""Flow 1: publishing a brief and sending it, whole by email and Telegram, short by SMS.

Every version is kept with its change note. On SMS the message is the summary and how to
get the rest, within two GSM-7 segments; BRIEF gets the whole text (by email or Telegram
when the person has one, else by SMS in parts).

A reader's access needs decide the other formats they are offered: the ones they need come
first (on SMS, in the short text too); someone who needs none of the brief's formats sees
them all at the end; a format someone needs and the brief lacks is named as not ready yet,
and the leads are told how many need it when they publish.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AccessNeed, ChannelName, known_access_needs
from channels.gsm import count_segments, sanitise
from channels.markdown import escape, to_plain
from storage.audit import record_audit
from storage.briefs import add_brief_version, latest_brief
from storage.errors import InvalidInput
from storage.memberships import addressee_pages
from storage.models import BriefVersion, ContactPoint, Contributor, MembershipStatus, Project

from .brief_sending import (
    AUDIENCE,
    BriefAudience,
    BriefSending,
    brief_changed_text,
    changed_formats,
    default_sending,
    formats_of,
    send_version,
)
from .i18n import Translator
from .keywords import Command, keyword_words
from .outbound import Message, Reader, Render, reader_for, send_to_members, send_to_point

SMS_SEGMENTS = 2
SUMMARY_WORDS = 40


@dataclass(frozen=True)
class PublishedBrief:
    version: int
    reached: int  # people sent something: the whole brief or the notice that it changed
    # How many members need each format this version lacks, for the leads: those members
    # read that the leads know.
    lacking: dict[AccessNeed, int] = field(default_factory=dict)
    # Who got what (flows.brief_sending): the whole brief, or only the notice.
    audience: BriefAudience | None = None


def alt_format_label(t: Translator, key: str) -> str:
    labels = {
        # TRANSLATORS: a version of a document in simple words with pictures.
        "easy-read": t.gettext("Easy read"),
        "large-print": t.gettext("Large print"),
        "audio": t.gettext("Audio"),
        # TRANSLATORS: British Sign Language video.
        "bsl": t.gettext("British Sign Language video"),
    }
    return labels.get(AccessNeed.parse(key) or key, key.replace("-", " ").capitalize())


def formats_by_need(brief: BriefVersion) -> dict[AccessNeed, str]:
    """The brief's links for the needs they meet (a format given as "Easy Read" counts)."""
    return formats_of(brief.alt_formats)


def format_ready_line(t: Translator, need: AccessNeed, url: str) -> str:
    lines = {
        # TRANSLATORS: a version of the brief in simple words with pictures; {url} is its link.
        AccessNeed.EASY_READ: t.gettext("Easy read version: {url}"),
        AccessNeed.LARGE_PRINT: t.gettext("Large print version: {url}"),
        # TRANSLATORS: a recording of the brief read aloud; {url} is its link.
        AccessNeed.AUDIO: t.gettext("Audio version: {url}"),
        # TRANSLATORS: a video of the brief in British Sign Language; {url} is its link.
        AccessNeed.BSL: t.gettext("British Sign Language video: {url}"),
    }
    return lines[need].format(url=url)


def format_missing_line(t: Translator, need: AccessNeed) -> str:
    lines = {
        # TRANSLATORS: a version of the brief in simple words with pictures.
        AccessNeed.EASY_READ: t.gettext(
            "The easy read version is not ready yet. The leads know you need it."
        ),
        AccessNeed.LARGE_PRINT: t.gettext(
            "The large print version is not ready yet. The leads know you need it."
        ),
        # TRANSLATORS: a recording of the brief read aloud.
        AccessNeed.AUDIO: t.gettext(
            "The audio version is not ready yet. The leads know you need it."
        ),
        AccessNeed.BSL: t.gettext(
            "The British Sign Language video is not ready yet. The leads know you need it."
        ),
    }
    return lines[need]


def own_formats(reader: Reader, brief: BriefVersion) -> tuple[list[str], list[str]]:
    """For the formats this reader needs: links to those the brief has, and a line for
    each it lacks."""
    have = formats_by_need(brief)
    ready: list[str] = []
    missing: list[str] = []
    for need in AccessNeed:  # always the same order
        if need.is_format and need in reader.needs:
            if need in have:
                ready.append(format_ready_line(reader.t, need, have[need]))
            else:
                missing.append(format_missing_line(reader.t, need))
    return ready, missing


def summary_from(text: str) -> str:
    """The first paragraph that is not a heading, without Markdown marks, cut to a few dozen
    words."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = [p for p in paragraphs if not p.lstrip().startswith("#")] or paragraphs
    for paragraph in body:
        cleaned = " ".join(re.sub(r"^[#>*\-\s]+", "", line) for line in paragraph.splitlines())
        words = to_plain(cleaned).split()
        if words:
            return " ".join(words[:SUMMARY_WORDS]) + ("..." if len(words) > SUMMARY_WORDS else "")
    return ""


def who_asks(reader: Reader, project: Project, organisation: str | None) -> str | None:
    """ "Millbrook Council asks you to take part in Home care (CARE1).", naming the project's
    organisation, else ``organisation`` (the service's); None when neither is known. As
    Markdown, for the invitation's body is."""
    asking = project.organisation or organisation
    if not asking:
        return None
    return reader.t.gettext("{organisation} asks you to take part in {title} ({code}).").format(
        organisation=escape(asking), title=escape(project.title), code=project.code
    )


# A Markdown hard break: our lines of an SMS stay lines when the body is written out plain.
_LINE_BREAK = "\\\n"


def sms_brief_text(
    reader: Reader,
    project: Project,
    brief: BriefVersion,
    invited: bool,
    organisation: str | None = None,
) -> str:
    """The SMS form: the summary and the links to the formats the reader needs, the summary
    shortened word by word until the whole fits two segments. An invitation first says who
    asks (the project's organisation, else ``organisation``), so it does not read as spam."""
    t = reader.t
    words = keyword_words(t)
    links, _ = own_formats(reader, brief)
    tail = t.gettext("Reply {brief} {code} to get all of it.").format(
        brief=words[Command.BRIEF], code=project.code
    )
    if invited:
        tail += " " + t.gettext("Reply {join} {code} to take part.").format(
            join=words[Command.JOIN], code=project.code
        )
    asking = who_asks(reader, project, organisation) if invited else None
    first = [asking] if asking else []
    summary = brief.summary.split()
    while True:
        # The body is Markdown, sent as plain text: the summary escaped, the segments
        # counted on the text as sent.
        text = t.gettext("{code} brief: {summary}").format(
            code=project.code, summary=escape(" ".join(summary))
        )
        body = sanitise(_LINE_BREAK.join([*first, text, *links, tail]))
        if count_segments(to_plain(body)).segments <= SMS_SEGMENTS or not summary:
            return body
        summary = [*summary[:-2], "..."] if len(summary) > 2 else []


def full_brief_text(reader: Reader, project: Project, brief: BriefVersion, invited: bool) -> str:
    """The whole brief; the formats the reader needs come before the long text, so nobody
    has to scroll past the brief to reach the version they can read."""
    t = reader.t
    words = keyword_words(t)
    ready, missing = own_formats(reader, brief)
    parts = [
        t.gettext("The brief for {title} ({code}), version {version}.").format(
            title=project.title, code=project.code, version=brief.version
        )
    ]
    # The body is Markdown: a line of ours is a paragraph of its own, or it would join the
    # one before.
    if ready or missing:
        parts.extend([*ready, *missing])
    parts.append(t.gettext("Sent on {date}.").format(date=reader.when(brief.published_at)))
    if brief.change_note:
        parts.append(t.gettext("What has changed: {note}").format(note=brief.change_note))
    parts.append(brief.text)
    # Someone offered their own formats above gets just those; anyone else sees them all.
    if brief.alt_formats and not ready:
        parts.append(t.gettext("The brief in other formats:"))
        parts += [
            f"{alt_format_label(t, key)}: {url}" for key, url in sorted(brief.alt_formats.items())
        ]
    if invited:
        parts.append(
            t.gettext("To take part, reply {join} {code}.").format(
                join=words[Command.JOIN], code=project.code
            )
        )
    parts.append(
        t.gettext(
            "You can reply with a question at any time. Send {help} to see what you can do."
        ).format(help=words[Command.HELP])
    )
    return "\n\n".join(parts)


def brief_message(
    project: Project,
    brief: BriefVersion,
    invited: bool,
    *,
    whole: bool = False,
    organisation: str | None = None,
) -> Render:
    """The brief for each reader: on SMS the short form, unless they asked for all of it
    (``organisation``: the service's, named in an invitation when the project names none)."""

    def render(reader: Reader) -> Message:
        if reader.sms and not whole:
            return Message(sms_brief_text(reader, project, brief, invited, organisation))
        subject = reader.t.gettext("{title}: the brief").format(title=project.title)
        return Message(full_brief_text(reader, project, brief, invited), subject=subject)

    return render


async def publish_brief(
    session: AsyncSession,
    project: Project,
    *,
    text: str,
    summary: str | None,
    note: str | None,
    alt_formats: dict[str, str],
    now: datetime,
    published_by: int | None = None,
    actor: str = "cli",
    send: BriefSending | None = None,
) -> PublishedBrief:
    """Store a new version and queue it to every member who has not left: whole, or whole
    only to those who need a format it adds or changes and a notice to the rest, or to
    nobody (``send``; None: the default for the version, see :mod:`flows.brief_sending`)."""
    summary = " ".join((summary or summary_from(text)).split())
    if not summary:
        raise InvalidInput("the brief needs a summary for text messages (--summary)")
    previous = await latest_brief(session, project.id)
    sending = send or default_sending(previous)
    brief = await add_brief_version(
        session,
        project_id=project.id,
        text=text,
        summary=summary,
        change_note=note,
        alt_formats=alt_formats,
        published_by=published_by,
        now=now,
    )
    changed = changed_formats(previous.alt_formats if previous else None, brief.alt_formats)
    if sending == BriefSending.ALL:
        reached = 0
        for status, invited in AUDIENCE:
            reached += await send_to_members(
                session,
                project,
                kind="brief",
                render=brief_message(project, brief, invited),
                now=now,
                statuses=(status,),
            )
        audience = BriefAudience(sending, reached, 0, changed)
    else:
        audience = await send_version(
            session,
            project,
            sending=sending,
            changed=changed,
            whole_for=lambda invited: brief_message(project, brief, invited),
            notice=lambda reader: brief_changed_text(reader, project, note),
            now=now,
        )
    reached = audience.whole + audience.told
    await record_audit(
        session,
        actor=actor,
        action="brief.publish",
        at=now,
        project_id=project.id,
        details={
            "version": brief.version,
            "reached": reached,
            "send": sending.value,
            "whole": audience.whole,
            "told_it_changed": audience.told,
        },
    )
    lacking = await members_lacking(session, project, brief)
    return PublishedBrief(brief.version, reached, lacking, audience)


async def members_lacking(
    session: AsyncSession, project: Project, brief: BriefVersion
) -> dict[AccessNeed, int]:
    """How many of the brief's readers need each format it does not have."""
    counts: Counter[AccessNeed] = Counter()
    audience = (MembershipStatus.JOINED, MembershipStatus.INVITED)
    async for page in addressee_pages(session, project.id, statuses=audience):
        counts.update(formats_lacking(brief, [person.access_needs for person in page]))
    return {need: counts[need] for need in AccessNeed if counts[need]}


def formats_lacking(brief: BriefVersion, needs: Iterable[Iterable[str]]) -> dict[AccessNeed, int]:
    """Of these people (each by the needs stored for them), how many need each format the
    brief does not have."""
    have = formats_by_need(brief)
    counts: Counter[AccessNeed] = Counter()
    for written in needs:
        for need in known_access_needs(written):
            if need.is_format and need not in have:
                counts[need] += 1
    return {need: counts[need] for need in AccessNeed if counts[need]}


def no_brief_text(reader: Reader, project: Project) -> str:
    return reader.t.gettext(
        "There is no brief for {code} yet. We will send it to you when it is ready."
    ).format(code=project.code)


def sent_elsewhere_text(reader: Reader, channel: ChannelName) -> str:
    t = reader.t
    if channel == ChannelName.EMAIL:
        return t.gettext("We have sent the whole brief to your email.")
    if channel == ChannelName.WHATSAPP:
        return t.gettext("We have sent the whole brief to you on WhatsApp.")
    return t.gettext("We have sent the whole brief to you on Telegram.")


async def send_latest_brief(
    session: AsyncSession,
    contributor: Contributor,
    point: ContactPoint,
    project: Project,
    *,
    invited: bool,
    now: datetime,
    reply_to_inbound_id: int | None,
) -> None:
    """Answer BRIEF: the whole newest version, by a channel that carries long text."""
    reader = reader_for(contributor, point, project)
    brief = await latest_brief(session, project.id)
    if brief is None:
        await send_to_point(
            session,
            point,
            reader,
            kind="brief-none",
            render=lambda r: Message(no_brief_text(r, project)),
            now=now,
            project_id=project.id,
            reply_to_inbound_id=reply_to_inbound_id,
        )
        return
    target = point
    if point.channel == ChannelName.SMS:
        longer = [
            p
            for p in contributor.contact_points
            if p.channel != ChannelName.SMS and p.opted_out_at is None
        ]
        # WhatsApp last: more than a day after their last WhatsApp message, it would wait.
        longer.sort(key=lambda p: p.channel == ChannelName.WHATSAPP)
        if longer:
            target = longer[0]
            await send_to_point(
                session,
                point,
                reader,
                kind="brief-sent-elsewhere",
                render=lambda r: Message(sent_elsewhere_text(r, target.channel)),
                now=now,
                project_id=project.id,
                reply_to_inbound_id=reply_to_inbound_id,
            )

    await send_to_point(
        session,
        target,
        reader_for(contributor, target, project),
        kind="brief",
        render=brief_message(project, brief, invited, whole=True),
        now=now,
        project_id=project.id,
        reply_to_inbound_id=reply_to_inbound_id if target is point else None,
    )
