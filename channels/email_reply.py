"""Find the new text in an email reply: what the contributor typed, without the history below it.

Clients append the message being answered as `>` quotes under an "On ... wrote:" line, Outlook
header blocks, HTML blockquotes and vendor containers, then add signatures and "Sent from my
iPhone". We cut at the first sign of history rather than keep answers written between quoted
lines: a reply cut early loses a few words, one cut late feeds our own message back to the flows
as if the contributor had written it. Nothing here raises: a mislabelled charset or broken
markup must never cost us someone's reply.
"""

from __future__ import annotations

import email.errors
import email.message
import email.policy
import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "reply_text", "strip_quoted"]


def reply_text(message: email.message.EmailMessage) -> str:
    """Return the new text a person wrote in an email reply, or "" if it has no text part.

    Takes the text/plain part when there is one, otherwise the text/html part converted with
    `html_to_text`. Any charset is decoded, falling back to UTF-8 with replacement characters;
    format=flowed soft line breaks are joined. Quoted history and signatures are then removed
    with `strip_quoted`. Never raises, whatever the message looks like.
    """
    try:
        return _new_text(message)
    except (IndexError, RecursionError, email.errors.HeaderParseError):
        # The default policy's header parser still crashes on some malformed parameter lists
        # and recurses once per "(" of nested comments (stdlib bugs); compat32's older parser
        # reads the same headers without complaint.
        source = message.as_bytes(policy=email.policy.compat32)
        return _new_text(email.message_from_bytes(source, policy=email.policy.compat32))


def _new_text(message: email.message.Message) -> str:
    part = _body_part(message)
    if part is None:
        return ""
    text = _decoded_text(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    elif str(part.get_param("format", "")).lower() == "flowed":
        text = _unflow(text, delsp=str(part.get_param("delsp", "")).lower() == "yes")
    return strip_quoted(text)


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


# Attribution lines as Gmail, Apple Mail, Outlook, Thunderbird and mutt write them, matched
# against one to three lines joined, because Gmail wraps long ones inside the address.
_ATTRIBUTION = re.compile(
    r"""^(?:
        On\s.{1,250}\swrote\s?:
      | Le\s.{1,250}\sa\sécrit\s?:
      | Am\s.{1,250}\sschrieb\s.{0,250}:
      | El\s.{1,250}\sescribió\s?:
      | Ar\s.{1,250}\sysgrifennodd\b.{0,250}:
      | W\sdniu\s.{1,250}\spisze\s?:
      | (?:\w+\.?,?\s)?\d{1,2}\.?\s\w+\.?\s\d{4}\s.{1,250}\snapisał(?:\(a\)|a)?\s?:
    )$""",
    re.VERBOSE,
)
# Used only for the line just above a `>` quote, where a looser test is safe: it catches
# attributions in languages the list above does not know.
_ATTRIBUTION_HINT = re.compile(
    r"\bwrote\b|\bschrieb\b|\bécrit\b|\bescribió\b|\bysgrifennodd\b|\bpisze\b|\bnapisał"
    r"|\bschreef\b|\bscritto\b|\bescreveu\b|@|\b\d{1,2}:\d{2}\b|\b(?:19|20)\d{2}\b"
)
# After any white space, a form feed too: what is kept is trimmed of all of it.
_QUOTE = re.compile(r"^\s*>")
# Lines that start the history on their own: the signature delimiter, Outlook's separator and
# the footers mobile apps add below what was typed.
_HISTORY_LINE = re.compile(
    r"""^\s*(?:
        --[ \t]*
      | -{2,}\s*(?:Original\sMessage|Ursprüngliche\sNachricht|Message\sd'origine
                  |Mensaje\soriginal|Wiadomość\soryginalna)\s*-{2,}
      | Sent\sfrom\smy\s(?:iPhone|iPad|Android|Samsung|Galaxy|Huawei|Pixel|BlackBerry|mobile
                        |phone|smartphone|tablet)\b[^.!?]{0,40}[.!]?
      | (?:Get\sOutlook\sfor\s(?:iOS|Android)|Sent\sfrom\s(?:Mail|Outlook)\sfor\s(?:Windows|iOS
          |Android)|Sent\sfrom\sYahoo\sMail|Sent\sfrom\sSamsung\sMobile)\b.*
      | (?:Envoyé\sde\smon|Enviado\sdesde\smi)\s(?:iPhone|iPad)
      | Von\smeinem\s(?:iPhone|iPad)\sgesendet
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_UNDERSCORE_RULE = re.compile(r"^\s*_{20,}\s*$")
_FROM_HEADER = re.compile(r"^\s*\*?(?:From|De|Von|Od|Van|Oddi wrth)\s?:")
_SENT_HEADER = re.compile(
    r"^\s*\*?(?:Sent|Date|Envoyé|Gesendet|Datum|Enviado|Fecha|Wysłane|Wysłano|Data|Anfonwyd)\s?:"
)


def strip_quoted(text: str) -> str:
    """Cut `text` at the first line that starts quoted history, a signature or a mobile footer.

    History starts at a line beginning with `>` (taking with it the attribution line just above,
    even wrapped over two lines), an attribution line on its own ("On ... wrote:" and its French,
    German, Spanish, Welsh and Polish forms), Outlook's "-----Original Message-----", Outlook's
    underscore rule followed by "From:", an Outlook header block ("From:" then "Sent:" or "Date:"
    within three lines), the signature delimiter "-- " (or "--"), and footers such as "Sent from
    my iPhone". Text before the cut is kept as written; line endings become "\\n" and whitespace
    around the result is trimmed.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(lines[: _history_start(lines)]).strip()


def _history_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _QUOTE.match(line):
            return _attribution_above(lines, index)
        if (
            _HISTORY_LINE.match(line)
            or _attribution_at(lines, index)
            or (_UNDERSCORE_RULE.match(line) and _header_follows(lines, index + 1, _FROM_HEADER, 2))
            or (_FROM_HEADER.match(line) and _header_follows(lines, index + 1, _SENT_HEADER, 3))
        ):
            return index
    return len(lines)


def _joined(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(line.strip() for line in lines))


def _attribution_at(lines: list[str], index: int) -> bool:
    for end in range(index + 1, min(index + 3, len(lines)) + 1):
        if not lines[end - 1].strip():
            return False
        if _ATTRIBUTION.match(_joined(lines[index:end])):
            # "On Monday I can come." above a real attribution also matches once joined to it;
            # the attribution then starts on the next line, not this one.
            return end == index + 1 or not _ATTRIBUTION.match(_joined(lines[index + 1 : end]))
    return False


def _attribution_above(lines: list[str], quote_index: int) -> int:
    above = quote_index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above < 0:
        return quote_index
    line = lines[above].rstrip()
    if not (line.endswith(":") and _ATTRIBUTION_HINT.search(line)):
        return quote_index
    # Gmail breaks a long attribution inside the address: "..., Jo Bloggs <" / "jo@x> wrote:".
    if above > 0 and (lines[above - 1].rstrip().endswith("<") or line.lstrip().startswith("<")):
        return above - 1
    return above


def _header_follows(lines: list[str], start: int, header: re.Pattern[str], within: int) -> bool:
    following = [line for line in lines[start : start + within + 1] if line.strip()][:within]
    return any(header.match(line) for line in following)


_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Line breaks an element gives before and after it; 2 leaves a blank line (a paragraph).
_BREAKS = dict.fromkeys(
    ("address", "article", "aside", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption",
     "figure", "footer", "form", "header", "li", "main", "nav", "ol", "pre", "section", "table",
     "tbody", "tfoot", "thead", "tr", "ul"), 1,
) | dict.fromkeys(("p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "blockquote"), 2)  # fmt: skip
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template"})
# Containers that begin the quoted history: everything from here on was written by someone else.
_HISTORY_CLASSES = frozenset(
    {"gmail_quote", "gmail_quote_container", "gmail_attr", "yahoo_quoted", "moz-cite-prefix",
     "protonmail_quote"}
)  # fmt: skip
_HISTORY_ID = re.compile(r"(?:^|_)(?:divRplyFwdMsg|appendonsend)$|^OLK_SRC_BODY_SECTION$")
# Apple Mail's div#AppleMailSignature is deliberately absent: iOS often puts the whole typed
# reply inside it, so dropping it would drop the reply. Its "Sent from my iPhone" is cut as text.
_SIGNATURE_CLASSES = frozenset({"gmail_signature", "gmail_signature_prefix"})


class _TextCollector(HTMLParser):
    """Collect the visible text of an HTML reply, leaving out quotes and what follows history."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._pending_breaks = 0
        self._line_has_text = False
        self._item_marker = ""
        self._lists: list[int | None] = []  # next number for <ol>, None for <ul>
        self._dropped_tag: str | None = None  # inside this element, nothing is collected
        self._dropped_depth = 0
        self._in_pre = 0
        self._finished = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._finished:
            return
        if self._dropped_tag:
            if tag == self._dropped_tag:
                self._dropped_depth += 1
            elif tag == "body" and self._dropped_tag == "head":
                self._dropped_tag = None  # the </head> was left out, which HTML allows
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if classes & _HISTORY_CLASSES or _HISTORY_ID.search(attributes.get("id") or ""):
            self._finished = True
        elif tag not in _VOID_TAGS and (
            tag in _HIDDEN_TAGS or tag == "blockquote" or classes & _SIGNATURE_CLASSES
        ):
            self._dropped_tag, self._dropped_depth = tag, 1
        elif tag == "br":
            self._pending_breaks += 1
        elif tag in ("td", "th"):
            self.handle_data(" ")
        else:
            self._request_breaks(_BREAKS.get(tag, 0))
            self._in_pre += tag == "pre"
            if tag in ("ol", "ul"):
                self._lists.append(1 if tag == "ol" else None)
            elif tag == "li":
                number = self._lists[-1] if self._lists else None
                self._item_marker = "- " if number is None else f"{number}. "
                if number is not None:
                    self._lists[-1] = number + 1

    def handle_endtag(self, tag: str) -> None:
        if self._finished:
            return
        if self._dropped_tag:
            if tag == self._dropped_tag:
                self._dropped_depth -= 1
                if self._dropped_depth == 0:
                    self._dropped_tag = None
                    self._request_breaks(_BREAKS.get(tag, 0))
            return
        self._request_breaks(_BREAKS.get(tag, 0))
        if tag == "pre" and self._in_pre:
            self._in_pre -= 1
        elif tag in ("ol", "ul") and self._lists:
            self._lists.pop()

    def handle_data(self, data: str) -> None:
        if self._finished or self._dropped_tag:
            return
        if not self._in_pre:
            data = re.sub(r"\s+", " ", data)
        if not data.strip():
            if self._line_has_text and not self._pending_breaks:
                self.parts.append(" ")  # keeps "<b>one</b> <i>two</i>" as two words
            return
        if self.parts and self._pending_breaks:
            self.parts.append("\n" * self._pending_breaks)
        self.parts.append(self._item_marker + data)
        self._pending_breaks, self._item_marker, self._line_has_text = 0, "", True

    def _request_breaks(self, count: int) -> None:
        # A list item has already started its line; a <p> or <div> inside it must not add more.
        if count and not self._item_marker:
            self._pending_breaks = max(self._pending_breaks, count)
            self._line_has_text = False


def html_to_text(html: str) -> str:
    """Turn an HTML email body into plain text, leaving out quoted history and signatures.

    Block elements end lines and paragraphs are separated by a blank line; list items become
    "- item" or "1. item"; entities are decoded; script, style, head and title are dropped;
    whitespace inside a line is collapsed. Everything inside <blockquote> is dropped, collection
    stops at the containers where clients put quoted history (Gmail gmail_quote and gmail_attr,
    Outlook divRplyFwdMsg and appendonsend, Yahoo yahoo_quoted, Thunderbird moz-cite-prefix),
    and Gmail's signature container is dropped.
    """
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except AssertionError:
        pass  # html.parser gives up on some malformed declarations; keep what it collected
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
