"""SMS text rendering: lookalike punctuation cleaned, letters kept, segments counted."""

from __future__ import annotations

import pytest

from channels.base import ChannelName
from channels.gsm import count_segments, is_gsm7, sanitise
from flows.outbound import Message, bodies_for


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("It\u2019s your turn", "It's your turn"),
        ("\u201cPlain words\u201d", '"Plain words"'),
        ("9am \u2013 5pm", "9am - 5pm"),
        ("Wait\u2026", "Wait..."),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("no\u00a0break", "no break"),
        ("Tab\there", "Tab here"),
        ("Line one\r\nLine two", "Line one\nLine two"),
        ("Bore da, sut wyt ti? \u0175\u0177\u00e2", "Bore da, sut wyt ti? \u0175\u0177\u00e2"),
        ("Dzie\u0144 dobry", "Dzie\u0144 dobry"),
        ("\u0645\u06cc\u200c\u06c1\u06cc\u06ba", "\u0645\u06cc\u200c\u06c1\u06cc\u06ba"),
    ],
    ids=[
        "curly-apostrophe",
        "curly-quotes",
        "en-dash",
        "ellipsis",
        "zero-width",
        "no-break-space",
        "tab",
        "crlf",
        "welsh-letters-kept",
        "polish-letters-kept",
        "urdu-zero-width-non-joiner-kept",
    ],
)
def test_sanitise_replaces_lookalikes_and_keeps_letters(raw: str, clean: str) -> None:
    assert sanitise(raw) == clean


def test_an_english_text_with_word_processor_punctuation_stays_gsm7() -> None:
    text = "Your meeting is on Tuesday \u2013 we\u2019ll send \u201cthe brief\u201d\u2026"
    assert not is_gsm7(text)
    assert is_gsm7(sanitise(text))


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("\u20ac" * 80, "GSM-7", 160, 1),
        ("\u20ac" * 81, "GSM-7", 162, 2),
        ("[]{}", "GSM-7", 8, 1),
        ("\u0175" * 70, "UCS-2", 70, 1),
        ("\u0175" * 71, "UCS-2", 71, 2),
        ("\u0175" * 134, "UCS-2", 134, 2),
        ("\u0175" * 135, "UCS-2", 135, 3),
        ("\U0001f600", "UCS-2", 2, 1),
    ],
    ids=[
        "empty",
        "160-gsm-one-segment",
        "161-gsm-two-segments",
        "306-gsm-two-segments",
        "307-gsm-three-segments",
        "euro-counts-double",
        "euro-over-the-edge",
        "brackets-extension-table",
        "70-ucs2-one-segment",
        "71-ucs2-two-segments",
        "134-ucs2-two-segments",
        "135-ucs2-three-segments",
        "emoji-is-two-utf16-units",
    ],
)
def test_segments_are_counted_as_the_network_counts_them(
    text: str, encoding: str, units: int, segments: int
) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    "line",
    ["Komentarz: wizyty są za krótkie i często się spóźniają.", "Comment: visits are too short."],
    ids=["polish, UCS-2", "english, GSM-7"],
)
def test_a_long_sms_goes_in_parts_of_at_most_ten_segments_in_either_encoding(line: str) -> None:
    body = "\n".join(f"{n}. {line}" for n in range(1, 60))
    parts = bodies_for(ChannelName.SMS, Message(body))
    assert len(parts) > 1
    assert all(count_segments(sanitise(part)).segments <= 10 for part in parts)
    assert "\n".join(parts) == body
