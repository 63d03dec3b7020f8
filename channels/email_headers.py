"""Separators and header blocks: where a client starts the old message, often left unquoted.

Outlook puts a header block (From, Sent, To, Subject, in the reader's language, sometimes in
bold) above the old message, with a rule of underscores or "-----Original Message-----" above
it; Android, Zimbra and webmails write "-------- Original message --------" and its
translations. The known names are listed; any other language is read by shape: a line of
dashes, underscores or equals signs around a few words with headers under it, and a run of
three "Label: value" lines holding an address and a date or time, whatever the labels say.
"""

from __future__ import annotations

import re

__all__ = ["BIDI", "header_history_end"]

# Bidirectional marks that Gmail and Outlook wrap around right-to-left text.
BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_QUOTE = re.compile(r"^\s*>")
# Header blocks (From, Sent, To, Cc, Subject, and a wrapped line or two) are no longer.
_LONGEST_HEADER_BLOCK = 8
# Separators above history: Outlook's "-----Original Message-----" and its translations,
# Android's "-------- Original message --------", Zoho's "---- On ... wrote ----", Android's
# "---- Name wrote ----" and forwarded-message lines.
_SEPARATOR = re.compile(
    r"""^\s*-{2,}\s*(?:
        (?:Original|Forwarded)\s[Mm]essage | Ursprüngliche\sNachricht | Weitergeleitete\sNachricht
      | Message\sd'origine | Message\stransféré | Mensaje\soriginal | Mensaje\sreenviado
      | Mensagem\soriginal | Mensagem\sencaminhada | Messaggio\soriginale | Messaggio\sinoltrato
      | Oorspronkelijk\sbericht | Doorgestuurd\sbericht | Wiadomość\soryginalna
      | Wiadomość\sprzekazana | Oryginalna\swiadomość | Reply\smessage | Ursprungligt\smeddelande
      | Vidarebefordrat\smeddelande
      | Исходное\sсообщение | Пересылаемое\sсообщение | Neges\swreiddiol
      | Neges\swedi'i\sanfon\symlaen
      | Mesaj\soriginal | Oprindelig\smeddelelse | Opprinnelig\smelding
      | .{0,300}\s(?:wrote|a\sécrit|schrieb|escribió|escreveu|ha\sscritto|schreef|skrev
          |napisał(?:\(a\)|a)?|pisze|ysgrifennodd|a\sscris|пишет|написал(?:\(а\)|а)?)\b.{0,300}
    )\s*:?\s*-{2,}\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
# Any other separator: a few words between runs of the same dash, underscore or equals sign
# ("----- Mail original -----", "-------- Původní zpráva --------", "=== Original ===").
_ANY_SEPARATOR = re.compile(r"^\s*([-_=~*])\1+[ \t]*([^-_=~*\s][^\n]{0,120}?)[ \t]*\1{2,}\s*$")
_SEPARATOR_WORDS = 5
_RULE = re.compile(r"^\s*(?:_{20,}|-{20,})\s*$")
# Outlook, Windows Mail and forwarded-message header blocks, in the languages of the UK's
# readers; Outlook writes a space before the colon in French and may bold the names (*From:*).
_HEADER_FROM = re.compile(
    r"^\s*\*?(?:From|De|De\sla|Von|Od|Van|Oddi\swrth|Da|Från|От|Fra|Kimden|Lähettäjä|Feladó)"
    r"\s?:",
    re.IGNORECASE,
)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(?:Sent|Date|Envoyé|Gesendet|Datum|Enviado|Fecha|Wysłano|Wysłane|Data|Anfonwyd"
    r"|Dyddiad|Verzonden|Inviato|Skickat|Отправлено|Дата|Sendt|Trimis|Enviada|To|À|A|An|Do|At"
    r"|Aan|Para|Till|Кому|Til|Către|Cc|Subject|Objet|Betreff|Temat|Pwnc|Onderwerp|Oggetto"
    r"|Asunto|Assunto|Ämne|Тема|Emne|Subiect|Sujet)\s?:",
    re.IGNORECASE,
)
# A header line in any language: a label of one to three words, maybe bold, then a colon
# (full-width in Chinese and Japanese) and its value.
_LABEL_LINE = re.compile(
    r"^\s*\*?[^\W\d_][\w'’.-]*(?:[ \t]+[\w'’.-]+){0,2}[ \t]?\*?[:：]\*?(?:[ \t]+(.*))?$"
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An address as From and To give it: "Name <addr>", "Name [mailto:addr]".
_FRAMED_ADDRESS = re.compile(r"<[^<>\s]+@[^<>\s]+>|\[mailto:[^\]\s]+\]")
_DATE_OR_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")


def header_history_end(lines: list[str], index: int) -> int | None:
    """If a separator or header block starts at `index`, where it ends."""
    line = lines[index]
    if _SEPARATOR.match(BIDI.sub("", line)):
        return index + 1
    if _RULE.match(line):
        following = _next_written(lines, index + 1)
        if following is None or following - index > 2:
            return None
        if _HEADER_FROM.match(lines[following]):
            return _header_block_end(lines, following) or following + 1
        return _any_header_block_end(lines, following)
    if _HEADER_FROM.match(line):
        end = _header_block_end(lines, index)
    elif _HEADER_OTHER.match(line):
        end = _header_run_end(lines, index)
    else:
        end = _any_separator_end(lines, index)
    return end or _any_header_block_end(lines, index)


def _next_written(lines: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].strip()), None)


def _header_block_end(lines: list[str], index: int) -> int | None:
    """The end of a header block starting with a From line at `index`, if one does."""
    others = 0
    position = index + 1
    while position < len(lines) and position - index <= _LONGEST_HEADER_BLOCK:
        line = lines[position]
        if _HEADER_OTHER.match(line):
            others += 1
        elif not line.strip():
            break
        elif not line.startswith((" ", "\t")) and others == 0 and position - index > 2:
            return None
        position += 1
    return position if others else None


def _header_run_end(lines: list[str], index: int) -> int | None:
    """The end of a header block whose From line is not first (Hotmail's "Date:, Subject:,
    From:, To:", forwarded-message blocks): three header lines or more, a From among them."""
    position, has_from = index, False
    while (
        position < len(lines)
        and position - index < _LONGEST_HEADER_BLOCK
        and (_HEADER_OTHER.match(lines[position]) or _HEADER_FROM.match(lines[position]))
    ):
        has_from = has_from or bool(_HEADER_FROM.match(lines[position]))
        position += 1
    return position if has_from and position - index >= 3 else None


def _any_header_block_end(lines: list[str], index: int) -> int | None:
    """The end of a header block in any language: three "Label: value" lines or more, one
    value a date or time, and an address framed as From gives it, or two addresses. A
    person's own "Email: jo@example.org" and "Phone: ..." lines are neither."""
    values: list[str] = []
    position = index
    while position < len(lines) and position - index < _LONGEST_HEADER_BLOCK:
        label = _LABEL_LINE.match(lines[position])
        if label is None:
            break
        values.append(label.group(1) or "")
        position += 1
    if len(values) < 3 or not any(_DATE_OR_TIME.search(value) for value in values):
        return None
    framed = any(_FRAMED_ADDRESS.search(value) for value in values)
    addressed = sum(bool(_ADDRESS.search(value)) for value in values)
    return position if framed or addressed >= 2 else None


def _any_separator_end(lines: list[str], index: int) -> int | None:
    """The end of a separator in any language: a few words between dashes, underscores or
    equals signs, with headers or a quote under it ("--- Summary ---" over notes is kept)."""
    separator = _ANY_SEPARATOR.match(BIDI.sub("", lines[index]))
    if separator is None or not 1 <= len(separator.group(2).split()) <= _SEPARATOR_WORDS:
        return None
    following = _next_written(lines, index + 1)
    if following is None or following - index > 2:
        return None
    below = lines[following]
    if _QUOTE.match(below) or _HEADER_FROM.match(below) or _HEADER_OTHER.match(below):
        return index + 1
    label = _LABEL_LINE.match(below)
    value = (label.group(1) or "") if label else ""
    return index + 1 if _ADDRESS.search(value) or _DATE_OR_TIME.search(value) else None
