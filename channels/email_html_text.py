"""Turn the HTML body of an email into plain text, leaving out what clients mark as history.

`<blockquote>` holds quoted history in every client; Gmail's `gmail_attr`, Thunderbird's
`moz-cite-prefix` and Yandex's or Mail.ru's attribution line hold the line above it. Outlook's
`divRplyFwdMsg`, `appendonsend` and Hotmail's `stopSpelling` start an old message left
unquoted, as does Yahoo's `yahoo_quoted`: nothing after them is the person's.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["QUOTE_MARK", "html_to_text"]

# Stands for a dropped <blockquote> in the text given to the line rules, so that they can tell
# an attribution line above a quote and a reply typed below one.
QUOTE_MARK = ">"

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
# Containers after which everything is history left unquoted: the old message follows them.
_HISTORY_CLASSES = frozenset({"yahoo_quoted"})
_HISTORY_ID = re.compile(
    r"(?:^|_)(?:divRplyFwdMsg|appendonsend)$|^OLK_SRC_BODY_SECTION$|^stopSpelling$"
)
# Outlook's Word HTML writes every line as <p class="MsoNormal"> with no margin, and an empty
# line as one holding &nbsp;: each is a line, not a paragraph.
_LINE_CLASSES = frozenset({"MsoNormal"})
# Containers holding only the attribution line above a quote: dropped, what follows is read.
_ATTRIBUTION_CLASSES = frozenset({"gmail_attr", "moz-cite-prefix"})
# Apple Mail's div#AppleMailSignature is deliberately absent: iOS often puts the whole typed
# reply inside it, so dropping it would drop the reply. Its "Sent from my iPhone" is cut as text.
# Proton's own footer has a container of its own, whatever language it is written in (the
# person's signature is in protonmail_signature_block-user, which is read).
_SIGNATURE_CLASSES = frozenset(
    {"gmail_signature", "gmail_signature_prefix", "protonmail_signature_block-proton"}
)


class _TextCollector(HTMLParser):
    """Collect the visible text of an HTML reply, leaving out quotes and what follows history."""

    def __init__(self, quote_marks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._quote_marks = quote_marks
        self.parts: list[str] = []
        self._pending_breaks = 0
        self._line_has_text = False
        self._item_marker = ""
        self._lists: list[int | None] = []  # next number for <ol>, None for <ul>
        self._dropped_tag: str | None = None  # inside this element, nothing is collected
        self._dropped_depth = 0
        self._in_pre = 0
        self._word_paragraph = False  # inside Word's <p class="MsoNormal">
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
        elif tag == "blockquote":
            if self._quote_marks:
                self._request_breaks(1)
                self.handle_data(QUOTE_MARK)
                self._request_breaks(1)
            self._dropped_tag, self._dropped_depth = tag, 1
        elif tag not in _VOID_TAGS and (
            tag in _HIDDEN_TAGS or classes & (_SIGNATURE_CLASSES | _ATTRIBUTION_CLASSES)
        ):
            self._dropped_tag, self._dropped_depth = tag, 1
        elif tag == "br":
            self._pending_breaks += 1
        elif tag in ("td", "th"):
            self.handle_data(" ")
        else:
            if tag == "p":
                self._word_paragraph = bool(classes & _LINE_CLASSES)
            self._request_breaks(self._breaks(tag))
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
        self._request_breaks(self._breaks(tag))
        if tag == "pre" and self._in_pre:
            self._in_pre -= 1
        elif tag in ("ol", "ul") and self._lists:
            self._lists.pop()

    def handle_data(self, data: str) -> None:
        if self._finished or self._dropped_tag:
            return
        nbsp_only = "\xa0" in data and not data.strip()
        if not self._in_pre:
            data = re.sub(r"\s+", " ", data)
        if not data.strip():
            if nbsp_only and not self._line_has_text and self.parts:
                # <div>&nbsp;</div> is how Outlook, Yandex and Mail.ru write an empty line.
                self._pending_breaks = max(self._pending_breaks, 1) + 1
            elif self._line_has_text and not self._pending_breaks:
                self.parts.append(" ")  # keeps "<b>one</b> <i>two</i>" as two words
            return
        if self.parts and self._pending_breaks:
            self.parts.append("\n" * self._pending_breaks)
        self.parts.append(self._item_marker + data)
        self._pending_breaks, self._item_marker, self._line_has_text = 0, "", True

    def _breaks(self, tag: str) -> int:
        return 1 if tag == "p" and self._word_paragraph else _BREAKS.get(tag, 0)

    def _request_breaks(self, count: int) -> None:
        # A list item has already started its line; a <p> or <div> inside it must not add more.
        if count and not self._item_marker:
            self._pending_breaks = max(self._pending_breaks, count)
            self._line_has_text = False


def html_to_text(html: str, quote_marks: bool = False) -> str:
    """Turn an HTML email body into plain text, leaving out quoted history and signatures.

    Block elements end lines and paragraphs are separated by a blank line; list items become
    "- item" or "1. item"; entities are decoded; script, style, head and title are dropped;
    whitespace inside a line is collapsed. Everything inside <blockquote> is dropped (with
    `quote_marks`, a line holding only `QUOTE_MARK` stands in its place), as are the
    attribution containers (Gmail gmail_attr, Thunderbird moz-cite-prefix), Gmail's
    signature and Proton's footer; Outlook's Word paragraphs (MsoNormal) are lines.
    Collection stops at the containers after which clients put an old message unquoted
    (Outlook divRplyFwdMsg, appendonsend and stopSpelling, Yahoo yahoo_quoted).
    """
    collector = _TextCollector(quote_marks)
    try:
        collector.feed(html)
        collector.close()
    except AssertionError:
        pass  # html.parser gives up on some malformed declarations; keep what it collected
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
