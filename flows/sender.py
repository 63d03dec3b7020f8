"""What a flow knows about the person who wrote: a snapshot loaded before it runs."""

from __future__ import annotations

from dataclasses import dataclass

from channels.base import ChannelName


@dataclass(frozen=True)
class Sender:
    contact_point_id: int
    channel: ChannelName
    address: str
    language: str
    opted_out: bool
    contributor_id: int | None = None
    name: str | None = None
    # For someone we do not know: whether they were already told who we are today.
    helped_recently: bool = False

    @property
    def is_known(self) -> bool:
        return self.contributor_id is not None
