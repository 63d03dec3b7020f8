"""The labelled replies (tests/fixtures/replies): every client's reply is read exactly."""

from __future__ import annotations

import email
import email.policy

import pytest

from bench.replies import LabelledReply, labelled_replies, normalised
from channels.email_reply import html_to_text, read_reply, read_text

REPLIES = labelled_replies()
# The set is a floor for the reader, not a target it was tuned to reach on a few cases.
FLOOR = 0.95


def _message(reply: LabelledReply) -> email.message.EmailMessage:
    return email.message_from_bytes(reply.source, policy=email.policy.default)  # type: ignore[return-value]


def test_the_set_covers_every_client_and_language_the_issue_names() -> None:
    assert len(REPLIES) >= 160
    clients = {reply.client for reply in REPLIES}
    assert {"gmail", "outlook", "apple", "ios", "thunderbird", "yahoo", "zoho", "android",
            "yandex", "mailru", "protonmail", "windows_mail", "webmail"} <= clients  # fmt: skip
    languages = {reply.language for reply in REPLIES}
    assert {
        "en",
        "cy",
        "pl",
        "ur",
        "fr",
        "de",
        "nl",
        "it",
        "es",
        "pt",
        "sv",
        "ru",
        "ro",
    } <= languages


@pytest.mark.parametrize("reply", REPLIES, ids=[reply.name for reply in REPLIES])
def test_reply_from_the_labelled_set_is_read_exactly(reply: LabelledReply) -> None:
    assert read_reply(_message(reply)).text == reply.expected


_ALTERNATIVES = [reply for reply in REPLIES if _message(reply).get_content_type() != "text/html"]


@pytest.mark.parametrize(
    "reply",
    [r for r in _ALTERNATIVES if _message(r).get_body(preferencelist=("html",)) is not None],
    ids=lambda reply: reply.name,
)
def test_html_alternative_of_a_labelled_reply_gives_the_same_text(reply: LabelledReply) -> None:
    html_part = _message(reply).get_body(preferencelist=("html",))
    assert html_part is not None
    text = read_text(html_to_text(html_part.get_content(), quote_marks=True)).text
    assert normalised(text) == normalised(reply.expected)


def test_at_least_95_percent_of_the_set_is_read_exactly() -> None:
    right = sum(
        normalised(read_reply(_message(reply)).text) == normalised(reply.expected)
        for reply in REPLIES
    )
    assert right / len(REPLIES) >= FLOOR


def test_no_labelled_reply_keeps_a_quoted_line_or_our_own_words() -> None:
    ours = ("Comments on CARE1", "Reply with a number", "Coproduce", "CARE1 ar agor", "CARE1 پر")
    for reply in REPLIES:
        text = read_reply(_message(reply)).text
        assert not any(line.lstrip().startswith(">") for line in text.split("\n")), reply.name
        assert not any(words in text for words in ours), reply.name
