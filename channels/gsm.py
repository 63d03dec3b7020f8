"""SMS text rendering: clean lookalike punctuation so a text stays in GSM-7, and count segments.

Letters are never changed (a Welsh ŵ or a Polish ą stays, even though it makes the text
UCS-2): changing a letter changes the word. Only punctuation that has a GSM-7 twin and
invisible characters are replaced, because they push a whole text into UCS-2 for nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .base import OutboundMessage
from .markdown import to_plain

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters reached through the escape code: each costs two septets.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

_REPLACEMENTS = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark, apostrophe in most word processors
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",  # prime
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",
    "\u2212": "-",  # minus sign
    "\u2026": "...",
    "\u2022": "-",  # bullet
    "\u00a0": " ",  # no-break space
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",  # thin space
    "\t": " ",
}
# Zero-width space, word joiner, byte order mark, soft hyphen. The zero-width (non-)joiners
# stay: Urdu and other scripts spell words with them, and those texts are UCS-2 anyway.
_REMOVED = {"\u200b", "\u2060", "\ufeff", "\u00ad"}

SINGLE_GSM7 = 160
MULTI_GSM7 = 153
SINGLE_UCS2 = 70
MULTI_UCS2 = 67


def sanitise(text: str) -> str:
    """Replace lookalike punctuation with its GSM-7 twin and drop invisible characters."""
    out: list[str] = []
    for char in text.replace("\r\n", "\n"):
        if char in _REMOVED:
            continue
        out.append(_REPLACEMENTS.get(char, char))
    return "".join(out)


def sms_text(message: OutboundMessage) -> str:
    """The text an SMS carries: a Markdown body as plain text (its segments counted on that,
    not on the marks), cleaned for GSM-7."""
    return sanitise(to_plain(message.body) if message.markdown else message.body)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def count_segments(text: str) -> SegmentCount:
    """How many SMS segments ``text`` takes (160/153 septets in GSM-7, 70/67 in UCS-2)."""
    if is_gsm7(text):
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, multi, encoding = SINGLE_GSM7, MULTI_GSM7, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = SINGLE_UCS2, MULTI_UCS2, "UCS-2"
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = math.ceil(units / multi)
    return SegmentCount(encoding, units, segments)
