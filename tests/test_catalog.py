"""The translation template matches the strings in the code, so no message escapes translation."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _entries(po_text: bytes) -> set[tuple[str | None, str]]:
    catalog = read_po(io.BytesIO(po_text))
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def test_the_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-c",
            "TRANSLATORS:",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = _entries((ROOT / "locales" / "messages.pot").read_bytes())
    extracted = _entries(fresh.read_bytes())
    assert extracted - committed == set(), "run the extract command in locales/README.md"
    assert committed - extracted == set(), "the template has strings the code no longer uses"


def test_the_command_words_are_in_the_template_with_their_context() -> None:
    entries = _entries((ROOT / "locales" / "messages.pot").read_bytes())
    assert {("keyword", "HELP"), ("keyword", "STOP"), ("keyword", "START")} <= entries


CATALOGS = sorted((ROOT / "locales").glob("*/LC_MESSAGES/messages.po"))
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _read(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=path.parent.parent.name)


@pytest.mark.parametrize("path", CATALOGS, ids=[p.parent.parent.name for p in CATALOGS])
def test_each_catalog_translates_every_string_of_the_template(path: Path) -> None:
    template = _entries((ROOT / "locales" / "messages.pot").read_bytes())
    catalog = _read(path)
    assert _entries(path.read_bytes()) == template, "run pybabel update (locales/README.md)"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        sources = message.id if isinstance(message.id, tuple | list) else [message.id]
        wanted = set(_PLACEHOLDER.findall(" ".join(sources)))
        if message.fuzzy or not all(strings):
            problems.append(("not translated (or fuzzy)", message.id))
        if isinstance(message.id, tuple | list) and len(strings) != catalog.num_plurals:
            problems.append(("wrong number of plural forms", message.id))
        for text in strings:
            if not set(_PLACEHOLDER.findall(text)) <= wanted:
                problems.append(("a placeholder the code does not fill", message.id, text))
        if (
            not isinstance(message.id, tuple | list)
            and set(_PLACEHOLDER.findall(strings[0])) != wanted
        ):
            problems.append(("placeholders differ", message.id, strings[0]))
    assert problems == []


@pytest.mark.parametrize("path", CATALOGS, ids=[p.parent.parent.name for p in CATALOGS])
def test_each_language_has_a_different_word_for_every_command(path: Path) -> None:
    catalog = _read(path)
    english = {m.id.casefold(): m.id for m in catalog if m.context == "keyword"}
    words: dict[str, str] = {}
    for message in catalog:
        if message.context != "keyword":
            continue
        word = message.string.casefold()
        assert word not in words, f"{message.id} and {words[word]} share the word {word}"
        words[word] = message.id
        # The English words always work too, so a word may not be another command's.
        assert english.get(word, message.id) == message.id, (message.id, message.string)


@pytest.mark.parametrize("path", CATALOGS, ids=[p.parent.parent.name for p in CATALOGS])
def test_each_catalog_says_it_wants_a_fluent_speakers_review(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("msgid", 1)[0]
    assert "review" in header.casefold()


@pytest.mark.parametrize("path", CATALOGS, ids=[p.parent.parent.name for p in CATALOGS])
def test_a_review_word_is_never_a_command_word(path: Path) -> None:
    """SKIP and OK are typed while a review waits; if one were also a command (Urdu's LEAVE
    is چھوڑیں), skipping a statement would take the person out of the project."""
    catalog = _read(path)
    commands = {
        word.casefold()
        for m in catalog
        if m.context == "keyword"
        for word in (m.id, m.string)
        if word
    }
    for message in catalog:
        if message.context == "review-word":
            assert message.string.casefold() not in commands, (message.id, message.string)
