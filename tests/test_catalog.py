"""The translation template matches the strings in the code, so no message escapes translation."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _entries(po_text: bytes) -> set[tuple[str | None, str]]:
    catalog = read_po(io.BytesIO(po_text))
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def test_the_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-c",
            "TRANSLATORS:",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    committed = _entries((ROOT / "locales" / "messages.pot").read_bytes())
    extracted = _entries(fresh.read_bytes())
    assert extracted - committed == set(), "run the extract command in locales/README.md"
    assert committed - extracted == set(), "the template has strings the code no longer uses"


def test_the_command_words_are_in_the_template_with_their_context() -> None:
    entries = _entries((ROOT / "locales" / "messages.pot").read_bytes())
    assert {("keyword", "HELP"), ("keyword", "STOP"), ("keyword", "START")} <= entries
