"""Reading ease, measured offline: Flesch reading ease from pyphen's syllable counts, and
the length of the longest sentence.

textstat would download a dictionary at run time; pyphen carries its hyphenation patterns.
A hyphenation point is not quite a syllable break, so pieces without a vowel ("lead-s") are
not counted as syllables, and every word has at least one. Numbers, dates in figures and
project codes count as one syllable: they are read at a glance. Links are not words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyphen

_LINK = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A sentence ends at . ! or ? before a space, and at every line break (headings, list
# items and lines like "The answer from the leads:" stand alone).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_VOWELS = re.compile(r"[aeiouyà-ÿ]", re.IGNORECASE)


@cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB", left=1, right=1)


def words(text: str) -> list[str]:
    return _WORD.findall(_LINK.sub(" ", text))


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(_LINK.sub(" ", text)) if words(part)]


def syllables(word: str) -> int:
    if any(character.isdigit() for character in word):
        return 1
    pieces = _dictionary().inserted(word.lower()).split("-")
    return max(1, sum(1 for piece in pieces if _VOWELS.search(piece)))


@dataclass(frozen=True)
class Reading:
    flesch: float
    words: int
    sentences: int
    longest_sentence: int


def measure(text: str) -> Reading:
    found = words(text)
    parts = sentences(text)
    if not found:
        return Reading(100.0, 0, 0, 0)
    per_sentence = len(found) / len(parts)
    per_word = sum(syllables(word) for word in found) / len(found)
    return Reading(
        flesch=round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 1),
        words=len(found),
        sentences=len(parts),
        longest_sentence=max(len(words(part)) for part in parts),
    )
