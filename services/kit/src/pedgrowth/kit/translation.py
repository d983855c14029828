"""A service's table from domain event class to contract event: what it publishes, and under which topics."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eventsourcing.utils import get_topic
from pedgrowth.contracts import EventData


class Translation:
    """Translates a domain event into the contract event it is published as (None for internal ones).

    Built from the service's ``TRANSLATIONS`` table, so the relay and the read models know which
    stored topics have a contract event (``topics``) without decoding a stored event to find out.
    """

    def __init__(self, table: Mapping[type, Callable[[Any], EventData]]):
        self.table = table
        self.topics: list[str] = [get_topic(kind) for kind in table]

    def __call__(self, domain_event: object) -> EventData | None:
        translate = self.table.get(type(domain_event))
        return translate(domain_event) if translate else None
