"""The line rules that tell a person's words from quoted history in the text of an email reply.

Clients mark history in a handful of ways, each in the reader's language: `>` quotes under an
attribution line ("On ... wrote:", "W dniu ... napisał:", "Ar ... ysgrifennodd:"), header
blocks and separators above the old message left unquoted (:mod:`channels.email_headers`).
A person may write above the history (top-posting), below it or between quoted lines: their
unquoted lines are kept in order wherever they are. Only history that arrives unquoted (under a
header block or an attribution with no `>` after it) ends what is read, since nothing marks
where it stops. What ends the person's own text is dropped too: a "-- " signature, an app's
footer (:mod:`channels.email_footers`) and a signature typed without "-- "
(:mod:`channels.email_signatures`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .email_footers import is_footer, is_known_footer
from .email_headers import BIDI, header_history_end
from .email_signatures import is_prose, typed_signature_start

__all__ = ["ReadLines", "history_start", "read_lines"]

_QUOTE = re.compile(r"^\s*>")
# An attribution line is at most this many lines above the quote it introduces.
_BLANKS_ABOVE_QUOTE = 4
# No attribution, separator or header line is longer; longer lines are never tested.
_LONGEST_MARKER = 400
# A line that carries on an attribution cut before or inside the address.
_ADDRESS_GOES_ON = re.compile(r"^(?:[<>(\[]|[\w.+-]+@)")
_TIME_OR_ADDRESS = re.compile(r"\d{1,2}[:.]\d{2}|\d{1,2}/\d{1,2}|@")

# Attribution lines that start with a fixed word in their language (Gmail, Apple Mail,
# Thunderbird, Outlook for Mac, Yahoo's "--- On ... wrote:"). Matched against one to three
# lines joined, because clients wrap long ones, often inside the address.
_ATTRIBUTION_ANCHORED = re.compile(
    r"""^(?:-{2,3}\s?)?(?:
        On\s.{1,250}\swrote\s?:
      | Le\s.{1,250}\sa\sécrit\s?:
      | Am\s.{1,250}\sschrieb\s.{0,250}:
      | El\s.{1,250}\sescribió\s?:
      | Em\s.{1,250}\sescreveu\s?:
      | Il\s.{1,250}\sha\sscritto\s?:
      | Op\s.{1,250}\s(?:schreef\s.{0,250}|het\svolgende\sgeschreven\s?):
      | Den\s.{1,250}\sskrev\s.{0,250}:
      | Am\s.{1,250}\shat\s.{1,250}\sFolgendes\sgeschrieben\s?:
      | Wiadomość\snapisana\sprzez\s.{1,250}:
      | Ar\s.{1,250}\sysgrifennodd\b.{0,250}:
      | W\sdniu\s.{1,250}\s(?:pisze|napisał(?:\(a\)|a)?)\s?:
      | În\s.{1,250}\sa\sscris\s?:
    )$""",
    re.VERBOSE,
)
# Attribution lines known by their verb alone, wherever it stands: Polish and Russian Gmail,
# Apple Mail in Swedish and Russian, Thunderbird in Russian, Urdu Gmail. Every attribution
# must also carry a time, a numeric date or an address (_TIME_OR_ADDRESS), so "On 3 May I
# wrote:" or "In 2019 I wrote:" in someone's text is not taken for one.
_ATTRIBUTION_VERB = re.compile(
    r"""^.{1,250}\s(?:
        wrote | a\sécrit | schrieb | escribió | escreveu | ha\sscritto | schreef | skrev
      | napisał(?:\(a\)|a)? | pisze | ysgrifennodd | a\sscris | пишет | написал(?:\(а\)|а)?
      | kirjoitti | napsal(?:\(a\))? | írta | نے\sلکھا
    )\b.{0,250}:$""",
    re.VERBOSE,
)
# A date and time, then a name and address with nothing after but a colon: older Gmail's ISO
# form ("2017-11-24 16:32 GMT+01:00 Name <addr>:"), Russian Gmail, Yandex and Mail.ru.
_ATTRIBUTION_ADDRESS = re.compile(r"^.{0,200}\d{1,2}[:.]\d{2}.{0,200}<[^<>\s]+@[^<>\s]+\s?>\s?:$")
# Used only for the line just above a `>` quote, where a looser test is safe: it catches
# attributions in languages the patterns above do not know.
_ATTRIBUTION_HINT = re.compile(
    r"\bwrote\b|\bschrieb\b|écrit\b|\bescribió\b|\bysgrifennodd\b|\bpisze\b|\bnapisał"
    r"|\bschreef\b|\bscritto\b|\bescreveu\b|\bskrev\b|пишет|написал|@|\b\d{1,2}:\d{2}\b"
    r"|\b(?:19|20)\d{2}\b"
)
_SIGNATURE = re.compile(r"^\s*--\s*$")


@dataclass(frozen=True)
class ReadLines:
    """The person's lines in a reply: those kept, every unquoted line that is not history
    (signatures included), and the kept lines with the sentences found in signatures (what
    the kept text is measured against), each joined with line breaks and trimmed."""

    kept: str
    unquoted: str
    measured: str


def read_lines(text: str) -> ReadLines:
    """Keep the person's unquoted lines in order; drop quotes, attribution lines, header blocks,
    unquoted history, signatures and mobile footers."""
    lines = _split(text)
    markers = [_marker_end(lines, index) for index in range(len(lines))]
    block_ends = _block_ends(lines, markers)
    # Indices into `lines`, so that a line dropped later is dropped from each list alike.
    kept: list[int] = []
    unquoted: list[int] = []
    measured: list[int] = []
    in_signature = False
    index = 0
    while index < len(lines):
        line, marker_end = lines[index], markers[index]
        if marker_end is not None:
            following = _next_written(lines, marker_end)
            if following is None or not _QUOTE.match(lines[following]):
                break  # the history arrives unquoted: nothing after it is the person's
            index, in_signature = marker_end, False
            continue
        if _QUOTE.match(line):
            _drop_attribution_above(lines, kept, unquoted, measured)
            index, in_signature = index + 1, False
            continue
        if _SIGNATURE.match(line):
            in_signature = True
        elif is_footer(line) and block_ends[index + 1]:
            if not is_known_footer(line):
                # Known only by the product it names: a reply that is nothing else is unsure.
                unquoted.append(index)
        else:
            unquoted.append(index)
            if not in_signature or _blank(line):
                kept.append(index)
                measured.append(index)
            elif is_prose(line):
                measured.append(index)
        index += 1
    typed = typed_signature_start([lines[i] for i in kept])
    if typed is not None:
        # A signature typed without "-- " is neither kept nor measured, like one with it.
        signature = set(kept[typed:])
        kept = kept[:typed]
        measured = [i for i in measured if i not in signature]
    kept_text, unquoted_text, measured_text = (
        _tidy([lines[i] for i in chosen]) for chosen in (kept, unquoted, measured)
    )
    return ReadLines(kept_text, unquoted_text, measured_text)


def _block_ends(lines: list[str], markers: list[int | None]) -> list[bool]:
    """For each line index, whether nothing the person wrote comes from there on before
    history or the end: a footer is one only at the end of what they wrote."""
    ends = [True] * (len(lines) + 1)
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if _blank(line) or is_footer(line):
            ends[index] = ends[index + 1]  # "Sent from my iPhone" may come twice
        else:
            ends[index] = bool(
                _QUOTE.match(line) or _SIGNATURE.match(line) or markers[index] is not None
            )
    return ends


def history_start(text: str) -> tuple[list[str], int]:
    """The lines of `text` and the index of the first that starts history, a signature or a
    footer (the old top-posting reading: everything from there on is dropped). A footer in a
    known form starts it anywhere, one known only by the product it names at the end."""
    lines = _split(text)
    markers = [_marker_end(lines, index) for index in range(len(lines))]
    block_ends = _block_ends(lines, markers)
    for index, line in enumerate(lines):
        if _QUOTE.match(line):
            return lines, _loose_attribution_start(lines, index)
        if _SIGNATURE.match(line) or markers[index] is not None or is_known_footer(line):
            return lines, index
        if is_footer(line) and block_ends[index + 1]:
            return lines, index
    return lines, len(lines)


def _split(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blank(line: str) -> bool:
    return not line.strip()


def _tidy(lines: list[str]) -> str:
    return re.sub(r"\n\s*\n(?:\s*\n)+", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()


def _next_written(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if not _blank(lines[i])), None)


def _joined(lines: list[str]) -> str:
    return BIDI.sub("", re.sub(r"\s+", " ", " ".join(line.strip() for line in lines))).strip()


def _is_attribution(text: str) -> bool:
    if len(text) > _LONGEST_MARKER or not text.endswith(":"):
        return False
    if _ATTRIBUTION_ANCHORED.match(text):
        return bool(_TIME_OR_ADDRESS.search(text))
    if _ATTRIBUTION_VERB.match(text):
        return bool(_TIME_OR_ADDRESS.search(text))
    return bool(_ATTRIBUTION_ADDRESS.match(text))


def _marker_end(lines: list[str], index: int) -> int | None:
    """If history starts at `index` (attribution, separator, header block), where it ends."""
    line = lines[index]
    if _blank(line) or _QUOTE.match(line) or len(line) > _LONGEST_MARKER:
        return None
    header_end = header_history_end(lines, index)
    if header_end is not None:
        return header_end
    for end in range(index + 1, min(index + 3, len(lines)) + 1):
        if end > index + 1 and _blank(lines[end - 1]):
            return None
        if end > index + 1 and _QUOTE.match(lines[end - 1]) and len(lines[end - 1]) > 40:
            return None  # a wrapped tail is short ("> wrote:", ">:"), a quote is not
        if _is_attribution(_joined(lines[index:end])):
            # "On Monday I can come." above a real attribution also matches once joined to it;
            # the attribution then starts on the next line, unless that line only goes on with
            # the address ("... Jo Bloggs <" / "jo@example.com> wrote:").
            tail = _joined(lines[index + 1 : end])
            if end > index + 1 and not _ADDRESS_GOES_ON.match(tail) and _is_attribution(tail):
                return None
            return end
    return None


def _drop_attribution_above(lines: list[str], kept: list[int], *others: list[int]) -> None:
    """Drop the line just above a quote when it looks like an attribution in any language:
    from `kept` (indices into `lines`) and from the end of each of `others`."""
    above = len(kept) - 1
    while above >= 0 and _blank(lines[kept[above]]) and len(kept) - above < _BLANKS_ABOVE_QUOTE:
        above -= 1
    if above < 0 or _blank(lines[kept[above]]):
        return
    line = lines[kept[above]].rstrip()
    if not (line.endswith(":") and _ATTRIBUTION_HINT.search(line)):
        return
    # Gmail breaks a long attribution inside the address: "..., Jo Bloggs <" / "jo@x> wrote:".
    start = above
    previous = lines[kept[above - 1]] if above > 0 else ""
    if above > 0 and (previous.rstrip().endswith("<") or line.lstrip().startswith("<")):
        start = above - 1
    removed = set(kept[start:])
    del kept[start:]
    for chosen in others:
        while chosen and chosen[-1] in removed:
            chosen.pop()


def _loose_attribution_start(lines: list[str], quote_index: int) -> int:
    above = quote_index - 1
    while above >= 0 and _blank(lines[above]):
        above -= 1
    if above < 0:
        return quote_index
    line = lines[above].rstrip()
    if not (line.endswith(":") and _ATTRIBUTION_HINT.search(line)):
        return quote_index
    if above > 0 and (lines[above - 1].rstrip().endswith("<") or line.lstrip().startswith("<")):
        return above - 1
    return above
