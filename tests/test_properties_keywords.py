"""Property tests of the command words: whatever anyone types, in any of our languages, the
parser answers without error, keeps free text as it was typed (only tidied), reads a number
only from a number, and finds a command word however it is typed."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flows.i18n import available_languages, translator
from flows.keywords import Command, keyword_words, parse, tidy

EN = translator("en")
LANGUAGES = available_languages()
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# What people put around a word: the punctuation of the scripts we write in (the Urdu full
# stop, comma and question mark among it), invisible marks phones and copy-paste add, emoji.
PUNCTUATION = list(".,;:!?¡¿\"'“”‘’«»()[]{}-–—…۔،؛؟")
INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner (Urdu spelling)
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\u202b",  # right-to-left embedding
    "\u2067",  # right-to-left isolate
]
EMOJI = ["😀", "👍🏽", "🇬🇧", "🏴󠁧󠁢󠁷󠁬󠁳󠁿", "❤️", "👨‍👩‍👧"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2009"]
CATALOG_WORDS = sorted(
    {word for language in LANGUAGES for word in keyword_words(translator(language)).values()}
)
# Urdu letters as an Arabic keyboard types them.
ARABIC_KEYBOARD = {"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u0647"}
DIGITS = ["0123456789", "۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩"]  # Latin, Urdu, Arabic
EDGE = "".join(PUNCTUATION) + " "


def _run(pieces: list[str], min_size: int = 0, max_size: int = 3) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), min_size=min_size, max_size=max_size).map("".join)


_any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
_right_to_left = st.text(
    st.characters(min_codepoint=0x0590, max_codepoint=0x06FF, exclude_categories=("Cs",)),
    max_size=12,
)
_piece = st.one_of(
    st.sampled_from(CATALOG_WORDS),
    _any_text,
    _right_to_left,
    st.sampled_from(INVISIBLE + EMOJI + SPACES + PUNCTUATION + ["/", "#", "@"]),
    st.integers(0, 10**8).map(str),
)
_short = st.lists(_piece, max_size=12).map("".join)
_long = st.tuples(_short, st.integers(100, 2000)).map(lambda pair: pair[0] * pair[1])
TEXTS = st.one_of(_short, _long)


@PROPERTY
@given(text=TEXTS, language=st.sampled_from(LANGUAGES))
@example(text="/nosuchcommand@coproduce_bot   some  words", language="en")
def test_any_text_in_any_language_is_read_without_error_and_kept_as_typed(
    text: str, language: str
) -> None:
    parsed = parse(text, translator(language), EN)
    assert parsed.command is None or isinstance(parsed.command, Command)
    assert parsed.rest == tidy(parsed.rest)
    typed = tidy(text)
    if parsed.command is not None:
        # Only the command word and what joins it to the rest are taken away.
        assert typed.endswith(parsed.rest)
    elif typed.startswith("/"):
        # A Telegram /command that is not ours: only the slash and @botname go.
        assert typed.split(" ", 1)[1:] == parsed.rest.split(" ", 1)[1:]
    else:
        assert parsed.rest == typed
    number = parsed.number
    if number is not None:
        written = parsed.rest.strip(EDGE).removeprefix("#")
        assert parsed.command is None
        assert written.isdecimal() and int(written) == number < 10**6


@PROPERTY
@given(text=TEXTS)
def test_tidy_keeps_every_character_but_collapses_the_white_space(text: str) -> None:
    tidied = tidy(text)
    assert "".join(tidied.split()) == "".join(text.split())
    assert tidied == tidied.strip() and "  " not in tidied
    assert not any(c.isspace() and c != " " for c in tidied)
    assert tidy(tidied) == tidied


@st.composite
def typed_numbers(draw: st.DrawFn) -> tuple[int, str]:
    number = draw(st.integers(0, 999_999))
    digits = draw(st.sampled_from(DIGITS))
    written = "".join(digits[int(d)] for d in str(number))
    before = draw(_run([*SPACES, "("], max_size=2))
    after = draw(_run(SPACES + PUNCTUATION, max_size=3))
    return number, before + draw(st.sampled_from(["", "#"])) + written + after


@PROPERTY
@given(typed=typed_numbers(), language=st.sampled_from(LANGUAGES))
@example(typed=(2, "2?"), language="en")
def test_a_number_sent_on_its_own_is_read_in_any_script(
    typed: tuple[int, str], language: str
) -> None:
    number, text = typed
    parsed = parse(text, translator(language), EN)
    assert (parsed.command, parsed.number) == (None, number)


def _without_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@st.composite
def typed_commands(draw: st.DrawFn) -> tuple[str, Command, str, str]:
    """(language, command, text, rest): a command word of that language or English, typed
    the ways people type it, followed by free text."""
    language = draw(st.sampled_from(LANGUAGES))
    in_english = draw(st.booleans())
    command = draw(st.sampled_from(list(Command)))
    word = keyword_words(EN if in_english else translator(language))[command]
    letters = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    word = draw(
        st.sampled_from(
            [
                word,
                word.lower(),
                word.title(),
                "".join(c.lower() if low else c for c, low in zip(word, letters, strict=True)),
            ]
        )
    )
    if draw(st.booleans()):
        word = _without_accents(word)
    if draw(st.booleans()):
        word = "".join(ARABIC_KEYBOARD.get(c, c) for c in word)
    parts = word.split(" ")
    rest = tidy(draw(_any_text | _right_to_left)).lstrip(EDGE)
    if draw(st.booleans()) and word.isascii():
        name = draw(st.sampled_from(["", "@coproduce_bot"]))
        text = "/" + "".join(parts) + name + (" " + rest if rest else "")
        return language, command, text, rest
    if draw(st.booleans()):
        parts = [_with_invisible(draw, part) for part in parts]
    before = draw(_run(PUNCTUATION, max_size=2))
    after = draw(_run(PUNCTUATION, max_size=3))
    spaces = _run(SPACES, min_size=1, max_size=3)
    text = draw(_run(SPACES, max_size=2)) + before + parts[0]
    for part in parts[1:]:
        text += draw(spaces) + part
    text += after + (draw(spaces) + rest if rest else draw(st.sampled_from(["", " "])))
    return language, command, text, rest


def _with_invisible(draw: st.DrawFn, part: str) -> str:
    at = draw(st.integers(0, len(part)))
    return part[:at] + draw(st.sampled_from(INVISIBLE)) + part[at:]


@PROPERTY
@given(typed=typed_commands())
@example(typed=("en", Command.HELP, "Help?", ""))
@example(typed=("en", Command.STOP, "\ufeffSTOP", ""))
@example(typed=("ur", Command.STOP, "\u200fبند\u200f", ""))
@example(typed=("ur", Command.COMMENT, "رایے بس دیر سے آتی ہے", "بس دیر سے آتی ہے"))  # no hamza
def test_a_command_word_is_found_however_it_is_typed(
    typed: tuple[str, Command, str, str],
) -> None:
    language, command, text, rest = typed
    parsed = parse(text, translator(language), EN)
    assert (parsed.command, parsed.rest) == (command, rest)
