"""Scale benchmark: the broadcast at growing sizes, each in a fresh process, with the time of
each stage and the process's peak resident memory, so the growth is visible.

    .venv/bin/python -m bench.scale [--sizes 1000,10000,100000] [--database-url URL]

Time should grow in step with the number of members and memory should stay flat: members
are read a page at a time and the dispatcher holds only what it is sending.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def one_size(people: int, options: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.broadcast", f"--people={people}", "--no-limit"]
    command += ["--json", f"--concurrency={options.concurrency}"]
    if people > options.dispatch_up_to:
        command.append("--enqueue-only")
    if options.database_url:
        command.append(f"--database-url={options.database_url}")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        f"Broadcast at growing sizes on {results[0]['database']}",
        f"{'members':>8} {'enqueue s':>10} {'msg/s':>8} {'dispatch s':>11} {'msg/s':>8} "
        f"{'peak RSS MB':>12}",
    ]
    for result in results:
        cells = [f"{result['people']:>8}"]
        for stage, width in (("enqueue", 10), ("dispatch", 11)):
            if stage in result["stages"]:
                messages, seconds = result["stages"][stage]
                cells += [f"{seconds:>{width}.2f}", f"{messages / seconds:>8.0f}"]
            else:
                cells += [f"{'not run':>{width}}", f"{'':>8}"]
        cells.append(f"{result['peak_rss_mb']:>12.0f}")
        lines.append(" ".join(cells))
    return "\n".join(lines)


async def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--dispatch-up-to",
        type=int,
        default=10**9,
        help="measure only the enqueue above this size (dispatching 100,000 takes minutes)",
    )
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    options = parser.parse_args(argv)
    sizes = [int(size) for size in options.sizes.split(",")]
    results = [await asyncio.to_thread(one_size, people, options) for people in sizes]
    return report(results)


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1:])))
