"""The benchmarks run at a tiny size, so they never rot (their numbers live in bench/)."""

from __future__ import annotations

from bench.broadcast import main as broadcast


async def test_the_broadcast_benchmark_delivers_everything_and_prints_its_table() -> None:
    table = await broadcast(["--people", "12", "--concurrency", "4"])
    lines = table.splitlines()
    assert lines[0] == "Broadcast to 12 members on SQLite"
    stages = {line[:36].strip(): line.split()[-3] for line in lines[2:5]}
    assert stages == {
        "enqueue (one transaction)": "12",
        "dispatch (database to providers)": "12",
        "limit (no database)": "12",
    }
    assert lines[-2].startswith("dispatch reaches ") and lines[-2].endswith("% of the limit")
    assert lines[-1].startswith("peak RSS ")
