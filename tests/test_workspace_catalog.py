"""The workspace's own catalog (English and Welsh): the template matches the pages and code,
Welsh translates every string with the same placeholders, and a lead can switch language on
any page."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.bot_fixture import MemoryBot
from tests.workspace_kit import STAFF_EMAIL, care1, workspace

ROOT = Path(__file__).resolve().parent.parent
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _entries(po_text: bytes) -> set[str]:
    catalog = read_po(io.BytesIO(po_text))
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_workspace_template_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "workspace.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel-workspace.cfg",
            "-k",
            "N_",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = _entries((ROOT / "locales" / "workspace.pot").read_bytes())
    extracted = _entries(fresh.read_bytes())
    assert extracted - committed == set(), "run the workspace extract in locales/README.md"
    assert committed - extracted == set(), "the template has strings the pages no longer use"


def test_welsh_translates_every_workspace_string_with_its_placeholders() -> None:
    path = ROOT / "locales" / "cy" / "LC_MESSAGES" / "workspace.po"
    template = _entries((ROOT / "locales" / "workspace.pot").read_bytes())
    assert _entries(path.read_bytes()) == template, "run pybabel update -D workspace"
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale="cy")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        sources = message.id if isinstance(message.id, tuple | list) else [message.id]
        wanted = set(_PLACEHOLDER.findall(" ".join(sources)))
        if message.fuzzy or not all(strings):
            problems.append(("not translated (or fuzzy)", message.id))
        if isinstance(message.id, tuple | list) and len(strings) != catalog.num_plurals:
            problems.append(("wrong number of plural forms", message.id))
        problems += [
            ("unknown placeholder", text)
            for text in strings
            if not set(_PLACEHOLDER.findall(text)) <= wanted
        ]
    assert problems == []


async def test_a_lead_switches_the_workspace_to_welsh_and_back(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        english = await ws.http.get("/lead/p/CARE1/comments")
        assert '<html lang="en">' in english.text and 'hreflang="cy">Cymraeg</a>' in english.text
        switched = await ws.http.get("/lead/language?to=cy&next=/lead/p/CARE1/comments")
        assert switched.headers["location"] == "/lead/p/CARE1/comments"
        welsh = await ws.http.get("/lead/p/CARE1/comments")
        assert '<html lang="cy">' in welsh.text and "Sylwadau" in welsh.text
        assert "Comments" not in welsh.text.split("<main", 1)[1]
        away = await ws.http.get("/lead/language?to=en&next=https://evil.example/")
        assert away.headers["location"] == "/lead/", "never sent to another site"


async def test_a_welsh_speaking_lead_gets_the_workspace_in_welsh_from_the_start(
    bot: MemoryBot,
) -> None:
    from tests.helpers import add_person, add_project

    await care1(bot)
    gwen = await add_person(bot.sessions, "Gwen", email="gwen@example.org", language="cy")
    await add_project(bot.sessions, "GWEN1", leads=[gwen])
    async with workspace(bot) as ws:
        await ws.sign_in("gwen@example.org")
        home = await ws.http.get("/lead/")
        assert '<html lang="cy">' in home.text
