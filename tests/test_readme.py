"""The README stays true: every setting the code reads is in its table, and nothing more."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings
from channels import CHANNELS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_documented_in_the_readme_table() -> None:
    in_code = {f"COPRODUCE_{name.upper()}" for name in Settings.model_fields}
    for _, settings_class in CHANNELS:
        in_code |= {f"COPRODUCE_{name.upper()}" for name in settings_class.model_fields}
    in_code.add("COPRODUCE_TEST_POSTGRES_URL")
    table = set(re.findall(r"^\| `(COPRODUCE_[A-Z0-9_]+)` \|", README.read_text(), re.MULTILINE))
    assert in_code - table == set(), "add these settings to the README's table"
    assert table - in_code == set(), "the README documents settings the code does not read"
