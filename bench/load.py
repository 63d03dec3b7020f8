"""The inbound load generator, run as a process of its own by ``bench.inbound``: signed
Twilio webhooks and Telegram updates from many senders, at a fixed rate or as fast as the
server answers, with each request's latency. Prints one JSON line.

    python -m bench.load --url http://127.0.0.1:8080 --rate 500 --seconds 10 ...

At a fixed rate each request has a planned start, and its latency counts from then, so a
server that falls behind is charged for the wait it caused (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from channels.base import ChannelName
from tests.broadcast_kit import address

Request = tuple[str, bytes, dict[str, str]]


def requests(options: argparse.Namespace) -> Iterator[Request]:
    """Comments from the senders in turn: even ones on Telegram, odd ones by SMS, each
    message with an id of its own so none is taken for a repeat."""
    validator = RequestValidator(options.twilio_token)
    sms_url = f"{options.url}/sms/inbound"
    telegram_url = f"{options.url}/telegram/webhook"
    n = options.first_id
    while True:
        for sender in range(options.senders):
            n += 1
            text = f"Comment {n}: the bus does not run in time for the 6pm start."
            if sender % 2 == 0:
                chat = int(address(ChannelName.TELEGRAM, sender))
                update = {
                    "update_id": n,
                    "message": {
                        "message_id": n,
                        "date": int(time.time()),
                        "chat": {"id": chat, "type": "private", "first_name": "Sam"},
                        "from": {"id": chat, "is_bot": False, "first_name": "Sam"},
                        "text": text,
                    },
                }
                headers = {
                    "content-type": "application/json",
                    "x-telegram-bot-api-secret-token": options.telegram_secret,
                }
                yield telegram_url, json.dumps(update).encode(), headers
            else:
                params = {
                    "MessageSid": f"SM{n:032d}",
                    "AccountSid": options.twilio_sid,
                    "From": address(ChannelName.SMS, sender),
                    "To": "+447700900777",
                    "Body": text,
                }
                headers = {
                    "content-type": "application/x-www-form-urlencoded",
                    "x-twilio-signature": validator.compute_signature(sms_url, params),
                }
                yield sms_url, urlencode(params).encode(), headers


async def run(options: argparse.Namespace) -> dict[str, Any]:
    made = requests(options)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    connector = aiohttp.TCPConnector(limit=options.connections)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(request: Request, planned: float) -> None:
            url, body, headers = request
            try:
                async with http.post(url, data=body, headers=headers) as answer:
                    await answer.read()
                    statuses[answer.status] += 1
            except aiohttp.ClientError:
                statuses[0] += 1
            latencies.append(time.perf_counter() - planned)

        started = time.perf_counter()
        if options.rate:
            tasks = []
            for i in range(int(options.rate * options.seconds)):
                planned = started + i / options.rate
                await asyncio.sleep(max(0.0, planned - time.perf_counter()))
                tasks.append(asyncio.create_task(one(next(made), planned)))
            await asyncio.gather(*tasks)
        else:
            deadline = started + options.seconds

            async def closed_loop() -> None:
                while time.perf_counter() < deadline:
                    await one(next(made), time.perf_counter())

            await asyncio.gather(*(closed_loop() for _ in range(options.connections)))
        elapsed = time.perf_counter() - started
    return {
        "sent": len(latencies),
        "seconds": elapsed,
        "statuses": {str(k): v for k, v in statuses.items()},
        "latency_ms": percentiles(latencies),
    }


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {}

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, default=0, help="per second; 0: as fast as it goes")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--first-id", type=int, default=0, help="message ids start after this")
    parser.add_argument("--telegram-secret", default="")
    parser.add_argument("--twilio-sid", default="")
    parser.add_argument("--twilio-token", default="")
    print(json.dumps(asyncio.run(run(parser.parse_args(argv)))))


if __name__ == "__main__":
    main(sys.argv[1:])
