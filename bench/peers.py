"""The local providers for a benchmark, in their own process: prints the settings that point
coproduce at them as one JSON line, then answers each ``total`` line on its input with how
many messages they hold, until its input ends."""

from __future__ import annotations

import json
import sys

from tests.broadcast_kit import running_peers


def main() -> None:
    with running_peers() as peers:
        print(json.dumps(peers.settings()), flush=True)
        for line in sys.stdin:
            if line.strip() == "total":
                print(peers.total(), flush=True)


if __name__ == "__main__":
    main()
