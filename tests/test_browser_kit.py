"""tests/browser_kit.py drives a real page in headless Chromium: a tiny Starlette app with a
form, served by uvicorn on this machine, filled in and submitted with and without JavaScript,
checked with axe, laid out at 320 pixels, walked with the keyboard, and a step that cannot be
done reported by name.

Needs Node, Chromium and ``npm ci --prefix tests/axe`` (see tests/axe_kit.py)."""

from __future__ import annotations

import html
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, quote

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.routing import Route

from tests.browser_kit import drive

STYLE = """
body { font: 1rem/1.5 sans-serif; margin: 1rem; }
a:focus, input:focus, button:focus { outline: 3px solid #1d3f8f; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { position: static; }
"""


def _page(title: str, body: str, script: str = "") -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f'<a class="skip" href="#main">Skip to the form</a>'
        f'<main id="main"><h1>{title}</h1>{body}</main>{script}</body></html>'
    )


async def form(request: Request) -> HTMLResponse:
    return _page(
        "Tell us your name",
        '<form method="post" action="/hello">'
        '<p><label for="name">Your name</label> '
        '<input id="name" name="name" autocomplete="name" required></p>'
        '<p><button type="submit">Continue</button></p></form>',
    )


async def post_hello(request: Request) -> RedirectResponse:
    name = parse_qs((await request.body()).decode())["name"][0]
    response = RedirectResponse(f"/hello?name={quote(name)}", status_code=303)
    response.set_cookie("visited", "yes", httponly=True, samesite="lax")
    return response


async def hello(request: Request) -> HTMLResponse:
    return _page("Thank you", f"<p>Hello {html.escape(request.query_params['name'])}</p>")


async def live(request: Request) -> HTMLResponse:
    script = (
        "<script>new EventSource('/events').onmessage ="
        " (event) => { document.getElementById('news').textContent = event.data; };</script>"
    )
    return _page("News", '<p id="news" aria-live="polite">Waiting</p>', script)


async def events(request: Request) -> StreamingResponse:
    async def stream() -> AsyncIterator[str]:
        yield "retry: 60000\ndata: The news arrived\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream")


APP = Starlette(
    routes=[
        Route("/", form),
        Route("/hello", post_hello, methods=["POST"]),
        Route("/hello", hello),
        Route("/live", live),
        Route("/events", events),
    ]
)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """The app above, served by uvicorn on a free port of 127.0.0.1 in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(APP, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_a_form_is_filled_in_and_sent_and_passes_axe_reflow_and_the_keyboard(base) -> None:
    results = drive(
        base,
        [
            {"do": "goto", "path": "/"},
            {"do": "axe"},
            {"do": "layout"},
            {"do": "press", "key": "Tab"},
            {"do": "fill", "label": "Your name", "value": "Ada <Lovelace>"},
            {"do": "click", "role": "button", "name": "Continue"},
            {"do": "text"},
            {"do": "cookies"},
            {"do": "goto", "path": "/live"},
            {"do": "waitForText", "text": "The news arrived"},
        ],
    )
    start, axe, layout, tab, _, sent, text, cookies, _, _ = results
    assert start == {"url": f"{base}/", "status": 200, "title": "Tell us your name"}
    assert axe == {"violations": []}
    assert layout == {"overflow320": 0, "overflow640": 0, "firstTab": "Skip to the form"}
    assert tab["focused"] == {
        "tag": "a",
        "text": "Skip to the form",
        "name": "Skip to the form",
        "outline": True,
    }
    assert sent == {
        "url": f"{base}/hello?name=Ada%20%3CLovelace%3E",
        "status": 200,
        "title": "Thank you",
    }
    assert "Hello Ada <Lovelace>" in text["text"]
    assert cookies["cookies"] == [
        {"name": "visited", "httpOnly": True, "sameSite": "Lax", "secure": False, "path": "/"}
    ]


def test_the_form_works_with_javascript_off(base) -> None:
    results = drive(
        base,
        [
            {"do": "goto", "path": "/"},
            {"do": "axe"},
            {"do": "press", "key": "Tab", "times": 2},
            {"do": "type", "text": "Grace"},
            {"do": "press", "key": "Enter"},
            {"do": "text"},
        ],
        javascript=False,
        viewport={"width": 320, "height": 640},
    )
    axe, _, typed, sent, text = results[1:]
    assert axe == {"violations": []}
    assert typed["focused"]["tag"] == "input" and typed["focused"]["text"] == "Grace"
    assert typed["focused"]["name"] == "Your name" and typed["focused"]["outline"] is True
    assert sent["url"] == f"{base}/hello?name=Grace" and sent["title"] == "Thank you"
    assert "Hello Grace" in text["text"]


def test_a_step_that_cannot_be_done_is_named_with_the_page_it_was_on(base, tmp_path) -> None:
    with pytest.raises(AssertionError) as failed:
        drive(
            base,
            [
                {"do": "goto", "path": "/"},
                {"do": "click", "role": "button", "name": "Send", "timeout": 1000},
                {"do": "text"},
            ],
            screenshots=tmp_path,
        )
    message = str(failed.value)
    assert 'step 1 {"do": "click", "role": "button", "name": "Send"' in message
    assert f"at {base}/ (title: 'Tell us your name')" in message
    assert "Your name" in message and "Continue" in message
    assert (tmp_path / "step-1-click.png").exists()
