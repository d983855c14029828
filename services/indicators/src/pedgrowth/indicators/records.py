"""One event as the indicators projection keeps it: identity, type, time and data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from pedgrowth.contracts import Fact

Order = str
"""How two events that state conflicting facts are ordered: time, source and id joined by NUL, which
compares as the tuple (time, source, id) would (NUL sorts before any character of the three) in one
string — the engine keeps one per dated fact, and a tuple of three strings cost twice the memory."""


@dataclass(frozen=True, slots=True)
class Record:
    """One event as the projection keeps it: identity, type, time (UTC ISO) and JSON data."""

    source: str
    id: str
    type: str
    time: str
    data: dict[str, Any]
    key: int = field(init=False, compare=False, repr=False)  # digest of (source, id): how duplicates are known

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", event_key(self.source, self.id))

    @property
    def kind(self) -> str:
        """The type's event name: ``pedgrowth.registry.employment_started.v1`` → ``employment_started``."""
        kind = _KINDS.get(self.type)
        if kind is None:
            kind = _KINDS[self.type] = self.type.split(".")[2]
        return kind

    @property
    def order(self) -> Order:
        return f"{self.time}\x00{self.source}\x00{self.id}"

    @classmethod
    def from_fact(cls, fact: Fact) -> Record:
        envelope = fact.envelope
        return cls(envelope.source, envelope.id, envelope.type,
                   envelope.time.astimezone(UTC).isoformat(), envelope.data)


_KINDS: dict[str, str] = {}


def event_key(source: str, id: str) -> int:
    digest = hashlib.blake2b(f"{source}\x00{id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


