"""What each command word does, decided from the situation. Pure, like the conversation.

A handler returns the effects, or None when the words turn out not to be the command after
all ("Ask the council why..." from someone who leads nothing is just a comment).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storage.errors import InvalidInput
from storage.models import CheckState, QuestionDirection, ResponseStatus

from . import check_commands, polls, replies, responses, review_statements, sharing_texts
from .effects import (
    AddComment,
    AnswerPoll,
    AskLeads,
    Declare,
    Effect,
    Join,
    LeadAnswer,
    LeadAsk,
    LeadExtend,
    LeadPoll,
    LeadRespond,
    Leave,
    OfferChoice,
    Reply,
    ReplyToQuestion,
    RestartReview,
    SendBrief,
    SetLanguage,
    SetNamed,
    SignOffReview,
)
from .i18n import Translator, available_languages, find_language, format_when, language_name
from .keywords import Command, keyword_words
from .poll_choices import MOST_CHOICES, shape_of, split_choices
from .situation import ProjectView, Situation, after_first_word, first_word
from .times import local_clock_time, local_time

Handler = Callable[[Situation, str, Translator], list[Effect] | None]


def offer(t: Translator, purpose: str, options: list[ProjectView], data: dict) -> list[Effect]:  # type: ignore[type-arg]
    """A numbered choice of projects, waiting a day for the number."""
    return [
        OfferChoice(purpose, tuple(p.id for p in options), data),
        Reply(
            "choice",
            replies.choice_text(t, purpose, options),
            choices=tuple(str(n) for n in range(1, len(options) + 1)),
        ),
    ]


def comment_on(project: ProjectView, text: str, *, also_question: bool = False) -> AddComment:
    """A comment on the open window, or a late one on the window that closed last; a question
    sent while comments are open goes to the leads as a question too."""
    window = project.open_window or project.closed_window
    late = project.open_window is None
    return AddComment(
        project.id, window.id if window else None, text, late, also_question and not late
    )


def _named_and_rest(situation: Situation, rest: str) -> tuple[ProjectView | None, str]:
    if situation.named is not None:
        return situation.named, after_first_word(rest)
    return None, rest


def _pick(
    situation: Situation,
    t: Translator,
    rest: str,
    candidates: list[ProjectView],
    purpose: str,
    make: Callable[[ProjectView, str], Effect],
    data: Callable[[str], dict] | None = None,  # type: ignore[type-arg]
) -> list[Effect]:
    """The project the words are about: named by its code, the only one that fits, or a
    numbered choice."""
    named, text = _named_and_rest(situation, rest)
    if named is not None:
        if named.id in {p.id for p in candidates}:
            return [make(named, text)]
        if named.invited:
            return [Reply("join-first", replies.join_first(t, named.code))]
        return [Reply("not-in-project", replies.not_in_project(t, named.code))]
    if len(candidates) == 1:
        return [make(candidates[0], rest)]
    if candidates:
        return offer(t, purpose, candidates, (data or (lambda r: {"text": r}))(rest))
    invited = [p for p in situation.projects if p.invited]
    if invited:
        return [Reply("join-first", replies.join_first(t, invited[0].code))]
    return [Reply("not-in-project", replies.not_in_any_project(t))]


def join_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    named = situation.named
    if named is not None:
        if named.joined:
            return [Reply("already-joined", replies.already_joined(t, named.code))]
        if named.status is not None or named.open_to_all:  # invited, or left and coming back
            return [Join(named.id)]
        return [Reply("not-invited", replies.not_invited(t, named.code))]
    if situation.named_code and not after_first_word(rest):
        return [Reply("no-such-project", replies.no_such_project(t, situation.named_code))]
    invited = [p for p in situation.projects if p.invited]
    if len(invited) == 1:
        return [Join(invited[0].id)]
    if invited:
        return offer(t, "join", invited, {})
    return [Reply("no-invitation", replies.no_invitation(t))]


def leave_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    return _pick(
        situation,
        t,
        rest,
        situation.in_projects,
        "leave",
        lambda p, reason: Leave(p.id, reason or None),
        lambda reason: {"reason": reason},
    )


def declare_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    _, text = _named_and_rest(situation, rest)
    if not text:
        return [Reply("words-needed", replies.words_needed(t, Command.DECLARE))]
    return _declare(situation, rest, t, lambda p, words: Declare(p.id, words))


def none_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    return _declare(situation, rest, t, lambda p, _: Declare(p.id, None))


def _declare(situation, rest, t, make) -> list[Effect]:  # type: ignore[no-untyped-def]
    pending = situation.pending
    if situation.named is None and pending and pending.state == "declaring":
        project = situation.project(int(pending.data["project_id"]))
        if project is not None and project.joined and not pending.expired(situation.now):
            return [make(project, rest)]
    return _pick(situation, t, rest, situation.joined, "declare", make)


def comment_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    named, text = _named_and_rest(situation, rest)
    if not text:
        return [Reply("words-needed", replies.words_needed(t, Command.COMMENT))]
    if named is None:
        open_ = [p for p in situation.joined if p.open_window]
        if open_:
            return _pick(situation, t, rest, open_, "comment", comment_on)
    return _pick(situation, t, rest, situation.joined, "comment", comment_on)


def question_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    _, text = _named_and_rest(situation, rest)
    if not text:
        return [Reply("words-needed", replies.words_needed(t, Command.QUESTION))]
    return _pick(
        situation, t, rest, situation.joined, "question", lambda p, words: AskLeads(p.id, words)
    )


def brief_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    return _pick(situation, t, rest, situation.in_projects, "brief", lambda p, _: SendBrief(p.id))


def name_me_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    one = check_commands.name_me_command(situation, rest, t)
    if one is not None:
        return one
    return [SetNamed(True), Reply("named", replies.named_from_now(t, True))]


def anonymous_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    return [SetNamed(False), Reply("named", replies.named_from_now(t, False))]


def language_command(situation: Situation, rest: str, t: Translator) -> list[Effect]:
    names = ", ".join(language_name(code) for code in available_languages())
    if not rest:
        return [Reply("language", replies.language_how(t, names))]
    code = find_language(rest)
    if code is None:
        return [Reply("language", replies.language_unknown(t, rest, names))]
    # The confirmation is written in the new language (the runner renders it after the change).
    return [SetLanguage(code)]


def _lead_project(
    situation: Situation, rest: str, t: Translator
) -> ProjectView | list[Effect] | None:
    """The project a lead word names, a refusal, or None when the words are not a lead command."""
    named = situation.named
    if named is None:
        if situation.named_code and _leads_something(situation):
            return [Reply("no-such-project", replies.no_such_project(t, situation.named_code))]
        return None
    if not named.is_lead:
        return [Reply("refused", replies.leads_only(t, named.code))]
    return named


def _leads_something(situation: Situation) -> bool:
    return any(p.is_lead for p in situation.projects)


def ask_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    if not rest and _leads_something(situation):  # a bare word from a lead is not a comment
        return [Reply("words-needed", replies.words_needed(t, Command.ASK))]
    found = _lead_project(situation, rest, t)
    if not isinstance(found, ProjectView):
        return found
    text = after_first_word(rest)
    if not text:
        return [Reply("words-needed", replies.words_needed(t, Command.ASK))]
    return [LeadAsk(found.id, text)]


def answer_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    if not rest and _leads_something(situation):
        return [Reply("words-needed", replies.words_needed(t, Command.ANSWER))]
    number = first_word(rest).lstrip("#")
    if not number.isdigit():
        return None
    question = situation.question
    if question is None:
        return [Reply("no-such-question", replies.no_such_question(t, number))]
    project = situation.project(question.project_id)
    code = question.project_code
    text = after_first_word(rest)
    if question.direction == QuestionDirection.TO_LEADS:
        if project is None or not project.is_lead:
            return [Reply("refused", replies.leads_only(t, code))]
        if not text:
            return [Reply("words-needed", replies.words_needed(t, Command.ANSWER))]
        if question.check_state == CheckState.WAITING:
            return [Reply("refused", sharing_texts.check_before_answer(t, question.id))]
        return [LeadAnswer(question.id, text)]
    if project is None or not project.joined:
        return [Reply("not-in-project", replies.not_in_project(t, code))]
    if not text:
        return [Reply("words-needed", replies.words_needed(t, Command.ANSWER))]
    return [ReplyToQuestion(question.id, text)]


def poll_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    """POLL 4 2: a member's answer to poll 4. POLL CODE question / A / B: a lead's poll."""
    number = first_word(rest).lstrip("#")
    if number.isdigit():
        words = after_first_word(rest)
        if not words:
            return [Reply("words-needed", replies.words_needed(t, Command.POLL))]
        if len(number) > 9:
            return [Reply("no-such-poll", polls.no_such_poll(t, number))]
        return [AnswerPoll(int(number), words=words)]
    if not rest:
        return [Reply("words-needed", replies.words_needed(t, Command.POLL))]
    found = _lead_project(situation, rest, t)
    if not isinstance(found, ProjectView):
        return found
    parts = split_choices(after_first_word(rest))
    question, choices = parts[0], parts[1:]
    try:
        shape_of(choices=choices)
    except InvalidInput:
        return [Reply("refused", poll_how(t, found.code))]
    if not question:
        return [Reply("refused", poll_how(t, found.code))]
    return [LeadPoll(found.id, question, tuple(choices))]


def poll_how(t: Translator, code: str) -> str:
    return t.gettext(
        "To send a poll, write {word} {code}, your question, then each choice after a /. "
        "For example: {word} {code} Which day suits you? / Monday / Tuesday. "
        "Give from 2 to {most} short choices."
    ).format(word=keyword_words(t)[Command.POLL], code=code, most=MOST_CHOICES)


def review_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    """REVIEW CODE: the project's review again from the start. REVIEW OK CODE (and words):
    the review panel's sign-off."""
    if not rest:
        return [Reply("words-needed", replies.words_needed(t, Command.REVIEW))]
    if review_statements.is_ok(first_word(rest), t):
        code, words = first_word(after_first_word(rest)), after_first_word(after_first_word(rest))
        if not code:
            return [Reply("words-needed", replies.words_needed(t, Command.REVIEW))]
        return [SignOffReview(code.upper(), words or None)]
    named = situation.named
    if named is None:
        if situation.named_code and not after_first_word(rest):
            return [Reply("no-such-project", replies.no_such_project(t, situation.named_code))]
        return None  # "Review the minutes first" is their own words
    return [RestartReview(named.id)]


def extend_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    if not rest and _leads_something(situation):
        code = next(p.code for p in situation.projects if p.is_lead)
        return [Reply("refused", replies.extend_how(t, code))]
    found = _lead_project(situation, rest, t)
    if not isinstance(found, ProjectView):
        return found
    words = after_first_word(rest).split(" ")
    window = found.open_window
    if window is None:
        return [Reply("refused", replies.extend_not_open(t, found.code))]
    has_time = len(words) > 1 and ":" in words[1]
    when_text = " ".join(words[:2] if has_time else words[:1])
    reason = " ".join(words[2:] if has_time else words[1:]).strip()
    try:
        until: datetime = local_time(
            when_text, found.time_zone, local_clock_time(window.closes_at, found.time_zone)
        )
    except InvalidInput:
        return [Reply("refused", replies.extend_how(t, found.code))]
    if not reason:
        return [Reply("refused", replies.extend_needs_reason(t))]
    if until <= window.closes_at:
        current = format_when(window.closes_at, situation.sender.language, found.time_zone)
        return [Reply("refused", replies.extend_too_early(t, current))]
    return [LeadExtend(found.id, until, reason)]


def respond_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    number = first_word(rest).lstrip("#")
    status, reason = responses.read_status(after_first_word(rest))
    if not _leads_something(situation) and (not number.isdigit() or status is None):
        return None  # "Respond to the letter..." from a member is their own words
    if not number.isdigit():
        return [Reply("respond-how", responses.respond_how(t))]
    comment = situation.comment
    if comment is None:
        return [Reply("no-such-comment", responses.no_such_comment(t, number))]
    project = situation.project(comment.project_id)
    if project is None or not project.is_lead:
        return [Reply("refused", replies.leads_only(t, comment.project_code))]
    if status is None:
        return [Reply("respond-how", responses.respond_how(t))]
    if not reason and status != ResponseStatus.UNDER_REVIEW:
        return [Reply("respond-how", responses.reason_needed(t))]
    return [LeadRespond(comment.id, status, reason or None)]


COMMAND_HANDLERS: dict[Command, Handler] = {
    Command.JOIN: join_command,
    Command.LEAVE: leave_command,
    Command.DECLARE: declare_command,
    Command.NONE: none_command,
    Command.COMMENT: comment_command,
    Command.QUESTION: question_command,
    Command.BRIEF: brief_command,
    Command.NAME_ME: name_me_command,
    Command.ANONYMOUS: anonymous_command,
    Command.LANGUAGE: language_command,
    Command.ASK: ask_command,
    Command.ANSWER: answer_command,
    Command.EXTEND: extend_command,
    Command.POLL: poll_command,
    Command.REVIEW: review_command,
    Command.RESPOND: respond_command,
    Command.APPROVE: check_commands.approve_command,
    Command.HIDE: check_commands.hide_command,
    Command.WITHDRAW: check_commands.withdraw_command,
}
