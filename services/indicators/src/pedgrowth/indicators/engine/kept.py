"""Each entity's last computed contribution, kept compact, so a batch need not compute it again as "before".

A batch used to evaluate every touched entity twice: the contribution it had (from the facts before
the batch) and the one it has after. The one it had is the one computed after the batch that last
touched it (nothing else changes it: that is what the sums rely on), so it is kept here. Kept as
Python objects it would cost ≈ 20 KB a person; here one ``marshal`` string per entity holds, per
series and part, the days once and the scopes they count in as one interned group (a person at one
organisation counts the same days in its organisation, municipality and region).
"""

from __future__ import annotations

import marshal

Parts = dict[tuple, tuple]
"""(spec id, part, scope) → days."""

PARTS = ("num", "den")


class Kept:
    """Entity (kind, id) → its contribution to the series of some specs, as last computed."""

    def __init__(self) -> None:
        self._by_entity: dict[tuple[str, str], bytes] = {}
        self._groups: list[tuple[str, ...]] = []
        self._group_ids: dict[tuple[str, ...], int] = {}

    def get(self, entity: tuple[str, str], spec_ids) -> dict[int, Parts]:
        """Spec id → the entity's parts of that spec, for those of ``spec_ids`` kept (compute the others)."""
        packed = self._by_entity.get(entity)
        if packed is None:
            return {}
        kept, groups, found = marshal.loads(packed), self._groups, {}
        for spec_id in spec_ids:
            entries = kept.get(spec_id)
            if entries is None:
                continue
            parts = found[spec_id] = {}
            for part, group, days in entries:
                for scope in groups[group]:
                    parts[(spec_id, PARTS[part], scope)] = days
        return found

    def put(self, entity: tuple[str, str], by_spec: dict[int, Parts]) -> None:
        """Keep these specs' parts of the entity (replacing what was kept of them, keeping the others)."""
        packed = self._by_entity.get(entity)
        kept = marshal.loads(packed) if packed is not None else {}
        for spec_id, parts in by_spec.items():
            scopes: dict[tuple, list[str]] = {}
            for (_, part, scope), days in parts.items():
                scopes.setdefault((part == "den", days), []).append(scope)
            kept[spec_id] = tuple((int(den), self._group(tuple(where)), days)
                                  for (den, days), where in scopes.items())
        self._by_entity[entity] = marshal.dumps(kept)

    def _group(self, scopes: tuple[str, ...]) -> int:
        found = self._group_ids.get(scopes)
        if found is None:
            found = self._group_ids[scopes] = len(self._groups)
            self._groups.append(scopes)
        return found

    def drop(self, which) -> None:
        """Forget the entities (kind, id) for which ``which`` is true."""
        for entity in [entity for entity in self._by_entity if which(entity)]:
            del self._by_entity[entity]

    def bytes(self) -> int:
        return sum(len(packed) for packed in self._by_entity.values())
