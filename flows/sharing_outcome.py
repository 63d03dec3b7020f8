"""What a check (approve, redact, hide, withdraw) did, for the CLI and the channels to say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.checks import ItemKind
from storage.models import Project


class Outcome(StrEnum):
    """What a lead's (or author's) action did; the ``ALREADY_`` ones changed nothing."""

    APPROVED = "approved"
    REDACTED = "redacted"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"
    ALREADY_SHARED = "already-shared"
    ALREADY_HIDDEN = "already-hidden"
    ALREADY_WITHDRAWN = "already-withdrawn"
    ALREADY_SENT = "already-sent"  # a redaction after the words went out


@dataclass(frozen=True)
class Checked:
    kind: ItemKind
    number: int
    project: Project
    outcome: Outcome
    # When the words had already reached the group, if they had: they cannot be recalled.
    went_out: datetime | None = None
    # When an earlier check happened (for the ALREADY_ outcomes).
    earlier: datetime | None = None
    author_told: bool = False

    @property
    def changed(self) -> bool:
        return not self.outcome.startswith("already")
