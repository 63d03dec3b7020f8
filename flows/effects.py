"""What a flow decides: values describing what to store and what to send.

Flows return these; :mod:`flows.runner` applies them to storage in the transaction that
handles the message. Nothing is sent from a flow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    """A message back to the contact point the inbound message came from."""

    kind: str
    body: str
    subject: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class StopChannel:
    """The person asked for no more messages on this contact point."""


@dataclass(frozen=True)
class StartChannel:
    """The person asked for messages on this contact point again."""


Effect = Reply | StopChannel | StartChannel
