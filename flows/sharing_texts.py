"""The words of checking before sharing: what the leads are told of a held item, what its
author is told of a lead's decision, and the confirmations and refusals of the lead words.

Each sentence is whole for each kind of item (comment, question, answer to the leads'
question), so translators never have to join fragments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storage.checks import ItemKind
from storage.models import LeadKind

from .i18n import Translator
from .keywords import Command, keyword_words
from .outbound import Message, Reader
from .sharing_flags import Flag
from .sharing_outcome import Checked, Outcome


def reference(t: Translator, kind: ItemKind, number: int) -> str:
    """What a lead or author types to name the item after a word: "12" for a comment,
    "QUESTION 3", "ANSWER 5" (in the reader's language; English always works too)."""
    words = keyword_words(t)
    if kind == ItemKind.QUESTION:
        return f"{words[Command.QUESTION]} {number}"
    if kind == ItemKind.REPLY:
        return f"{words[Command.ANSWER]} {number}"
    return str(number)


def flag_words(t: Translator, flags: tuple[str, ...]) -> str:
    names = {
        Flag.CONTACT: t.gettext("a phone number or email address"),
        Flag.ADDRESS: t.gettext("an address"),
        Flag.NAME: t.gettext("someone's name"),
        Flag.SAFEGUARDING: t.gettext("words about harm, abuse or neglect"),
    }
    return "; ".join(names[Flag(flag)] for flag in flags if flag in names)


def held_heading(
    t: Translator, kind: ItemKind, number: int, code: str, author: str | None, waiting: bool
) -> str:
    if kind == ItemKind.QUESTION and not waiting:
        if author:
            return t.gettext("Question {number} for {code}, from {name}:").format(
                number=number, code=code, name=author
            )
        return t.gettext("Question {number} for {code}, from a member:").format(
            number=number, code=code
        )
    if kind == ItemKind.QUESTION:
        if author:
            return t.gettext(
                "Question {number} for {code}, from {name}, is waiting for your check:"
            ).format(number=number, code=code, name=author)
        return t.gettext(
            "Question {number} for {code}, from a member, is waiting for your check:"
        ).format(number=number, code=code)
    if kind == ItemKind.REPLY:
        if author:
            return t.gettext(
                "Answer {number} to your question in {code}, from {name}, is waiting for your "
                "check:"
            ).format(number=number, code=code, name=author)
        return t.gettext(
            "Answer {number} to your question in {code}, from a member, is waiting for your check:"
        ).format(number=number, code=code)
    if author:
        return t.gettext(
            "Comment {number} on {code}, from {name}, is waiting for your check:"
        ).format(number=number, code=code, name=author)
    return t.gettext(
        "Comment {number} on {code}, from a member, is waiting for your check:"
    ).format(number=number, code=code)


def held_notice(
    reader: Reader,
    *,
    kind: ItemKind,
    number: int,
    code: str,
    text: str,
    flags: tuple[str, ...],
    author: str | None,
    lead_kind: LeadKind,
    waiting: bool,
) -> Message:
    """What a lead is told of something sent to the project that is not shared yet (or, for
    a question, that arrived at all: it always needs an answer)."""
    t = reader.t
    words = keyword_words(t)
    ref = reference(t, kind, number)
    safeguarding = Flag.SAFEGUARDING.value in flags
    parts = []
    if safeguarding and lead_kind == LeadKind.STAFF:
        parts.append(
            t.gettext("{code}: {what} {number} may need a safeguarding response.").format(
                code=code, what=_what(t, kind), number=number
            )
        )
    parts.append(held_heading(t, kind, number, code, author, waiting))
    if safeguarding and reader.sms:
        parts.append(t.gettext("We do not send its words by text."))
    else:
        parts.append(text)
    said_why = safeguarding and lead_kind == LeadKind.STAFF and reader.sms
    if flags and not said_why:  # by text, the first line said why: it stays short
        parts.append(t.gettext("The checks found {what}.").format(what=flag_words(t, flags)))
    if kind == ItemKind.QUESTION:
        parts.append(
            t.gettext("To answer, reply {answer} {number} and your answer.").format(
                answer=words[Command.ANSWER], number=number
            )
        )
    if waiting:
        parts.append(
            t.gettext(
                "To share it, reply {approve} {ref}. To keep it from the group, reply {hide} "
                "{ref} and your reason."
            ).format(approve=words[Command.APPROVE], hide=words[Command.HIDE], ref=ref)
        )
    if waiting:
        subject = t.gettext("{code}: {what} {number} to check").format(
            code=code, what=_what(t, kind), number=number
        )
    else:  # a question shared at once: it still needs an answer
        subject = t.gettext("{code}: question {number}").format(code=code, number=number)
    return Message("\n".join(parts), subject=subject)


def _what(t: Translator, kind: ItemKind) -> str:
    # TRANSLATORS: the name of a thing someone sent, before its number ("Comment 12").
    return {
        ItemKind.COMMENT: t.pgettext("item", "Comment"),
        ItemKind.QUESTION: t.pgettext("item", "Question"),
        ItemKind.REPLY: t.pgettext("item", "Answer"),
    }[kind]


def redacted_for_author(
    reader: Reader, kind: ItemKind, number: int, code: str, text: str
) -> Message:
    t = reader.t
    first = {
        ItemKind.COMMENT: t.gettext(
            "The leads of {code} will share your comment {number} with some words changed."
        ),
        ItemKind.QUESTION: t.gettext(
            "The leads of {code} will share your question {number} with some words changed."
        ),
        ItemKind.REPLY: t.gettext(
            "The leads of {code} will share your answer {number} with some words changed."
        ),
    }[kind].format(code=code, number=number)
    body = "\n".join(
        [
            first,
            t.gettext("This is what the group will read:"),
            text,
            t.gettext("If you do not want it shared, reply {withdraw} {ref}.").format(
                withdraw=keyword_words(t)[Command.WITHDRAW], ref=reference(t, kind, number)
            ),
        ]
    )
    subject = t.gettext("{code}: what we will share").format(code=code)
    return Message(body, subject=subject)


def hidden_for_author(
    reader: Reader, kind: ItemKind, number: int, code: str, reason: str
) -> Message:
    t = reader.t
    first = {
        ItemKind.COMMENT: t.gettext("The leads of {code} have read your comment {number}."),
        ItemKind.QUESTION: t.gettext("The leads of {code} have read your question {number}."),
        ItemKind.REPLY: t.gettext("The leads of {code} have read your answer {number}."),
    }[kind].format(code=code, number=number)
    parts = [
        first,
        t.gettext("They have decided not to share it with the group."),
        t.gettext("Their reason: {reason}").format(reason=reason),
        t.gettext("They still have it, and they will still reply to you."),
    ]
    subject = t.gettext("{code}: about what you sent").format(code=code)
    return Message(reader.paragraphs(parts), subject=subject)


def withdrawn_for_author(t: Translator, went_out: str | None) -> str:
    if went_out:
        return t.gettext(
            "We will not share it again. It already went to the group on {when}, and we "
            "cannot take that back."
        ).format(when=went_out)
    return t.gettext("Thank you. We will not share it with the group.")


def not_yours(t: Translator) -> str:
    return t.gettext("We cannot find that. You can only withdraw what you sent yourself.")


def check_how(t: Translator) -> str:
    words = keyword_words(t)
    return t.gettext(
        "To share a comment, write {approve} and its number. To keep it from the group, "
        "write {hide}, its number and your reason. For a question, put {question} before "
        "the number: {approve} {question} 3."
    ).format(
        approve=words[Command.APPROVE], hide=words[Command.HIDE], question=words[Command.QUESTION]
    )


def check_before_answer(t: Translator, number: int) -> str:
    words = keyword_words(t)
    return t.gettext(
        "Question {number} is not shared yet, and an answer would share it. To share it "
        "first, reply {approve} {question} {number}. To answer only the person who asked, "
        "reply {hide} {question} {number} and your reason."
    ).format(
        number=number,
        approve=words[Command.APPROVE],
        hide=words[Command.HIDE],
        question=words[Command.QUESTION],
    )


def hide_needs_reason(t: Translator) -> str:
    return t.gettext(
        "Please say why it is not shared. The person who wrote it will see your reason."
    )


def withdraw_how(t: Translator) -> str:
    return t.gettext(
        "Please write {withdraw} and the number of your comment, for example {withdraw} 12."
    ).format(withdraw=keyword_words(t)[Command.WITHDRAW])


def no_such_item(t: Translator, kind: ItemKind, typed: str) -> str:
    return {
        ItemKind.COMMENT: t.gettext("We cannot find comment {number}."),
        ItemKind.QUESTION: t.gettext("We cannot find question {number}."),
        ItemKind.REPLY: t.gettext("We cannot find answer {number}."),
    }[kind].format(number=typed)


def lead_confirmation(
    t: Translator, checked: Checked, when: Callable[[datetime], str], *, code: str
) -> str:
    """What a lead is told after APPROVE or HIDE over a channel."""
    what, number = _what(t, checked.kind), checked.number
    match checked.outcome:
        case Outcome.APPROVED:
            text = t.gettext("Thank you. {what} {number} on {code} will be shared with the group.")
        case Outcome.HIDDEN:
            text = t.gettext("Thank you. {what} {number} on {code} will not be shared.")
            if checked.author_told:
                text += " " + t.gettext("We have told the person who wrote it.")
        case Outcome.ALREADY_SHARED:
            text = t.gettext("{what} {number} was already shared on {when}. Nothing has changed.")
        case Outcome.ALREADY_HIDDEN:
            text = t.gettext(
                "{what} {number} was already kept from the group on {when}. Nothing has changed."
            )
        case _:
            text = t.gettext(
                "The person who wrote {what} {number} took it back on {when}. Nothing has changed."
            )
    text = text.format(
        what=what,
        number=number,
        code=code,
        when=when(checked.earlier) if checked.earlier else "",
    )
    if checked.went_out and checked.outcome == Outcome.HIDDEN:
        text += " " + t.gettext(
            "It already went to the group on {when}. What was sent cannot be called back."
        ).format(when=when(checked.went_out))
    return text


def withdraw_reply(t: Translator, checked: Checked, when: Callable[[datetime], str]) -> str:
    """What the author is told after WITHDRAW."""
    if checked.outcome == Outcome.ALREADY_HIDDEN:
        return t.gettext("The leads did not share it. Nothing has changed.")
    if checked.outcome == Outcome.ALREADY_WITHDRAWN:
        return t.gettext("You have already taken it back. Nothing has changed.")
    return withdrawn_for_author(t, when(checked.went_out) if checked.went_out else None)


def named_one(t: Translator, kind: ItemKind, number: int) -> str:
    if kind == ItemKind.QUESTION:
        return t.gettext("Thank you. Your name will go with your question {number}.").format(
            number=number
        )
    return t.gettext("Thank you. Your name will go with your comment {number}.").format(
        number=number
    )
