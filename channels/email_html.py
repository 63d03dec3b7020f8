"""The HTML part of our emails: the plain text laid out as an accessible page.

The subject is the page's title and only level-one heading; Markdown headings in the text
become the levels below it, ``-`` and ``*`` lines become lists, links are clickable, and the
language (with its direction, right to left for Urdu) is declared. The page passes axe-core
(tests/test_email_accessibility.py). The plain-text part stays exactly the text, unless
the text is Markdown (a brief, an answer, a lead's own words), which is read as CommonMark
(:mod:`channels.markdown`) for both parts.
"""

from __future__ import annotations

import html
import re

from babel import Locale

from .markdown import to_html, to_plain

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


# Body text in pixels: GOV.UK's 19px for everyone; for large print, RNIB's 18 point, which
# is 24px on screen.
TEXT_SIZE = 19
LARGE_PRINT_SIZE = 24


def render_html(
    body: str, title: str, language: str, *, large_print: bool = False, markdown: bool = False
) -> str:
    """A plain, accessible HTML version of the text, with the language and direction declared.

    The title (the subject, else the opening words) is the page's one ``<h1>``; Markdown
    headings (``#``, ``##``...) become the levels below it, never skipping one; lines starting
    ``- `` or ``* `` become a list; other lines are paragraphs split at blank lines, their line
    breaks kept; links are made clickable. Nothing else of the text is dropped or changed.
    ``large_print`` sets the text in large print for people who asked for it. A Markdown
    body (``markdown``) is read as CommonMark instead (:func:`channels.markdown.to_html`):
    emphasis, links, numbered lists, and lines wrapped mid-sentence joined.
    """
    try:
        locale = Locale.parse(language)
        direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    except (ValueError, TypeError):
        direction = "ltr"
    heading = html.escape(title.strip() or _opening_words(to_plain(body) if markdown else body))
    blocks = to_html(body) if markdown else "\n".join(_html_blocks(body))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(language)}" dir="{direction}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{heading}</title>\n"
        "</head>\n"
        # Near-black on white (19:1) and the browser's underlined links: WCAG AA contrast,
        # and links told apart without colour.
        '<body style="font-family: Arial, Helvetica, sans-serif; '
        f"font-size: {LARGE_PRINT_SIZE if large_print else TEXT_SIZE}px; "
        'line-height: 1.5; color: #0b0c0c; background: #ffffff; margin: 16px;">\n'
        '<main style="max-width: 38em;">\n'
        f'<h1 style="font-size: 1.6em; line-height: 1.25;">{heading}</h1>\n'
        + blocks
        + "\n</main>\n</body>\n</html>\n"
    )


_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(\S.*?)(?:[ \t]+#+)?[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}[-*][ \t]+(.*)$")
_OPENING_WORDS = 10
# Up to the first full stop, question or exclamation mark (Urdu's too) followed by a space.
_SENTENCE = re.compile(r"\S.*?[.!?\u06d4\u061f](?=\s|$)")


def _opening_words(body: str) -> str:
    """A title for a message without a subject: its first sentence, or first few words."""
    first = next((line for line in body.splitlines() if line.strip()), "")
    text = re.sub(r"^[#>*\-\s]+", "", first)
    sentence = _SENTENCE.match(text)
    words = (sentence.group(0) if sentence else text).split()
    return " ".join(words[:_OPENING_WORDS]) + ("…" if len(words) > _OPENING_WORDS else "")


def _html_blocks(body: str) -> list[str]:
    """Headings, lists and paragraphs, in the order of the text."""
    out: list[str] = []
    marks = [len(m.group(1)) for m in map(_HEADING.match, body.splitlines()) if m]
    top, level = min(marks, default=1), 1  # the h1 is the title
    for block in re.split(r"\n\s*\n", body.strip()):
        lines: list[str] = []
        items: list[str] = []
        for line in block.splitlines():
            heading, item = _HEADING.match(line), _LIST_ITEM.match(line)
            if items and not item and not heading and line[:1].isspace() and line.strip():
                items[-1] += " " + _linkify(html.escape(line.strip()))  # a wrapped item
                continue
            if not item:
                _close_list(out, items)
            if heading or item:
                _close_paragraph(out, lines)
            if heading:
                # One level deeper at most, so a document's levels never skip (h2 to h4).
                level = min(len(heading.group(1)) - top + 2, level + 1, 6)
                out.append(f"<h{level}>{_linkify(html.escape(heading.group(2)))}</h{level}>")
            elif item:
                items.append(_linkify(html.escape(item.group(1))))
            else:
                lines.append(_linkify(html.escape(line)))
        _close_list(out, items)
        _close_paragraph(out, lines)
    return out


def _close_list(out: list[str], items: list[str]) -> None:
    if items:
        out.append("<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>")
        items.clear()


def _close_paragraph(out: list[str], lines: list[str]) -> None:
    if lines:
        out.append("<p>" + "<br>\n".join(lines) + "</p>")
        lines.clear()


def _linkify(escaped_line: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped_line)


def with_footer(page: str, footer: str) -> str:
    """The page with the footer's lines (each email's, from the flows) as its ``<footer>``,
    after the main text: a landmark of its own, links clickable."""
    lines = "<br>\n".join(_linkify(html.escape(line)) for line in footer.splitlines())
    block = (
        '<footer style="max-width: 38em; margin-top: 2em; border-top: 1px solid #b1b4b6;">\n'
        f"<p>{lines}</p>\n</footer>\n"
    )
    return page.replace("</body>", block + "</body>", 1)
