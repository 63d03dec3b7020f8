"""Every message, measured: plain English by Flesch reading ease and sentence length, and SMS
length in segments in every language. The messages come from a tour of the whole service
(tests/message_tour.py) rendered by the real flows, so the measures are of what people get.

The tables print on every run, so the numbers are in the CI log, not only on failure.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from channels.base import ChannelName
from channels.email_html import render_html
from channels.gsm import count_segments, sanitise
from flows.i18n import available_languages
from tests.axe_kit import axe_violations, describe, require_axe
from tests.bot_fixture import memory_bot
from tests.helpers import START, ManualClock
from tests.message_tour import BRIEF, Sample, tour, uncovered
from tests.readability import measure

# Goals from GOV.UK's style: it writes for a reading age of nine, and its hard limit for a
# sentence is 25 words; ours is stricter.
LEAST_READING_EASE = 60
MOST_WORDS_IN_A_SENTENCE = 20
ENGLISH_SMS_SEGMENTS = 2

PUBLIC = "https://coproduce.example.org"

_tours: dict[tuple[ChannelName, str], list[Sample]] = {}


async def samples(channel: ChannelName, language: str, folder: Path) -> list[Sample]:
    """The tour on one channel in one language, on a fresh SQLite file; run once per session."""
    key = (channel, language)
    if key not in _tours:
        url = f"sqlite+aiosqlite:///{folder / f'tour-{channel}-{language}.db'}"
        # The tour's people write many times a minute of its clock; none of it is a flood.
        # With a public URL, so emails carry the unsubscribe link in their footer.
        async with memory_bot(url, ManualClock(START), sender_rate=0, public_url=PUBLIC) as bot:
            _tours[key] = await tour(bot, channel, language)
    return _tours[key]


# WhatsApp carries the words Telegram does (plain text, no segments); its one message of its
# own is the template WhatsApp approved, whose words are not ours (tests/test_whatsapp.py).
TOURED = (ChannelName.EMAIL, ChannelName.SMS, ChannelName.TELEGRAM)


async def english(folder: Path) -> list[Sample]:
    return [sample for channel in TOURED for sample in await samples(channel, "en", folder)]


def unique_texts(found: list[Sample]) -> list[tuple[Sample, str]]:
    """Each distinct body and subject once, with the first sample that carried it."""
    seen: set[str] = set()
    texts = []
    for sample in found:
        for text in (sample.subject, sample.body):
            if text and text not in seen:
                seen.add(text)
                texts.append((sample, text))
    return texts


def carries_a_document(text: str) -> bool:
    """The whole brief, or a list of people's comments: as long as what people wrote."""
    numbered_lines = re.findall(r"^\d+\. ", text, flags=re.MULTILINE)
    return BRIEF.split("\n\n")[1].split("\n")[0] in text or len(numbered_lines) >= 2


@pytest.fixture
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()


async def test_the_tour_shows_every_message_in_the_catalog(folder: Path) -> None:
    assert uncovered(await english(folder)) == []


async def test_every_english_message_reads_plainly(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, hard = [], []
    for sample, text in unique_texts(await english(folder)):
        reading = measure(text)
        rows.append((reading, sample, text))
        if reading.flesch < LEAST_READING_EASE or (
            reading.longest_sentence > MOST_WORDS_IN_A_SENTENCE
        ):
            hard.append(f"{reading.flesch} / {reading.longest_sentence} words: {text!r}")
    with capsys.disabled():
        print(f"\nReading ease of {len(rows)} English texts (Flesch; longest sentence in words)")
        for reading, sample, text in sorted(rows, key=lambda row: row[0].flesch):
            first_line = " ".join(text.split())[:70]
            print(
                f"{reading.flesch:6.1f} {reading.longest_sentence:3d}  "
                f"{sample.channel:<8} {sample.step[:32]:<32} {first_line}"
            )
    assert hard == []


@pytest.mark.parametrize("language", available_languages())
async def test_sms_lengths_are_reported_and_english_stays_within_two_segments(
    language: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [
        (sample, sanitise(sample.body))
        for sample in await samples(ChannelName.SMS, language, folder)
        if sample.channel == ChannelName.SMS
    ]
    seen: set[str] = set()
    rows = []
    for sample, body in texts:
        if body in seen:
            continue
        seen.add(body)
        rows.append((count_segments(body), sample, body))
    with capsys.disabled():
        print(f"\nSMS in {language}: {len(rows)} different texts (segments, encoding, units)")
        for count, sample, body in sorted(rows, key=lambda row: -row[0].segments):
            print(
                f"{count.segments:3d} {count.encoding:<5} {count.units:5d}  "
                f"{sample.step[:36]:<36} {' '.join(body.split())[:60]}"
            )
    # Twilio takes at most ten segments in one message; longer texts go as several.
    assert all(count.segments <= 10 for count, _, _ in rows)
    if language == "en":
        too_long = [
            body
            for count, _, body in rows
            if count.segments > ENGLISH_SMS_SEGMENTS and not carries_a_document(body)
        ]
        assert too_long == []
        # Nothing we wrote pushes an English text out of GSM-7 (only a language's own name
        # in its own script may).
        assert [body for count, _, body in rows if count.encoding != "GSM-7"] == [
            body for _, _, body in rows if "اردو" in body
        ]


async def everything(folder: Path) -> list[Sample]:
    """English on every channel, and every language by text."""
    found = await english(folder)
    for language in available_languages():
        found += await samples(ChannelName.SMS, language, folder)
    return found


async def test_every_button_choice_is_also_written_in_the_text_to_type(folder: Path) -> None:
    with_choices = [sample for sample in await everything(folder) if sample.choices]
    assert with_choices, "the tour offers numbered choices"
    hidden = [
        (sample.language, choice, sample.body)
        for sample in with_choices
        for choice in sample.choices
        if not re.search(rf"^{re.escape(choice)}\b", sample.body, flags=re.MULTILINE)
    ]
    assert hidden == []


async def test_no_message_carries_meaning_in_emoji_or_pictures(folder: Path) -> None:
    symbols = {
        (sample.language, character)
        for sample in await everything(folder)
        for character in f"{sample.subject or ''}{sample.body}"
        if unicodedata.category(character) == "So" or character >= "\U0001f000"
    }
    assert symbols == set()


async def test_every_english_email_in_the_tour_passes_axe(folder: Path) -> None:
    """Beyond the kinds tests/test_email_accessibility.py builds in full: every email body
    the tour produced, laid out as its HTML part."""
    require_axe()
    emails: dict[str, str] = {}
    for sample in await english(folder):
        page = render_html(sample.body, sample.subject or "", sample.language)
        if sample.channel == ChannelName.EMAIL and page not in emails.values():
            emails[f"{sample.step} ({len(emails) + 1})"] = page
    violations = {name: found for name, found in axe_violations(emails).items() if found}
    assert violations == {}, describe(violations)
