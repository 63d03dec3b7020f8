"""Checking HTML with axe-core in headless Chromium, through ``tests/axe/check.mjs``.

The check needs three things outside Python: Node, Chromium (``apt-get install chromium``)
and the pinned npm packages (``npm ci --prefix tests/axe``). :func:`require_axe` skips a test
when one is missing and says how to install it, unless ``COPRODUCE_REQUIRE_AXE=1`` (as CI
sets it), where a missing tool fails the test instead of hiding it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

AXE_DIR = Path(__file__).resolve().parent / "axe"
CHECK_SCRIPT = AXE_DIR / "check.mjs"
INSTALL = "apt-get install chromium && npm ci --prefix tests/axe"
# A cold Chromium start plus axe on a few pages takes seconds; this is far beyond that.
CHECK_TIMEOUT_SECONDS = 180

Violation = dict[str, Any]


def chromium_path() -> str | None:
    """CHROMIUM_PATH if set, else chromium on PATH; None unless it can be run."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return path if path and os.access(path, os.X_OK) else None


def missing_tools() -> list[str]:
    """What the axe check lacks on this machine, in words; empty when it can run."""
    missing = []
    if shutil.which("node") is None:
        missing.append("Node.js 20 or newer (no node on PATH)")
    if chromium_path() is None:
        missing.append("Chromium (no chromium on PATH or at CHROMIUM_PATH)")
    packages = [
        package
        for package in ("axe-core", "playwright-core")
        if not (AXE_DIR / "node_modules" / package / "package.json").exists()
    ]
    if packages:
        missing.append(f"{' and '.join(packages)} in tests/axe/node_modules")
    return missing


def require_axe() -> None:
    """Skip the calling test when the axe check cannot run here, or fail it when
    COPRODUCE_REQUIRE_AXE=1 says the check must run."""
    missing = missing_tools()
    if not missing:
        return
    reason = f"the accessibility check needs {', '.join(missing)}; install with: {INSTALL}"
    if os.environ.get("COPRODUCE_REQUIRE_AXE") == "1":
        pytest.fail(f"COPRODUCE_REQUIRE_AXE=1, but {reason}")
    pytest.skip(reason)


def axe_violations(pages: dict[str, str]) -> dict[str, list[Violation]]:
    """Run axe's default rules (WCAG 2 A and AA, best practices) on each named HTML page in
    one browser; returns each name's violations (an empty list for a page that passes)."""
    return _in_chromium(pages)


def layouts(pages: dict[str, str]) -> dict[str, dict[str, Any]]:
    """How each named page lays out in Chromium: ``overflow`` maps a window width in CSS
    pixels ("320", and "640" for 200% zoom) to how far the page scrolls sideways there, and
    ``first_tab`` is the text of what the first Tab key press reaches."""
    return _in_chromium(pages, "--layout")


def _in_chromium(pages: dict[str, str], *options: str) -> dict[str, Any]:
    require_axe()
    with tempfile.TemporaryDirectory(prefix="coproduce-axe-") as folder:
        files = {}
        for number, (name, page) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(page, encoding="utf-8")
            files[str(path)] = name
        result = subprocess.run(
            ["node", str(CHECK_SCRIPT), *options, *files],
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT_SECONDS,
            env={**os.environ, "CHROMIUM_PATH": chromium_path() or ""},
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"the axe check itself failed:\n{result.stderr.strip()}")
    found = json.loads(result.stdout)
    return {name: found[path] for path, name in files.items()}


def describe(violations: dict[str, list[Violation]]) -> str:
    """The violations as lines a person can act on: page, rule, impact, help, where."""
    lines = []
    for name, found in violations.items():
        for violation in found:
            lines.append(f"{name}: {violation['id']} ({violation['impact']}) {violation['help']}")
            lines += [f"    {node['target']} {node['html'][:160]}" for node in violation["nodes"]]
    return "\n".join(lines)
