"""Providers (организации ДПО) and their programmes (ДПП)."""

from __future__ import annotations

from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from pedgrowth.kit.errors import Conflict


@lru_cache(maxsize=65536)  # asked for each fact that names a programme; uuid5 is a SHA-1
def catalogue_id(kind: str, key: str) -> UUID:
    """Deterministic aggregate id for a provider or programme key."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:training:{kind}:{key}")


def confirm_same(what: str, recorded: dict, restated: dict) -> None:
    """A restatement of something registered must say the same; the first difference is a Conflict."""
    for name, value in restated.items():
        if recorded[name] != value:
            raise Conflict(f"{what} is already recorded with {name} {recorded[name]!r}, not {value!r}",
                           f"data.{name}")


class Provider(Aggregate):
    """A provider of further professional education."""

    @event("Registered")
    def __init__(self, provider_id: str, name: str, kind: str):
        self.provider_id = provider_id
        self.name = name
        self.kind = kind

    @staticmethod
    def create_id(provider_id: str) -> UUID:
        return catalogue_id("provider", provider_id)

    def confirm(self, name: str, kind: str) -> None:
        """Registering the same provider again changes nothing; with other details it is a Conflict."""
        confirm_same(f"provider {self.provider_id}", vars(self), {"name": name, "kind": kind})


class Programme(Aggregate):
    """A further professional programme: ПК (advanced training) or ПП (retraining)."""

    @event("Published")
    def __init__(self, program_id: str, provider_id: str, title: str, kind: str, hours: int,
                 format: str, topics: list[str], in_federal_registry: bool):
        self.program_id = program_id
        self.provider_id = provider_id
        self.title = title
        self.kind = kind
        self.hours = hours
        self.format = format
        self.topics = topics
        self.in_federal_registry = in_federal_registry

    @staticmethod
    def create_id(program_id: str) -> UUID:
        return catalogue_id("programme", program_id)

    def confirm(self, **details) -> None:
        """Publishing the same programme again changes nothing; with other details it is a Conflict."""
        confirm_same(f"programme {self.program_id}", vars(self), details)
