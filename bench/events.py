"""Generated facts → contract CloudEvents as the relays publish them (key = subject, per-service order)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from uuid import NAMESPACE_URL, uuid5

from pedgrowth.contracts import EVENT_MODELS, EventData, events_topic, new_event

from .region import Item

MODELS: dict[tuple[str, str], type[EventData]] = {(m.service, m.type_suffix): m for m in EVENT_MODELS.values()}


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    key: bytes
    value: bytes


def source_of(service: str) -> str:
    return f"/pedgrowth/{service}"


def event_id(service: str, seq: int) -> str:
    """Stable ids: the same region gives the same ids, as a relay's (aggregate, version) ids are stable."""
    return str(uuid5(NAMESPACE_URL, f"{source_of(service)}/bench/{seq}"))


def event_time(item: Item, seq: int) -> datetime:
    return datetime.combine(item.day, clock(8), UTC) + timedelta(seconds=seq % 36_000)


def in_relay_order(items: Iterable[Item]) -> dict[str, list[Item]]:
    """Per service, in the order its relay would publish them: by day (stable)."""
    by_service: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_service[item.service].append(item)
    for items_ in by_service.values():
        items_.sort(key=lambda i: i.day)
    return by_service


def encode(by_service: dict[str, list[Item]]) -> tuple[list[Message], float]:
    """Check every item with its contract model and wrap it as its relay would; (messages, seconds)."""
    started = time.perf_counter()
    out: list[Message] = []
    for service, items in by_service.items():
        topic, source = events_topic(service), source_of(service)
        for seq, item in enumerate(items, 1):
            data = MODELS[(service, item.suffix)].model_validate(item.data)
            event = new_event(data, source=source, id=event_id(service, seq), time=event_time(item, seq),
                              sequence=str(seq))
            out.append(Message(topic, data.subject_id.encode(), event.to_bytes()))
    return out, time.perf_counter() - started
