"""How often each reader finds exactly the new text of a real client's email reply.

    .venv/bin/python -m bench.replies [--misses]

Runs our reader (`channels.email_reply.read_reply`), talon and mail-parser-reply on the
labelled replies in `tests/fixtures/replies/` and prints the share read exactly (after trimming
whitespace at line ends and runs of blank lines), overall, per client and per language. Every
reader gets the same decoded body (charset, transfer encoding and format=flowed undone by us),
so only finding the history is compared: the plain part when there is one, else the HTML
(talon reads the HTML itself; mail-parser-reply, which reads text only, gets our HTML-to-text
with quotes left out). Each library is also run with its own signature removal (talon's
brute-force extractor, mail-parser-reply's `body`). The libraries are optional:
`pip install -e '.[bench-replies]'`.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from channels.email_reply import decoded_body, html_to_text, read_reply

REPLIES = Path(__file__).parent.parent / "tests" / "fixtures" / "replies"
# Written by someone who had not seen the reader, after it was built (README.md there).
HOLDOUT = REPLIES.with_name("replies_holdout")
# mail-parser-reply reads history markers in the languages it is told to expect.
_MAIL_PARSER_LANGUAGES = ["en", "de", "fr", "it", "es", "nl", "pl", "sv", "da", "cs"]


@dataclass(frozen=True)
class LabelledReply:
    name: str  # client/case, "holdout/client/case" for the held-out set
    client: str
    language: str
    source: bytes
    expected: str
    part: str = "built"  # "built" with the reader (or after it, by hand) or "holdout"


def labelled_replies(folders: tuple[Path, ...] = (REPLIES, HOLDOUT)) -> list[LabelledReply]:
    """Every labelled reply in the sets, in name order, the held-out set last."""
    found = []
    for folder in folders:
        part = "holdout" if folder == HOLDOUT else "built"
        languages = json.loads((folder / "languages.json").read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*/*.eml")):
            key = f"{path.parent.name}/{path.stem}"
            expected = path.with_suffix(".expected.txt").read_text(encoding="utf-8")
            found.append(
                LabelledReply(
                    key if part == "built" else f"{part}/{key}",
                    path.parent.name,
                    languages[key],
                    path.read_bytes(),
                    expected.removesuffix("\n"),
                    part,
                )
            )
    return found


def normalised(text: str) -> str:
    """Text with whitespace at line ends trimmed and runs of blank lines made one."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _message(source: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(source, policy=email.policy.default)  # type: ignore[return-value]


def ours(source: bytes) -> str:
    return read_reply(_message(source)).text


def _talon(signature: bool) -> Callable[[bytes], str] | str:
    try:
        import talon
        from talon import quotations
        from talon.signature.bruteforce import extract_signature
    except ImportError:
        return "not installed: pip install talon"
    talon.init()

    def read(source: bytes) -> str:
        subtype, text = decoded_body(_message(source))
        if subtype == "html":
            text = html_to_text(quotations.extract_from_html(text))
        else:
            text = quotations.extract_from_plain(text)
        # talon's second step, its brute-force signature extractor ("Sent from my iPhone" too).
        return extract_signature(text)[0] if signature else text

    return read


def _mail_parser_reply(signature: bool) -> Callable[[bytes], str] | str:
    try:
        from mailparser_reply import EmailReplyParser
    except ImportError:
        return "not installed: pip install mail-parser-reply"
    parser = EmailReplyParser(languages=_MAIL_PARSER_LANGUAGES)

    def read(source: bytes) -> str:
        subtype, text = decoded_body(_message(source))
        if subtype == "html":
            text = html_to_text(text)
        replies = parser.read(text).replies
        if not replies:
            return ""
        # `content` is its latest_reply; `body` also leaves out what it takes for signatures.
        return replies[0].body if signature else replies[0].content

    return read


def readers() -> dict[str, Callable[[bytes], str] | str]:
    """Each reader by name, or why it cannot run."""
    return {
        "ours": ours,
        "talon": _talon(signature=False),
        "talon + signature": _talon(signature=True),
        "mail-parser-reply": _mail_parser_reply(signature=False),
        "mail-parser-reply body": _mail_parser_reply(signature=True),
    }


def exact(read: Callable[[bytes], str], reply: LabelledReply) -> bool:
    try:
        found = read(reply.source)
    except Exception:  # a library that raises on a reply has not read it
        return False
    return normalised(found) == normalised(reply.expected)


def scores(replies: list[LabelledReply], misses: bool = False) -> dict[str, dict[str, float]]:
    """Share read exactly by each installed reader: "all", "client:<c>" and "language:<l>"."""
    results: dict[str, dict[str, float]] = {}
    for name, read in readers().items():
        if isinstance(read, str):
            print(f"{name}: {read}")
            continue
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for reply in replies:
            right = exact(read, reply)
            if misses and not right and name == "ours":
                print(f"miss: {reply.name}")
            for key in (
                "all",
                f"set:{reply.part}",
                f"client:{reply.client}",
                f"language:{reply.language}",
            ):
                counts[key][0] += right
                counts[key][1] += 1
        results[name] = {key: good / total for key, (good, total) in counts.items()}
    return results


def _table(results: dict[str, dict[str, float]], replies: list[LabelledReply]) -> str:
    names = list(results)
    sizes: dict[str, int] = defaultdict(int)
    for reply in replies:
        sizes["all"] += 1
        sizes[f"set:{reply.part}"] += 1
        sizes[f"client:{reply.client}"] += 1
        sizes[f"language:{reply.language}"] += 1
    keys = [
        "all",
        *sorted(k for k in sizes if k.startswith("set:")),
        *sorted(k for k in sizes if k.startswith("client:")),
        *sorted(k for k in sizes if k.startswith("language:")),
    ]
    rows = ["| | cases | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for key in keys:
        cells = " | ".join(f"{results[name].get(key, 0):.0%}" for name in names)
        rows.append(f"| {key} | {sizes[key]} | {cells} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the cases ours gets wrong")
    arguments = parser.parse_args()
    replies = labelled_replies()
    print(_table(scores(replies, arguments.misses), replies))


if __name__ == "__main__":
    main()
