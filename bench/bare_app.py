"""The ceiling for the inbound benchmark: a Starlette endpoint under uvicorn that only reads
the body and answers 200, served the way ``coproduce serve`` serves.

    python -m bench.bare_app PORT
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def take(request: Request) -> Response:
    await request.body()
    return Response(status_code=200)


app = Starlette(
    routes=[
        Route("/sms/inbound", take, methods=["POST"]),
        Route("/telegram/webhook", take, methods=["POST"]),
    ]
)

if __name__ == "__main__":
    print("bare app running", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
