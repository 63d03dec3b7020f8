"""The benchmarks run at a tiny size, so they never rot (their numbers live in bench/)."""

from __future__ import annotations

from bench.broadcast import main as broadcast
from bench.inbound import main as inbound
from bench.scale import main as scale
from bench.workspace import main as workspace


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


async def test_the_workspace_benchmark_runs_the_same_statements_whatever_the_size() -> None:
    small = await workspace(_workspace_sizes(people=8, comments=6))
    larger = await workspace(_workspace_sizes(people=16, comments=70))
    lines = larger.splitlines()
    assert lines[0] == "Workspace pages for 16 members and 70 comments on SQLite"
    rows = {line[:18].strip(): line.split()[-2] for line in lines[2:-2]}
    assert "record" in rows and "comments waiting" in rows and "audit" in rows
    # More people and comments on a page, and not one statement more for them.
    assert rows == {line[:18].strip(): line.split()[-2] for line in small.splitlines()[2:-2]}
    assert lines[-1].startswith("over 200 ms at p95: ")


def _workspace_sizes(*, people: int, comments: int) -> list[str]:
    sizes = {"people": people, "comments": comments, "questions": 11, "inbound": 30, "audit": 5}
    return [f"--{name}={value}" for name, value in sizes.items()] + ["--requests=2"]
