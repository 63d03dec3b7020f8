"""The benchmarks run at a tiny size, so they never rot (their numbers live in bench/)."""

from __future__ import annotations

from bench.broadcast import main as broadcast
from bench.inbound import main as inbound
from bench.scale import main as scale


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


async def test_the_inbound_benchmark_stores_every_comment_and_prints_its_table() -> None:
    table = await inbound(["--rate", "20", "--seconds", "1", "--senders", "10"])
    lines = table.splitlines()
    assert lines[0] == "Inbound comments from 10 senders on SQLite"
    rows = [line.split() for line in lines[2:6]]
    # Every request sent was answered 200 (coproduce's rows end with how long the flows
    # took, so their counts sit one column further left).
    assert all(row[-7] == row[-6] != "0" for row in rows[:2])
    assert all(row[-6] == row[-5] != "0" for row in rows[2:])
    assert [" ".join(row[:2]) for row in rows] == ["coproduce serve"] * 2 + ["bare Starlette"] * 2
    assert lines[-1].startswith("at saturation coproduce answers ")


async def test_the_scale_benchmark_runs_each_size_in_its_own_process() -> None:
    table = await scale(["--sizes", "6,12", "--dispatch-up-to", "6"])
    lines = table.splitlines()
    assert lines[0] == "Broadcast at growing sizes on SQLite"
    assert lines[2].split()[0] == "6" and "not run" not in lines[2]
    assert lines[3].split()[0] == "12" and "not run" in lines[3]
