"""The conversation step: one message from a known or unknown sender in, effects out.

Pure: it reads the situation (loaded by :mod:`flows.runner`) and the text and returns what
to do. It never touches storage or a channel.

```mermaid
stateDiagram-v2
    [*] --> idle
    idle --> choosing: several projects fit (OfferChoice)
    choosing --> idle: a number in range, or any other message
    choosing --> idle: a number after a day ("that choice has ended")
    idle --> declaring: JOIN
    declaring --> idle: NONE / DECLARE, or after a week
    declaring --> declaring: words with nowhere else to go (passed to the leads)
    idle --> replying: a lead ASKs the group
    replying --> idle: a plain reply (kept as the answer), or after a week
    idle --> attendance: a meeting asks who is coming (see flows.attendance)
    attendance --> idle: the meeting starts or is cancelled
    idle --> poll: a lead sends a poll (see flows.polls)
    poll --> idle: the poll closes
    idle --> review: the leads start the project's review (see flows.reviews)
    review --> idle: their closing words, or the review closes
```
"""

from __future__ import annotations

from channels.base import ChannelName

from . import attendance, polls, replies, reviews, texts
from .commands import COMMAND_HANDLERS, comment_on, offer
from .effects import (
    AskLeads,
    ClearPending,
    Declare,
    Effect,
    Join,
    Leave,
    PassToLeads,
    Reply,
    ReplyToQuestion,
    SendBrief,
    StartChannel,
    StopChannel,
)
from .i18n import SOURCE_LANGUAGE, Translator, find_language, translator
from .keywords import ALONE_OR_WITH_A_CODE, Command, ParsedText
from .situation import Situation, after_first_word
from .small_talk import is_small_talk, looks_like_question, small_talk_reply
from .unread import NOTHING_UNREAD, Unread, only_words_read, unclear_reply, unread_notes

# Words that are commands only when sent alone or with what they take (a project code, a
# language); otherwise, when free text has a place to go, the message is kept as free text:
# "Help for carers is hard to find" and "Stop cutting the hours" are comments.
WORDS_FIRST = frozenset(
    {Command.HELP, Command.BRIEF, Command.LANGUAGE, Command.STOP, Command.START}
)
# Replies to free text that keep nothing: the words had nowhere to go.
NOWHERE = frozenset({"not-understood", "join-first"})

# Message kinds that may go to a contact point after it opted out: only the confirmation of
# the opt-out itself, sent once.
SENT_EVEN_AFTER_STOP = frozenset({"stopped"})
# And to someone who left a project: only the confirmation that they left it.
SENT_EVEN_AFTER_LEAVING = frozenset({"left"})


def respond(
    situation: Situation,
    parsed: ParsedText,
    text: str,
    t: Translator,
    unread: Unread = NOTHING_UNREAD,
) -> list[Effect]:
    """Decide what to do about one message (``text`` is the whole message, tidied, and
    ``unread`` what came with it that we could not read)."""
    sender = situation.sender

    if parsed.command == Command.STOP:
        if kept := _kept_instead(situation, parsed, text, t):
            return kept  # "Stop cutting the hours" while comments are open is a comment
        if sender.opted_out:
            return []  # confirmed once already; answering again could start a loop
        return [StopChannel(), Reply("stopped", texts.stopped_text(t, sender.channel))]

    if parsed.command == Command.START:
        if not sender.opted_out:
            if kept := _kept_instead(situation, parsed, text, t):
                return kept
            # Mail from strangers is never answered (it may be spam or a forged sender).
            unanswered = not sender.is_known and sender.channel == ChannelName.EMAIL
            return [] if unanswered else [_help(situation, t)]
        return [StartChannel(), Reply("started", texts.started_text(t, sender.channel))]

    if sender.opted_out:
        return []  # they asked for silence on this channel; the message is still stored

    if not sender.is_known:
        if sender.channel == ChannelName.EMAIL or sender.helped_recently:
            return []
        return [
            Reply("unknown-sender", texts.unknown_sender_text(t, sender.channel, sender.address))
        ]

    if unread.unsure:
        return [unclear_reply(t)]  # a STOP in it was honoured above; nothing else is read
    if unread.attachments and not text:
        return [only_words_read(t)]  # a pending choice waits for their words
    return _respond_to_known(situation, parsed, text, t) + unread_notes(unread, text, t)


def _respond_to_known(
    situation: Situation, parsed: ParsedText, text: str, t: Translator
) -> list[Effect]:
    if parsed.command == Command.HELP and _alone_or_with_a_code(situation, parsed):
        return [_help(situation, t)]

    pending = situation.pending
    number = parsed.number
    if pending and pending.state == "choose":
        if number is not None:
            return _choose(situation, number, t)
        effects: list[Effect] = [ClearPending()]  # they moved on; the choice is dropped
        return effects + _decide(situation, parsed, text, t)
    if (about_a_meeting := attendance.answer(situation, parsed, text, t)) is not None:
        return about_a_meeting  # 1, 2 or 3 for a meeting that asked who is coming
    if (about_a_poll := polls.answer(situation, parsed, text, t)) is not None:
        return about_a_poll  # a choice's number or words while a poll waits
    if (about_a_review := reviews.answer(situation, parsed, text, t)) is not None:
        return about_a_review  # a rating, SKIP or their closing words while a review waits
    if number is not None and not _replying(situation):
        return [Reply("not-understood", replies.no_choice_waiting(t, situation))]
    decided = _decide(situation, parsed, text, t)
    return reviews.instead_of_nowhere(situation, polls.instead_of_nowhere(situation, decided, t), t)


def _decide(situation: Situation, parsed: ParsedText, text: str, t: Translator) -> list[Effect]:
    command = parsed.command
    if command in ALONE_OR_WITH_A_CODE and not _alone_or_with_a_code(situation, parsed):
        command = None  # "None of the dates suit me" is a comment
    if command == Command.NONE and _replying(situation) and not parsed.rest:
        command = None  # "None" in reply to a lead's question is the answer to it
    if command in WORDS_FIRST and (kept := _kept_instead(situation, parsed, text, t)):
        return kept
    if command == Command.HELP:
        return [_help(situation, t)]
    if command is not None:
        handled = COMMAND_HANDLERS[command](situation, parsed.rest, t)
        if handled is not None:
            return handled
    return free_text(situation, text, t)


def _alone_or_with_a_code(situation: Situation, parsed: ParsedText) -> bool:
    """The word alone, or with a project code (or, for NAME ME, the number of one of their
    own comments) and nothing more."""
    if not parsed.rest:
        return True
    reference = situation.reference
    if parsed.command == Command.NAME_ME and reference and reference.number is not None:
        return not reference.rest
    return situation.named is not None and not after_first_word(parsed.rest)


def _kept_instead(
    situation: Situation, parsed: ParsedText, text: str, t: Translator
) -> list[Effect]:
    """For a word in :data:`WORDS_FIRST` followed by more than it takes: the words kept where
    free text goes (a comment, an answer, a question), with a note on how to use the word.
    Empty when it takes what follows, or when the words would have nowhere to go."""
    command = parsed.command
    assert command is not None
    if not parsed.rest or not situation.sender.is_known or situation.sender.opted_out:
        return []
    if command in (Command.HELP, Command.BRIEF) and _alone_or_with_a_code(situation, parsed):
        return []
    if command == Command.LANGUAGE and (
        find_language(parsed.rest) is not None or " " not in parsed.rest
    ):
        return []  # a language, or one word that may be one we lack: "LANGUAGE Klingon"
    kept = free_text(situation, text, t)
    if all(isinstance(effect, Reply) and effect.kind in NOWHERE for effect in kept):
        return []
    return [*kept, Reply("meant-word", replies.meant_word(t, command))]


def _replying(situation: Situation) -> bool:
    pending = situation.pending
    return bool(pending and pending.state == "replying" and not pending.expired(situation.now))


def free_text(situation: Situation, text: str, t: Translator) -> list[Effect]:
    """Words with no command: an answer to a lead's question, a comment, a question, or
    words for the leads who wrote to them (or who wait for their declaration)."""
    if _replying(situation):
        assert situation.pending is not None
        return [ReplyToQuestion(int(situation.pending.data["question_id"]), text), ClearPending()]
    english = translator(SOURCE_LANGUAGE)
    if is_small_talk(text, t, english):
        return [Reply("small-talk", small_talk_reply(t))]
    asking = looks_like_question(text, t, english)
    joined = situation.joined
    open_ = [p for p in joined if p.open_window]
    if len(open_) == 1:
        # A question while comments are open is a comment and a question to the leads.
        return [comment_on(open_[0], text, also_question=asking)]
    if len(open_) > 1:
        return offer(t, "comment", open_, {"text": text})
    if asking and joined:
        if len(joined) == 1:
            return [AskLeads(joined[0].id, text)]
        return offer(t, "question", joined, {"text": text})
    recently = [p for p in joined if p.closed_window and p.closed_window.recent(situation.now)]
    if len(recently) == 1:
        return [comment_on(recently[0], text)]
    if len(recently) > 1:
        return offer(t, "comment", recently, {"text": text})
    if kept := _kept_for_leads(situation):
        return kept
    invited_open = [p for p in situation.projects if p.invited and p.open_window]
    if invited_open:
        return [Reply("join-first", replies.join_first(t, invited_open[0].code))]
    return [Reply("not-understood", replies.not_understood_text(t, situation))]


def _kept_for_leads(situation: Situation) -> list[Effect]:
    """Words that would otherwise be "not understood": passed to the leads of the project
    just joined (while we wait for a declaration, they may be about the person's health),
    or of a project whose leads wrote to them in the last days (a reply to them)."""
    pending = situation.pending
    if pending and pending.state == "declaring" and not pending.expired(situation.now):
        joined = situation.project(int(pending.data["project_id"]))
        if joined is not None and joined.joined:
            return [PassToLeads(joined.id, while_declaring=True)]
    for project_id in situation.leads_wrote:
        project = situation.project(project_id)
        if project is not None and (project.joined or project.invited):
            return [PassToLeads(project.id)]
    return []


def _choose(situation: Situation, number: int, t: Translator) -> list[Effect]:
    pending = situation.pending
    assert pending is not None
    if pending.expired(situation.now):
        return [ClearPending(), Reply("choice-expired", replies.choice_expired(t))]
    options = [int(option) for option in pending.data.get("options", [])]
    if not 1 <= number <= len(options):
        return [Reply("choice-again", replies.choice_out_of_range(t, len(options)))]
    project = situation.project(options[number - 1])
    data = pending.data
    if project is None:  # they left it, or it is gone, since the choice was offered
        return [ClearPending(), Reply("choice-expired", replies.choice_expired(t))]
    chosen: Effect
    match data.get("purpose"):
        case "comment":
            words = str(data["text"])
            asking = looks_like_question(words, t, translator(SOURCE_LANGUAGE))
            chosen = comment_on(project, words, also_question=asking)
        case "question":
            chosen = AskLeads(project.id, str(data["text"]))
        case "leave":
            chosen = Leave(project.id, data.get("reason") or None)
        case "join":
            chosen = Join(project.id)
        case "declare":
            chosen = Declare(project.id, data.get("text") or None)
        case _:
            chosen = SendBrief(project.id)
    return [ClearPending(), chosen]


def _help(situation: Situation, t: Translator) -> Reply:
    sender = situation.sender
    if not sender.is_known:
        return Reply("unknown-sender", texts.unknown_sender_text(t, sender.channel, sender.address))
    return Reply("help", replies.help_text(t, situation))


def may_still_send(kind: str, opted_out: bool, left_project: bool) -> bool:
    """Checked by the dispatcher just before sending, so an opt-out made after a message was
    queued still holds."""
    if left_project and kind not in SENT_EVEN_AFTER_LEAVING:
        return False
    return not opted_out or kind in SENT_EVEN_AFTER_STOP
