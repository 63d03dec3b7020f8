"""The person a flow is answering, and how to answer them in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.consents import record_consent, said_how
from storage.models import ConsentTopic, ContactPoint, Contributor, Project

from .outbound import Message, Reader, Render, reader_for, send_to_point


@dataclass
class Exchange:
    """One inbound message from a known contributor, being handled."""

    session: AsyncSession
    contributor: Contributor
    point: ContactPoint
    now: datetime
    inbound_id: int | None
    # For email: the subject replies carry ("Re: ..."), worked out from what they sent.
    reply_subject: str | None = None

    def reader(self, project: Project | None = None) -> Reader:
        return reader_for(self.contributor, self.point, project)

    async def reply(
        self,
        kind: str,
        content: str | Render,
        *,
        project: Project | None = None,
        choices: Sequence[str] = (),
    ) -> None:
        """Answer on the channel the message came from."""

        def render(reader: Reader) -> Message:
            message = content(reader) if callable(content) else Message(content)
            return Message(
                message.body,
                subject=message.subject or self.reply_subject,
                choices=tuple(choices) or message.choices,
            )

        await send_to_point(
            self.session,
            self.point,
            self.reader(project),
            kind=kind,
            render=render,
            now=self.now,
            project_id=project.id if project else None,
            reply_to_inbound_id=self.inbound_id,
        )

    async def record_consent(self, topic: ConsentTopic, given: bool, word: str) -> None:
        """Consent given or withdrawn by sending ``word`` on this channel (contact consent is
        for this channel)."""
        await record_consent(
            self.session,
            contributor_id=self.contributor.id,
            topic=topic,
            channel=self.point.channel,
            given=given,
            how=said_how(self.point.channel, word),
            now=self.now,
        )
