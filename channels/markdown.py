"""Markdown, as each channel sends it: HTML for email, Telegram's HTML, plain text.

Briefs, answers and a lead's own words are written in Markdown (CommonMark, read by
markdown-it-py); every other body is plain text and is never read as Markdown (an outbound
message says which it is). A line wrapped mid-sentence in the source joins its paragraph;
a hard break (a backslash or two spaces at the end of a line) stays a line break. Raw HTML
in the source is text, shown as typed, never markup.

- :func:`to_html`: the blocks of an email's HTML part, headings one level below the page's
  ``<h1>`` and never skipping a level;
- :func:`telegram_blocks` / :func:`to_telegram_html`: Telegram's HTML parse mode, which knows
  only b, i, a, code, pre and blockquote: lists become lines starting "• " or "1. ",
  headings bold lines;
- :func:`to_plain`: SMS and an email's plain part: no emphasis marks, a link as
  "text (https://…)" (just the address when that is its text), lists as "- item" / "1. item".
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

# Raw HTML off: a "<" someone typed is a "<", not a tag.
_PARSER = MarkdownIt("commonmark", {"html": False})

# A bare web address, not already a link's target, an autolink or code: made an autolink
# before parsing, so an underscore or asterisk in it is never read as emphasis.
_BARE_URL = re.compile(r"(?<![<(\[`\w/=\"'])https?://[^\s<>\"`\\]+[^\s<>\"`\\.,;:!?)\]*_]")
# Link targets a Telegram message may carry; anything else is written out as text.
_TELEGRAM_SCHEMES = ("http://", "https://", "mailto:", "tg://")
_INDENT = "   "


def _tree(markdown: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(_PARSER.parse(_BARE_URL.sub(r"<\g<0>>", markdown)))


# --- plain text ---------------------------------------------------------------------------


def to_plain(markdown: str) -> str:
    """The text without Markdown marks, blocks separated by a blank line."""
    return "\n\n".join(_blocks(_tree(markdown), _plain_inline, _plain_block)).strip("\n")


def _plain_inline(node: SyntaxTreeNode) -> str:
    match node.type:
        case "text":
            return node.content
        case "softbreak":
            return " "
        case "hardbreak":
            return "\n"
        case "code_inline":
            return node.content
        case "link" | "image":
            text = _children(node, _plain_inline) or str(node.attrs.get("alt") or "")
            return _written_out(text, _target(node))
    return _children(node, _plain_inline)


def _written_out(text: str, target: str) -> str:
    """A link as plain text: "text (address)", or the address alone when it is the text
    (an autolink's address is percent-encoded: "é" in the text is "%C3%A9" in it)."""
    if not text:
        return target
    if target in {_PARSER.normalizeLink(text), _PARSER.normalizeLink(f"mailto:{text}")}:
        return text
    return f"{text} ({target})"


def _plain_block(node: SyntaxTreeNode, inner: list[str]) -> str:
    match node.type:
        case "blockquote":
            lines = "\n\n".join(inner).split("\n")
            return "\n".join(f"> {line}" if line else ">" for line in lines)
        case "code_block" | "fence":
            return node.content.rstrip("\n")
        case "hr":
            return "---"
    return "\n\n".join(inner)


# --- Telegram ----------------------------------------------------------------------------


def to_telegram_html(markdown: str) -> str:
    """The text in Telegram's HTML parse mode, paragraphs separated by a blank line."""
    return "\n\n".join(telegram_blocks(markdown))


def telegram_blocks(markdown: str) -> list[str]:
    """Each top-level block in Telegram's HTML, to be sent together or in parts."""
    return _blocks(_tree(markdown), _telegram_inline, _telegram_block)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _telegram_inline(node: SyntaxTreeNode) -> str:
    inner = _children(node, _telegram_inline)
    match node.type:
        case "text":
            return _escape(node.content)
        case "softbreak":
            return " "
        case "hardbreak":
            return "\n"
        case "code_inline":
            return f"<code>{_escape(node.content)}</code>"
        case "em":
            return f"<i>{inner}</i>"
        case "strong":
            return f"<b>{inner}</b>"
        case "link" | "image":
            target = _target(node)
            text = inner or _escape(str(node.attrs.get("alt") or "")) or _escape(target)
            if target.startswith(_TELEGRAM_SCHEMES):
                return f'<a href="{html.escape(target)}">{text}</a>'
            return f"{text} ({_escape(target)})"
    return inner


def _telegram_block(node: SyntaxTreeNode, inner: list[str]) -> str:
    match node.type:
        case "heading":
            return f"<b>{inner[0]}</b>" if inner else ""
        case "blockquote":
            return "<blockquote>" + "\n\n".join(inner) + "</blockquote>"
        case "code_block" | "fence":
            return f"<pre>{_escape(node.content.rstrip(chr(10)))}</pre>"
        case "hr":
            return "———"
    return "\n\n".join(inner)


def telegram_parts(markdown: str, limit: int, split: Callable[[str, int], list[str]]) -> list[str]:
    """The text in Telegram's HTML, in parts of at most ``limit`` UTF-16 units with the
    markup counted (Telegram counts the text without it), split between blocks. A block
    longer than that goes as its text without markup, cut by ``split``."""
    parts: list[str] = []
    current = ""
    for block in telegram_blocks(markdown):
        candidate = f"{current}\n\n{block}" if current else block
        if _length(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        if _length(block) <= limit:
            current = block
        else:
            parts.extend(_escape(piece) for piece in split(telegram_plain(block), limit))
    return [*parts, current] if current or not parts else parts


_TELEGRAM_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)
_TELEGRAM_TAG = re.compile(r"</?(?:b|i|code|pre|blockquote)>")


def telegram_plain(part: str) -> str:
    """A part in Telegram's HTML as plain text, for when Telegram cannot read the HTML."""

    def written_out(link: re.Match[str]) -> str:
        words = html.unescape(_TELEGRAM_TAG.sub("", link[2]))
        return _escape(_written_out(words, html.unescape(link[1])))

    return html.unescape(_TELEGRAM_TAG.sub("", _TELEGRAM_LINK.sub(written_out, part)))


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --- email HTML --------------------------------------------------------------------------


def to_html(markdown: str) -> str:
    """The blocks of an email's HTML part, one a line. The page's ``<h1>`` is its title, so
    the text's headings start at ``<h2>`` and go one level deeper at most (h2 to h4 never)."""
    tree = _tree(markdown)
    levels = _heading_levels(tree)
    out: list[str] = []
    for node in tree.children:
        out.append(_html_block(node, levels))
    return "\n".join(block for block in out if block)


def _heading_levels(tree: SyntaxTreeNode) -> dict[int, int]:
    """The HTML level of each heading, by its position among the headings."""
    headings = [node for node in tree.walk() if node.type == "heading"]
    marks = [int(node.tag[1]) for node in headings]
    top, level, levels = min(marks, default=1), 1, {}
    for index, mark in enumerate(marks):
        level = min(mark - top + 2, level + 1, 6)
        levels[id(headings[index])] = level
    return levels


def _html_inline(node: SyntaxTreeNode) -> str:
    inner = _children(node, _html_inline)
    match node.type:
        case "text":
            return html.escape(node.content, quote=False)
        case "softbreak":
            return " "
        case "hardbreak":
            return "<br>\n"
        case "code_inline":
            return f"<code>{html.escape(node.content, quote=False)}</code>"
        case "em":
            return f"<em>{inner}</em>"
        case "strong":
            return f"<strong>{inner}</strong>"
        case "link" | "image":
            # An image becomes a link to it: mail programs hide images, and a link always
            # has words, its own or the address.
            target = _target(node)
            text = inner or html.escape(str(node.attrs.get("alt") or "")) or html.escape(target)
            return f'<a href="{html.escape(target)}">{text}</a>'
    return inner


def _html_block(node: SyntaxTreeNode, levels: dict[int, int]) -> str:
    children = [_html_block(child, levels) for child in node.children]
    match node.type:
        case "paragraph":
            text = _html_inline(node.children[0]) if node.children else ""
            return text if node.hidden else f"<p>{text}</p>"
        case "heading":
            level = levels.get(id(node), 2)
            text = _html_inline(node.children[0]) if node.children else ""
            return f"<h{level}>{text}</h{level}>"
        case "bullet_list":
            return "<ul>\n" + "\n".join(children) + "\n</ul>"
        case "ordered_list":
            start = int(node.attrs.get("start") or 1)
            opening = "<ol>" if start == 1 else f'<ol start="{start}">'
            return opening + "\n" + "\n".join(children) + "\n</ol>"
        case "list_item":
            return "<li>" + "\n".join(children) + "</li>"
        case "blockquote":
            return "<blockquote>\n" + "\n".join(children) + "\n</blockquote>"
        case "code_block" | "fence":
            return f"<pre>{html.escape(node.content, quote=False)}</pre>"
        case "hr":
            return "<hr>"
    return "\n".join(children)


# --- shared ------------------------------------------------------------------------------

Inline = Callable[[SyntaxTreeNode], str]
Block = Callable[[SyntaxTreeNode, list[str]], str]


def _children(node: SyntaxTreeNode, inline: Inline) -> str:
    return "".join(inline(child) for child in node.children)


def _target(node: SyntaxTreeNode) -> str:
    return str(node.attrs.get("href") or node.attrs.get("src") or "")


def _blocks(node: SyntaxTreeNode, inline: Inline, block: Block) -> list[str]:
    """The text of each child block of ``node``, lists written out as lines."""
    out: list[str] = []
    for child in node.children:
        match child.type:
            case "paragraph" | "heading":
                out.append(inline(child.children[0]) if child.children else "")
                if child.type == "heading":
                    out[-1] = block(child, [out[-1]])
            case "bullet_list" | "ordered_list":
                out.append(_list(child, inline, block))
            case _:
                out.append(block(child, _blocks(child, inline, block)))
    return [text for text in out if text]


def _list(node: SyntaxTreeNode, inline: Inline, block: Block) -> str:
    """Each item a line starting with its mark ("- " in plain text, "• " on Telegram, or
    its number); what follows in the item is indented under it."""
    bullet = "• " if inline is _telegram_inline else "- "
    number = int(node.attrs.get("start") or 1)
    lines: list[str] = []
    for item in node.children:
        mark = f"{number}. " if node.type == "ordered_list" else bullet
        number += 1
        text = "\n".join(_blocks(item, inline, block))
        first, *rest = text.split("\n") or [""]
        lines.append(mark + first)
        lines.extend(_INDENT + line if line else line for line in rest)
    return "\n".join(lines)


def escape(text: str) -> str:
    """Plain text (a contributor's own words) as Markdown that reads back as exactly that
    text, its line breaks kept: for a plain text set inside a Markdown body."""
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"([\\`*\[\]<>~|])", r"\\\1", line.strip())
        # An underscore inside a word (under_score@example.org) is never emphasis, nor an
        # "&" that does not start an entity.
        line = re.sub(r"(?<!\w)_|_(?!\w)", r"\\_", line)
        line = re.sub(r"&(?=#?\w+;)", r"\\&", line)
        line = re.sub(r"^([#>+=-])", r"\\\1", line)
        line = re.sub(r"^(\d{1,9})([.)])", r"\1\\\2", line)
        lines.append(line)
    return "\\\n".join(line for line in lines if line)
