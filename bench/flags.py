"""Flags benchmark: precision and recall of the sharing checks (flows.sharing_flags) on the
labelled comments, per flag and per language, and how long a comment takes.

    .venv/bin/python -m bench.flags [--misses] [--fixture PATH]

``--misses`` also prints every flag missed and every false flag, with the comment.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.sharing_flags import Flag, find_flags

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "sharing_flags.jsonl"
LANGUAGES = ("en", "cy", "pl", "ur")


@dataclass(frozen=True)
class Labelled:
    text: str
    language: str
    author: str | None
    flags: frozenset[Flag]


@dataclass(frozen=True)
class Checked:
    comment: Labelled
    found: frozenset[Flag]


@dataclass(frozen=True)
class Score:
    labelled: int  # comments labelled with the flag
    found: int  # comments the checks flagged
    right: int  # both

    @property
    def precision(self) -> float | None:
        return self.right / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.right / self.labelled if self.labelled else None


def load_labelled(path: Path = FIXTURE) -> list[Labelled]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return [
        Labelled(row["text"], row["language"], row["author"], frozenset(map(Flag, row["flags"])))
        for row in rows
    ]


def check_all(comments: Iterable[Labelled]) -> list[Checked]:
    return [
        Checked(comment, find_flags(comment.text, author_name=comment.author))
        for comment in comments
    ]


def score(checked: Iterable[Checked], flags: Iterable[Flag] = tuple(Flag)) -> Score:
    """One score over the given flags together (micro-averaged)."""
    labelled = found = right = 0
    for one in checked:
        for flag in flags:
            labelled += flag in one.comment.flags
            found += flag in one.found
            right += flag in one.comment.flags and flag in one.found
    return Score(labelled, found, right)


def in_language(checked: Iterable[Checked], language: str) -> list[Checked]:
    return [one for one in checked if language in ("all", one.comment.language)]


def report(checked: list[Checked], seconds: float) -> str:
    lines = [
        f"Flags on {len(checked)} labelled comments, {seconds / len(checked) * 1000:.2f} ms each",
        f"{'language':<9}{'flag':<14}{'labelled':>9}{'found':>7}{'right':>7}"
        f"{'precision':>11}{'recall':>8}",
    ]
    for language in ("all", *LANGUAGES):
        those = in_language(checked, language)
        for name, flags in [*((flag.value, (flag,)) for flag in Flag), ("all", tuple(Flag))]:
            result = score(those, flags)
            lines.append(
                f"{language:<9}{name:<14}{result.labelled:>9}{result.found:>7}{result.right:>7}"
                f"{ratio(result.precision):>11}{ratio(result.recall):>8}"
            )
    return "\n".join(lines)


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def misses(checked: Iterable[Checked]) -> str:
    lines = []
    for one in checked:
        if one.found != one.comment.flags:
            missed = ",".join(sorted(one.comment.flags - one.found)) or "-"
            false = ",".join(sorted(one.found - one.comment.flags)) or "-"
            lines.append(
                f"[{one.comment.language}] missed {missed}; false {false}; {one.comment.text!r}"
                f" (author {one.comment.author})"
            )
    return "\n".join(lines) or "no misses and no false flags"


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print each miss and false flag")
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    options = parser.parse_args(argv)
    comments = load_labelled(options.fixture)
    started = time.perf_counter()
    checked = check_all(comments)
    table = report(checked, time.perf_counter() - started)
    return f"{table}\n\n{misses(checked)}" if options.misses else table


if __name__ == "__main__":
    print(main(sys.argv[1:]))
