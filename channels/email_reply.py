"""Find the new text in an email reply: what the contributor typed, without the history around it.

Clients add the message being answered as `>` quotes under an "On ... wrote:" line, Outlook
header blocks above the old message, HTML blockquotes and vendor containers, then signatures
and "Sent from my iPhone". People write above the history, below it or between its lines: we
keep every unquoted line of theirs in order (:mod:`channels.email_history`) and say when what
we kept is much shorter than what they left unquoted, so a doubtful reading goes to a person
instead of being shared. Nothing here raises: a mislabelled charset or broken markup must
never cost us someone's reply.
"""

from __future__ import annotations

import email.errors
import email.message
import email.policy
from dataclasses import dataclass

from .email_history import history_start, read_lines
from .email_html_text import html_to_text

__all__ = [
    "Reply",
    "decoded_body",
    "html_to_text",
    "read_reply",
    "read_text",
    "reply_text",
    "strip_quoted",
]

# Below this share of the person's unquoted text (by characters, whitespace left out), what we
# kept may be only part of what they wrote.
_UNSURE_SHARE = 1 / 3


@dataclass(frozen=True)
class Reply:
    """What we read in an email reply.

    ``text`` is what we keep as the person's new words; ``unquoted`` is every unquoted line of
    theirs that is not history (signatures and footers known only by the product they name
    included; attribution lines, header blocks and other footers left out). ``unsure`` says
    the reading may be partial: nothing was kept though they left unquoted text, or what was
    kept is under a third of ``measured``: the kept text with any sentence found under a
    signature delimiter. A signature of names, roles, numbers and addresses (and a typed one's
    legal notice) is not measured, so "Yes" over a long signature is read with confidence.
    """

    text: str
    unquoted: str
    measured: str = ""

    @property
    def unsure(self) -> bool:
        kept = _letters(self.text)
        if not kept:
            return _letters(self.unquoted) > 0
        return kept < max(_letters(self.measured), kept) * _UNSURE_SHARE


def _letters(text: str) -> int:
    return len("".join(text.split()))


def read_reply(message: email.message.EmailMessage) -> Reply:
    """Read the new text a person wrote in an email reply (empty if it has no text part).

    Takes the text/plain part when there is one, otherwise the text/html part converted with
    `html_to_text`. Any charset is decoded, falling back to UTF-8 with replacement characters;
    format=flowed soft line breaks are joined. Quoted history, signatures and footers are then
    removed with `read_text`. Never raises, whatever the message looks like.
    """
    try:
        return _read(message)
    except (IndexError, RecursionError, email.errors.HeaderParseError):
        # The default policy's header parser still crashes on some malformed parameter lists
        # and recurses once per "(" of nested comments (stdlib bugs); compat32's older parser
        # reads the same headers without complaint.
        source = message.as_bytes(policy=email.policy.compat32)
        return _read(email.message_from_bytes(source, policy=email.policy.compat32))


def reply_text(message: email.message.EmailMessage) -> str:
    """The text of `read_reply`: what a person wrote, without history, signatures, footers."""
    return read_reply(message).text


def read_text(text: str) -> Reply:
    """Read the plain text of a reply: keep the person's unquoted lines wherever they stand.

    Lines quoted with `>` are dropped with the attribution line above them ("On ... wrote:" in
    English, Welsh, Polish, Urdu and the European languages, even wrapped over lines), as are
    header blocks and separators ("-----Original Message-----", "----- Mail original -----",
    "Label: value" runs with an address and a date, in any language), signatures ("-- ", or
    typed under the person's sign-off with their name and a contact detail) and app footers
    ("Sent from my ...", or a short last line naming a device or mail product, in any
    language). History that arrives unquoted (a header block or attribution with no `>` lines
    after it) ends the reading.
    """
    lines = read_lines(text)
    return Reply(text=lines.kept, unquoted=lines.unquoted, measured=lines.measured)


def strip_quoted(text: str) -> str:
    """The text above the first sign of history, a signature or a mobile footer, trimmed.

    The old top-posting reading, kept for callers that want only what comes first; a reply
    is read with `read_text`, which also keeps answers typed below or between quotes.
    """
    lines, start = history_start(text)
    return "\n".join(lines[:start]).strip()


def decoded_body(message: email.message.Message) -> tuple[str, str]:
    """The part a reply is read from, as ("plain" or "html", its decoded text): the plain part
    when there is one, else the HTML; format=flowed is joined. ("plain", "") if neither."""
    part = _body_part(message)
    if part is None:
        return "plain", ""
    text = _decoded_text(part)
    if part.get_content_subtype() == "html":
        return "html", text
    if str(part.get_param("format", "")).lower() == "flowed":
        text = _unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return "plain", text


def _read(message: email.message.Message) -> Reply:
    subtype, text = decoded_body(message)
    if subtype == "html":
        text = html_to_text(text, quote_marks=True)
    return read_text(text)


def _body_part(message: email.message.Message) -> email.message.Message | None:
    try:
        return message.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        # get_body() trips over a multipart part whose boundary is missing (it walks the
        # characters of the unparsed payload), and a compat32 Message has no get_body() at all.
        texts = [
            part
            for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html")
            and part.get_content_disposition() != "attachment"
        ]
        return min(texts, key=lambda part: part.get_content_subtype() != "plain", default=None)


def _decoded_text(part: email.message.Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    if charset in ("us-ascii", "ascii"):
        # Clients label 8-bit text as ASCII often enough; UTF-8 decodes every real ASCII text
        # the same way and rescues the mislabelled ones.
        charset = "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except (LookupError, ValueError):
        # Unknown names (x-unknown), codecs that are not text encodings (base64) and codecs that
        # refuse errors="replace" (idna) all end here.
        return payload.decode("utf-8", errors="replace")


def _unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of a format=flowed part (RFC 3676)."""
    lines: list[tuple[int, str]] = []  # (quote depth, text)
    joining = False
    for line in text.replace("\r\n", "\n").split("\n"):
        content = line.lstrip(">")
        depth = len(line) - len(content)
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        soft = content.endswith(" ") and content != "-- "
        if soft and delsp:
            content = content[:-1]
        if joining and lines[-1][0] == depth:
            lines[-1] = (depth, lines[-1][1] + content)
        else:
            lines.append((depth, content))
        joining = soft
    return "\n".join(">" * depth + " " + content if depth else content for depth, content in lines)
