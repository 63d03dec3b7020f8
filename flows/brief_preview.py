"""What a new version of the brief will look like on each channel, before a lead sends it:
the exact words each channel carries, and how many parts an SMS takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from channels.gsm import count_segments, sanitise
from channels.markdown import to_plain
from storage.briefs import latest_brief
from storage.models import BriefVersion, Project

from .briefs import brief_message, summary_from
from .outbound import Reader, bodies_for


@dataclass(frozen=True)
class ChannelPreview:
    channel: ChannelName
    subject: str | None
    body: str  # as the channel sends it (an SMS cleaned to what phones show)
    sms_parts: int  # SMS segments in all, across every message it takes; 0 elsewhere


async def preview_brief(
    session: AsyncSession,
    project: Project,
    *,
    text: str,
    summary: str | None,
    note: str | None,
    language: str,
    now: datetime,
) -> tuple[ChannelPreview, ...]:
    """Render the brief as a member who has joined would get it, on each channel, without
    storing or sending anything."""
    latest = await latest_brief(session, project.id)
    draft = BriefVersion(
        project_id=project.id,
        version=(latest.version + 1) if latest else 1,
        text=text,
        summary=" ".join((summary or summary_from(text)).split()),
        change_note=note,
        alt_formats={},
        published_at=now,
    )
    render = brief_message(project, draft, invited=False)
    previews = []
    for channel in (ChannelName.EMAIL, ChannelName.SMS, ChannelName.TELEGRAM):
        message = render(Reader(language, channel, project.time_zone))
        if channel == ChannelName.SMS:
            # A brief is Markdown: an SMS carries it as plain text (channels.gsm.sms_text).
            parts = [sanitise(to_plain(body)) for body in bodies_for(channel, message)]
            previews.append(
                ChannelPreview(
                    channel,
                    None,
                    "\n\n".join(parts),
                    sum(count_segments(p).segments for p in parts),
                )
            )
        else:
            previews.append(ChannelPreview(channel, message.subject, message.body, 0))
    return tuple(previews)
