"""Flow 3 (the comment itself): stored, acknowledged with its number, marked late after the
close. The author's NAME ME / ANONYMOUS choice at the time is kept with the comment."""

from __future__ import annotations

from storage.comments import add_comment
from storage.models import CheckState, CommentWindow, Project

from .context import Exchange
from .keywords import Command, keyword_words
from .outbound import Message, Reader
from .questions import put_to_leads
from .sharing import check_on_arrival


def comment_thanks(
    reader: Reader, project: Project, number: int, named: bool, held: bool = False
) -> str:
    t = reader.t
    words = keyword_words(t)
    first = t.gettext("Thank you. We have your comment on {code}. Its number is {number}.").format(
        code=project.code, number=number
    )
    if held:
        first += " " + t.gettext("The leads will read it before it is shared with the group.")
    if named:
        how = t.gettext("We will share it with your name. Reply {anonymous} to share it without.")
        return f"{first} {how.format(anonymous=words[Command.ANONYMOUS])}"
    how = t.gettext("We will share it without your name. Reply {name_me} to add your name.")
    return f"{first} {how.format(name_me=words[Command.NAME_ME])}"


def late_text(reader: Reader, project: Project, number: int, window: CommentWindow | None) -> str:
    t = reader.t
    if window is None:
        first = t.gettext(
            "Thank you. Comments on {code} are not open now, but we have kept yours (number "
            "{number}) for the leads."
        )
    else:
        first = t.gettext(
            "Thank you. Comments on {code} closed on {when}, but we have kept yours (number "
            "{number}). The leads will still read it."
        )
    return first.format(
        code=project.code,
        number=number,
        when=reader.when(window.closes_at) if window else "",
    )


async def record_comment(
    exchange: Exchange,
    project: Project,
    window: CommentWindow | None,
    text: str,
    *,
    late: bool,
    also_question: bool = False,
) -> None:
    named = exchange.contributor.named_in_comments
    comment = await add_comment(
        exchange.session,
        project_id=project.id,
        window_id=window.id if window else None,
        contributor_id=exchange.contributor.id,
        channel=exchange.point.channel,
        text=text,
        is_late=late,
        is_named=named,
        inbound_message_id=exchange.inbound_id,
        now=exchange.now,
    )
    await check_on_arrival(exchange.session, project, comment, exchange.contributor, exchange.now)
    held = comment.check_state == CheckState.WAITING
    question = await put_to_leads(exchange, project, text) if also_question else None

    def thanks(reader: Reader) -> Message:
        if late:
            return Message(late_text(reader, project, comment.id, window))
        said = comment_thanks(reader, project, comment.id, named, held)
        if question is not None:
            said += " " + reader.t.gettext(
                "It asks a question, so the leads will also answer it in writing. "
                "Its question number is {number}."
            ).format(number=question.id)
        return Message(said)

    await exchange.reply("comment-thanks", thanks, project=project)
