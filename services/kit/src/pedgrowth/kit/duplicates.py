"""Events delivered again, per organisation: the counts «Качество данных» shows beside /metrics' per-service ones.

/metrics says how many duplicates a service's inbox had (``pedgrowth_inbox_messages_total{outcome="duplicate"}``);
an operator asks whose system sends its events twice. The inbox notes every duplicate (an event recorded before:
the same source and id, or the same content) delivered over the bus (``<service>.inbox``) or ``POST
/api/v1/events`` under the organisation and the municipality the event names (``data.org_id``,
``data.municipality_id``; an event naming neither is counted under none). Imports count their own repeats (the
upload's report), a replay is an operator's own. Counts only, kept in memory since the process started, per
replica, like the counters of /metrics.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from pedgrowth.contracts import Fact

BUS_CHANNELS = frozenset({"kafka", "http"})


@dataclass(frozen=True)
class Repeated:
    """What a duplicate is counted under: the place the event names, its type, the way it came."""

    org_id: str | None
    municipality_id: str | None
    type: str
    channel: str


class Duplicates:
    """The duplicates an inbox saw since the process started, per organisation, type and channel."""

    def __init__(self) -> None:
        self.since = datetime.now(UTC)
        self._lock = threading.Lock()  # noted from the inbox's worker threads, read by the HTTP route
        self._counts: Counter[Repeated] = Counter()

    def note(self, fact: Fact, channel: str) -> None:
        """Count one duplicate delivered over ``channel`` (other channels than the bus and HTTP are not noted)."""
        if channel not in BUS_CHANNELS:
            return
        data = fact.data
        key = Repeated(place(data, "org_id"), place(data, "municipality_id"), data.type_suffix, channel)
        with self._lock:
            self._counts[key] += 1

    def counted(self) -> list[tuple[Repeated, int]]:
        """Every count, by organisation, type and channel."""
        with self._lock:
            items = list(self._counts.items())
        return sorted(items, key=lambda item: (item[0].org_id or "", item[0].municipality_id or "", item[0].type,
                                               item[0].channel))


def place(data: object, name: str) -> str | None:
    value = getattr(data, name, None)
    return value if isinstance(value, str) else None
