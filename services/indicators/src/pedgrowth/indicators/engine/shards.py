"""Shards: which instance evaluates which entities when several indicators instances share the bus.

Every entity (a person, a mentor, a vacancy, an organisation, a request) belongs to one of ``count``
shards by a stable hash of its id. Each instance indexes every fact (it reads the shared fact log), but
computes and writes the contributions of the entities of the shards it owns only; the shards' sums meet
in the store and every instance adds them up to answer any scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from zlib import crc32

from .sums import Step


@dataclass(frozen=True, slots=True)
class ShardStep:
    """One shard's step of one series in one scope, as the store holds it."""

    shard: int
    indicator: str
    definition: str  # the variant as canonical JSON (``Variant.key``)
    part: str  # num | den
    scope: str
    step: Step


class Shards:
    """``count`` shards, of which this instance owns ``owned`` (changed when the partitions move)."""

    def __init__(self, count: int, owned: frozenset[int] = frozenset()):
        if count < 1:
            raise ValueError("shards: the count must be at least 1")
        self.count = count
        self.owned = frozenset(owned)
        self._cache: dict[str, int] = {}

    def of(self, entity_id: str) -> int:
        found = self._cache.get(entity_id)
        if found is None:
            found = self._cache[entity_id] = crc32(entity_id.encode()) % self.count
        return found

    def owns(self, entity_id: str) -> bool:
        return self.of(entity_id) in self.owned


def shards_of_partitions(count: int, partitions: list, assigned: set) -> frozenset[int]:
    """The shards an instance owns: shard k goes with the k-th (mod their number) of every partition of the
    projection's topics, in (topic, partition) order; an instance owns the shards of its assigned ones."""
    ordered = sorted(partitions)
    if not ordered:
        return frozenset()
    return frozenset(k for k in range(count) if ordered[k % len(ordered)] in assigned)
