"""Workspace benchmark: how long each page of the leads' web workspace takes, and how many SQL
statements it runs, for one project with 10,000 members and 5,000 comments.

    .venv/bin/python -m bench.workspace [--people 10000] [--comments 5000] [--database-url URL]

The project is written in bulk (bench/workspace_data.py). A lead from the team signs in with
a link as a lead does, and then asks for each page many times, in turn, through the real app
(``bot.app.create_app``) over httpx's ASGI transport: no network, no server. Statements are
counted on the service's engine, for the whole request (the session check included).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bot.app import create_app
from bot.services import Services, build_services
from bot.settings import Settings
from flows.lead_sign_in import operator_link
from storage.db import transaction

from .kit import database_name, fresh_database
from .workspace_data import CODE, Built, Sizes, build_project

BASE = "http://workspace.bench"
# What the issue asks of every page.
GOAL_P95_MS = 200.0


def pages(built: Built) -> dict[str, str]:
    """Each page a lead uses, by a short name."""
    project = f"/lead/p/{CODE}"
    return {
        "projects": "/lead/",
        "overview": f"{project}/",
        "people": f"{project}/people",
        "inbox": f"{project}/inbox",
        "comments waiting": f"{project}/comments?show=waiting",
        "comments respond": f"{project}/comments?show=respond",
        "comments all": f"{project}/comments?show=all",
        "comment": f"{project}/comments/{built.comment_id}",
        "questions": f"{project}/questions",
        "brief": f"{project}/brief",
        "meetings": f"{project}/meetings",
        "record": f"{project}/record",
        "audit": f"{project}/audit",
    }


@dataclass(frozen=True)
class PageTiming:
    page: str
    milliseconds: list[float]
    statements: list[int]
    kilobytes: float

    def percentile(self, share: float) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    @property
    def statement_range(self) -> str:
        least, most = min(self.statements), max(self.statements)
        return str(least) if least == most else f"{least}-{most}"


class StatementCounter:
    """Counts what the engine sends to the database (``before_cursor_execute``)."""

    def __init__(self, services: Services) -> None:
        self.count = 0
        event.listen(services.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


async def sign_in(http: httpx.AsyncClient, services: Services, lead_id: int) -> None:
    """As a lead does with the link the operator printed: open it, press the button."""
    async with transaction(services.sessions) as session:
        _, link = await operator_link(
            session, str(lead_id), base_url=BASE, actor="bench", now=datetime.now(UTC)
        )
    path = link.removeprefix(BASE)
    shown = await http.get(path)
    token = re.search(r'name="csrftoken" value="([^"]+)"', shown.text)
    if token is None:
        raise RuntimeError(f"the sign-in page has no form ({shown.status_code})")
    answer = await http.post(path, data={"csrftoken": token.group(1), "next": "/lead/"})
    if answer.status_code != 303 or "coproduce_lead" not in http.cookies:
        raise RuntimeError(f"signing in failed ({answer.status_code})")


async def measure_pages(
    services: Services, built: Built, chosen: dict[str, str], requests: int, profile: str | None
) -> list[PageTiming]:
    counter = StatementCounter(services)
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        await sign_in(http, services, built.lead_id)
        sizes = {}
        for name, path in chosen.items():  # once each, unmeasured: templates are compiled
            sizes[name] = len((await _get(http, path)).content) / 1024
        samples: dict[str, tuple[list[float], list[int]]] = {name: ([], []) for name in chosen}
        profiler = _profiler(profile)
        with profiler:
            # Round after round, each page in turn, so a slow moment of the machine falls on
            # every page rather than on one.
            for _ in range(requests):
                for name, path in chosen.items():
                    counter.count = 0
                    started = time.perf_counter()
                    await _get(http, path)
                    samples[name][0].append((time.perf_counter() - started) * 1000)
                    samples[name][1].append(counter.count)
        if profile:
            Path(profile).write_text(profiler.output_html())  # type: ignore[attr-defined]  # noqa: ASYNC240
    return [PageTiming(name, *samples[name], sizes[name]) for name in chosen]


async def _get(http: httpx.AsyncClient, path: str) -> httpx.Response:
    answer = await http.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}")
    return answer


def _profiler(path: str | None) -> Any:
    if not path:
        return nullcontext()
    from pyinstrument import Profiler

    return Profiler(async_mode="enabled")


def report(timings: list[PageTiming], sizes: Sizes, database: str, requests: int) -> str:
    lines = [
        f"Workspace pages for {sizes.people} members and {sizes.comments} comments on {database}",
        f"{'page':<18} {'p50 ms':>8} {'p95 ms':>8} {'statements':>11} {'KB':>7}",
    ]
    for t in timings:
        lines.append(
            f"{t.page:<18} {t.percentile(0.5):>8.1f} {t.percentile(0.95):>8.1f} "
            f"{t.statement_range:>11} {t.kilobytes:>7.0f}"
        )
    slow = [t.page for t in timings if t.percentile(0.95) > GOAL_P95_MS]
    verdict = ", ".join(slow) if slow else "none"
    total = statistics.fmean(sum(t.milliseconds) / len(t.milliseconds) for t in timings)
    lines.append(f"{requests} requests a page, {total:.1f} ms a request on average")
    lines.append(f"over {GOAL_P95_MS:.0f} ms at p95: {verdict}")
    return "\n".join(lines)


async def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=5_000)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--inbound", type=int, default=400, help="messages the members sent")
    parser.add_argument("--audit", type=int, default=3_000, help="entries in the audit log")
    parser.add_argument("--requests", type=int, default=30, help="requests for each page")
    parser.add_argument("--pages", default=None, help="only these pages (comma-separated names)")
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--profile", metavar="FILE", help="write a pyinstrument HTML profile")
    options = parser.parse_args(argv)
    sizes = Sizes(
        options.people, options.comments, options.questions, options.inbound, options.audit
    )
    async with fresh_database(options.database_url) as url:
        built = await build_project(url, sizes, datetime.now(UTC))
        every = pages(built)
        wanted = options.pages.split(",") if options.pages else list(every)
        unknown = set(wanted) - set(every)
        if unknown:
            parser.error(f"no such page: {', '.join(sorted(unknown))} (pages: {', '.join(every)})")
        services = await build_services(Settings(database_url=url), channels={})
        try:
            timings = await measure_pages(
                services,
                built,
                {name: every[name] for name in wanted},
                options.requests,
                options.profile,
            )
        finally:
            await services.close()
        return report(timings, sizes, database_name(url), options.requests)


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1:])))
