"""Flow 1: publishing a brief and sending it, whole by email and Telegram, short by SMS.

Every version is kept with its change note. On SMS the message is the summary and how to
get the rest, within two GSM-7 segments; BRIEF gets the whole text (by email or Telegram
when the person has one, else by SMS in parts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from channels.gsm import count_segments, sanitise
from storage.audit import record_audit
from storage.briefs import add_brief_version, latest_brief
from storage.errors import InvalidInput
from storage.models import BriefVersion, ContactPoint, Contributor, MembershipStatus, Project

from .i18n import Translator
from .keywords import Command, keyword_words
from .outbound import Message, Reader, Render, reader_for, send_to_members, send_to_point

SMS_SEGMENTS = 2
SUMMARY_WORDS = 40


@dataclass(frozen=True)
class PublishedBrief:
    version: int
    reached: int


def alt_format_label(t: Translator, key: str) -> str:
    labels = {
        # TRANSLATORS: a version of a document in simple words with pictures.
        "easy-read": t.gettext("Easy read"),
        "large-print": t.gettext("Large print"),
        "audio": t.gettext("Audio"),
        # TRANSLATORS: British Sign Language video.
        "bsl": t.gettext("British Sign Language video"),
    }
    return labels.get(key, key.replace("-", " ").capitalize())


def summary_from(text: str) -> str:
    """The first paragraph that is not a heading, without Markdown marks, cut to a few dozen
    words."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = [p for p in paragraphs if not p.lstrip().startswith("#")] or paragraphs
    for paragraph in body:
        cleaned = " ".join(re.sub(r"^[#>*\-\s]+", "", line) for line in paragraph.splitlines())
        words = cleaned.split()
        if words:
            return " ".join(words[:SUMMARY_WORDS]) + ("..." if len(words) > SUMMARY_WORDS else "")
    return ""


def sms_brief_text(reader: Reader, project: Project, brief: BriefVersion, invited: bool) -> str:
    """The SMS form: the summary, shortened word by word until the whole fits two segments."""
    t = reader.t
    words = keyword_words(t)
    tail = t.gettext("Reply {brief} {code} to get all of it.").format(
        brief=words[Command.BRIEF], code=project.code
    )
    if invited:
        tail += " " + t.gettext("Reply {join} {code} to take part.").format(
            join=words[Command.JOIN], code=project.code
        )
    summary = brief.summary.split()
    while True:
        text = t.gettext("{code} brief: {summary}").format(
            code=project.code, summary=" ".join(summary)
        )
        body = sanitise(f"{text}\n{tail}")
        if count_segments(body).segments <= SMS_SEGMENTS or not summary:
            return body
        summary = [*summary[:-2], "..."] if len(summary) > 2 else []


def full_brief_text(reader: Reader, project: Project, brief: BriefVersion, invited: bool) -> str:
    t = reader.t
    words = keyword_words(t)
    parts = [
        t.gettext("The brief for {title} ({code}), version {version}.").format(
            title=project.title, code=project.code, version=brief.version
        ),
        t.gettext("Sent on {date}.").format(date=reader.when(brief.published_at)),
    ]
    if brief.change_note:
        parts.append(t.gettext("What has changed: {note}").format(note=brief.change_note))
    parts.append(brief.text)
    if brief.alt_formats:
        lines = [t.gettext("The brief in other formats:")]
        lines += [
            f"{alt_format_label(t, key)}: {url}" for key, url in sorted(brief.alt_formats.items())
        ]
        parts.append("\n".join(lines))
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
    project: Project, brief: BriefVersion, invited: bool, *, whole: bool = False
) -> Render:
    """The brief for each reader: on SMS the short form, unless they asked for all of it."""

    def render(reader: Reader) -> Message:
        if reader.sms and not whole:
            return Message(sms_brief_text(reader, project, brief, invited))
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
) -> PublishedBrief:
    """Store a new version and queue it to every member who has not left."""
    summary = " ".join((summary or summary_from(text)).split())
    if not summary:
        raise InvalidInput("the brief needs a summary for text messages (--summary)")
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
    reached = 0
    for status, invited in ((MembershipStatus.JOINED, False), (MembershipStatus.INVITED, True)):
        reached += await send_to_members(
            session,
            project,
            kind="brief",
            render=brief_message(project, brief, invited),
            now=now,
            statuses=(status,),
        )
    await record_audit(
        session,
        actor=actor,
        action="brief.publish",
        at=now,
        project_id=project.id,
        details={"version": brief.version, "reached": reached},
    )
    return PublishedBrief(brief.version, reached)


def no_brief_text(reader: Reader, project: Project) -> str:
    return reader.t.gettext(
        "There is no brief for {code} yet. We will send it to you when it is ready."
    ).format(code=project.code)


def sent_elsewhere_text(reader: Reader, channel: ChannelName) -> str:
    t = reader.t
    if channel == ChannelName.EMAIL:
        return t.gettext("We have sent the whole brief to your email.")
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
