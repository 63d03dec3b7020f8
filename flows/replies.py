"""The words of the conversation's own answers: help for where the person is, numbered
choices, and polite refusals. One idea per message; every choice something to type."""

from __future__ import annotations

from channels.base import ChannelName

from .i18n import Translator, format_when
from .keywords import Command, keyword_words
from .situation import ProjectView, Situation


def help_text(t: Translator, situation: Situation) -> str:
    """What they can do now. On SMS: at most three short lines."""
    words = keyword_words(t)
    sms = situation.sender.channel == ChannelName.SMS
    joined = situation.joined
    invited = [p for p in situation.projects if p.invited]
    open_ = [p for p in joined if p.open_window]
    if open_:
        project = open_[0]
        assert project.open_window is not None
        now_line = t.gettext("Reply with your comment on {code} by {when}.").format(
            code=project.code,
            when=format_when(
                project.open_window.closes_at, situation.sender.language, project.time_zone
            ),
        )
    elif invited:
        now_line = t.gettext("Reply {join} {code} to take part in {code}.").format(
            join=words[Command.JOIN], code=invited[0].code
        )
    elif joined:
        now_line = t.gettext("Reply {question} and your question for the leads.").format(
            question=words[Command.QUESTION]
        )
    else:
        now_line = t.gettext("You are not in a project now. A project lead can add you.")
    if sms:
        lines = [now_line]
        if joined:
            lines.append(
                t.gettext("Reply {brief} for the brief, {leave} to leave.").format(
                    brief=words[Command.BRIEF], leave=words[Command.LEAVE]
                )
            )
        lines.append(t.gettext("Reply {stop} to stop all texts.").format(stop=words[Command.STOP]))
        return "\n".join(lines)
    # Help is only for people we know, and everyone we know has a name.
    greeting = t.gettext("Hello {name}.").format(name=situation.sender.name)
    lines = [
        t.gettext("{comment} and your words: a comment.").format(comment=words[Command.COMMENT]),
        t.gettext("{question} and your words: a question for the leads.").format(
            question=words[Command.QUESTION]
        ),
        t.gettext("{brief}: the brief.").format(brief=words[Command.BRIEF]),
        t.gettext("{declare} and your words, or {none}: tell us if you have an interest.").format(
            declare=words[Command.DECLARE], none=words[Command.NONE]
        ),
        t.gettext("{name_me} or {anonymous}: share your name with your comments, or not.").format(
            name_me=words[Command.NAME_ME], anonymous=words[Command.ANONYMOUS]
        ),
        t.gettext("{leave} and the project code: leave a project.").format(
            leave=words[Command.LEAVE]
        ),
        t.gettext("{stop}: no more messages here. {start}: messages again.").format(
            stop=words[Command.STOP], start=words[Command.START]
        ),
    ]
    codes = ", ".join(p.code for p in situation.in_projects)
    parts = [greeting, now_line]
    if codes:
        parts.append(t.gettext("Your projects: {codes}.").format(codes=codes))
    parts.append(t.gettext("You can send:") + "\n" + "\n".join(lines))
    return "\n\n".join(parts)


def not_understood_text(t: Translator, situation: Situation) -> str:
    separator = "\n" if situation.sender.channel == ChannelName.SMS else "\n\n"
    return t.gettext("Sorry, we did not understand that.") + separator + help_text(t, situation)


def choice_text(t: Translator, purpose: str, options: list[ProjectView]) -> str:
    questions = {
        "comment": t.gettext("Which project is your comment for?"),
        "question": t.gettext("Which project is your question for?"),
        "leave": t.gettext("Which project do you want to leave?"),
        "join": t.gettext("Which project do you want to join?"),
        "declare": t.gettext("Which project is this declaration for?"),
        "brief": t.gettext("Which project's brief do you want?"),
    }
    lines = [questions[purpose]]
    lines += [f"{number} {p.code}: {p.title}" for number, p in enumerate(options, start=1)]
    lines.append(t.gettext("Reply with the number. This choice lasts one day."))
    return "\n".join(lines)


def choice_out_of_range(t: Translator, count: int) -> str:
    return t.gettext("Please reply with a number from 1 to {count}.").format(count=count)


def choice_expired(t: Translator) -> str:
    return t.gettext(
        "Sorry, that choice has ended. Choices last one day. Please send your message again."
    )


def no_choice_waiting(t: Translator, situation: Situation) -> str:
    sms = situation.sender.channel == ChannelName.SMS
    return (
        t.gettext("We were not waiting for a number from you.")
        + ("\n" if sms else "\n\n")
        + help_text(t, situation)
    )


def not_in_any_project(t: Translator) -> str:
    return t.gettext("You are not in a project now. A project lead can add you.")


def not_in_project(t: Translator, code: str) -> str:
    return t.gettext("You are not in {code}.").format(code=code)


def join_first(t: Translator, code: str) -> str:
    return t.gettext("To take part in {code}, first reply {join} {code}.").format(
        code=code, join=keyword_words(t)[Command.JOIN]
    )


def no_such_project(t: Translator, code: str) -> str:
    return t.gettext("We cannot find a project called {code}. Please check the code.").format(
        code=code
    )


def already_joined(t: Translator, code: str) -> str:
    return t.gettext("You are already in {code}.").format(code=code)


def not_invited(t: Translator, code: str) -> str:
    return t.gettext("You have not been invited to {code}. Ask its lead to add you.").format(
        code=code
    )


def no_invitation(t: Translator) -> str:
    return t.gettext("You have no invitation waiting. A project lead can add you.")


def words_needed(t: Translator, command: Command) -> str:
    word = keyword_words(t)[command]
    texts = {
        Command.COMMENT: t.gettext("Please write your comment after the word {word}."),
        Command.QUESTION: t.gettext("Please write your question after the word {word}."),
        Command.DECLARE: t.gettext(
            "Please tell us about your interest after the word {word}. If you have none, "
            "reply {none}."
        ),
        Command.ASK: t.gettext("Please write {word}, the project code and your question."),
        Command.ANSWER: t.gettext("Please write {word}, the question number and your answer."),
        Command.POLL: t.gettext("Please write {word}, the poll number and your choice."),
        Command.REVIEW: t.gettext("Please write {word} and the project code."),
    }
    return texts[command].format(word=word, none=keyword_words(t)[Command.NONE])


def meant_word(t: Translator, command: Command) -> str:
    """After words that began with a command word and were kept as free text instead."""
    word = keyword_words(t)[command]
    return t.gettext("If you meant {word}, reply {word} on its own.").format(word=word)


def named_from_now(t: Translator, named: bool) -> str:
    if named:
        return " ".join(
            [
                t.gettext("From now on, we will share your comments with your name."),
                t.gettext(
                    "What you sent before stays without it. To add your name to one of them, "
                    "reply {name_me} and its number."
                ).format(name_me=keyword_words(t)[Command.NAME_ME]),
            ]
        )
    return t.gettext("From now on, we will share your comments without your name.")


def leads_only(t: Translator, code: str) -> str:
    return t.gettext("Only the leads of {code} can do that. Nothing has changed.").format(code=code)


def no_such_question(t: Translator, number: str) -> str:
    return t.gettext("We cannot find question {number}.").format(number=number)


def extend_how(t: Translator, code: str) -> str:
    return t.gettext(
        "Please write {extend} {code}, the new date like 2026-12-20, and the reason."
    ).format(extend=keyword_words(t)[Command.EXTEND], code=code)


def extend_needs_reason(t: Translator) -> str:
    return t.gettext("Please give a reason for the extension. Everyone will see it.")


def extend_not_open(t: Translator, code: str) -> str:
    return t.gettext("Comments on {code} are not open, so there is nothing to extend.").format(
        code=code
    )


def extend_too_early(t: Translator, when: str) -> str:
    return t.gettext("The new date must be after the current close, {when}.").format(when=when)


def language_set(t: Translator, name: str) -> str:
    return t.gettext("We will write to you in {language} from now on.").format(language=name)


def language_unknown(t: Translator, asked: str, names: str) -> str:
    return t.gettext("Sorry, we cannot write in {asked} yet. We can write in: {names}.").format(
        asked=asked, names=names
    )


def language_how(t: Translator, names: str) -> str:
    return t.gettext(
        "To change language, send {word} and the language, for example {word} English. "
        "We can write in: {names}."
    ).format(word=keyword_words(t)[Command.LANGUAGE], names=names)


def passed_to_leads(t: Translator) -> str:
    """After words kept for the leads: a reply to their message, or a note after joining."""
    return t.gettext("Thank you. We have passed your message to the leads.")


def passed_while_declaring(t: Translator) -> str:
    """After words sent while we wait for a declaration of interest: how to make one."""
    words = keyword_words(t)
    return " ".join(
        [
            passed_to_leads(t),
            t.gettext(
                "If it is an interest to declare, send {declare} and your words. "
                "If you have none, send {none}."
            ).format(declare=words[Command.DECLARE], none=words[Command.NONE]),
        ]
    )
