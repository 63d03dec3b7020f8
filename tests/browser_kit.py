"""Driving a live web app in headless Chromium, through ``tests/axe/drive.mjs``.

:func:`drive` runs a list of steps (go to a page, fill a labelled field, click a named button,
press keys, run axe, measure the layout...) in one browser context against a server on this
machine, and returns each step's result; ``tests/axe/drive.mjs`` lists the steps and what each
returns. It needs the same tools as the axe check, and :func:`tests.axe_kit.require_axe` skips
or fails a test that lacks them in the same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.axe_kit import AXE_DIR, chromium_path, require_axe

DRIVE_SCRIPT = AXE_DIR / "drive.mjs"
# A cold Chromium start plus a few dozen steps takes seconds; this is far beyond that.
DRIVE_TIMEOUT_SECONDS = 180
# How much of the page's text a failure shows.
TEXT_EXCERPT_CHARS = 1500

Step = dict[str, Any]


def drive(
    base: str,
    steps: list[Step],
    *,
    javascript: bool = True,
    viewport: dict[str, int] | None = None,
    screenshots: Path | None = None,
) -> list[dict[str, Any]]:
    """Run ``steps`` in order in one headless Chromium context against the app at ``base``
    (``http://127.0.0.1:PORT``), with the page's scripts on or off, and return each step's
    result. Raises AssertionError naming the step that failed, why, the page's address and an
    excerpt of its text (and a screenshot's path, given a ``screenshots`` folder)."""
    require_axe()
    plan: dict[str, Any] = {"base": base, "javaScript": javascript, "steps": steps}
    if viewport is not None:
        plan["viewport"] = viewport
    if screenshots is not None:
        plan["screenshots"] = str(Path(screenshots).resolve())
    with tempfile.TemporaryDirectory(prefix="coproduce-drive-") as folder:
        plan_file = Path(folder) / "plan.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        result = subprocess.run(
            ["node", str(DRIVE_SCRIPT), str(plan_file)],
            capture_output=True,
            text=True,
            timeout=DRIVE_TIMEOUT_SECONDS,
            env={**os.environ, "CHROMIUM_PATH": chromium_path() or ""},
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"the browser driver itself failed:\n{result.stderr.strip()}")
    outcome = json.loads(result.stdout)
    if not outcome["ok"]:
        raise AssertionError(_describe_failure(outcome["error"], javascript))
    results: list[dict[str, Any]] = outcome["results"]
    return results


def _describe_failure(error: dict[str, Any], javascript: bool) -> str:
    scripts = "" if javascript else " (JavaScript off)"
    lines = [
        f"step {error['index']} {json.dumps(error['step'])} failed{scripts}:",
        f"    {error['message'].strip()}",
        f"at {error['url']} (title: {error.get('title')!r})",
    ]
    if error.get("screenshot"):
        lines.append(f"screenshot: {error['screenshot']}")
    if error.get("pageErrors"):
        lines.append(f"errors in the page's scripts: {error['pageErrors']}")
    text = (error.get("text") or "").strip()
    lines.append("page text:")
    lines.append(text[:TEXT_EXCERPT_CHARS] if text else "(none)")
    return "\n".join(lines)
