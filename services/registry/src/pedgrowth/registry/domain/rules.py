"""Rules several registry aggregates share: dates a HR officer can vouch for."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5
from pedgrowth.kit.errors import RuleViolation


def registry_id(kind: str, *keys: str) -> UUID:
    """Deterministic aggregate id for a registry key (organisation, person, vacancy, membership)."""
    return uuid5(NAMESPACE_URL, "pedgrowth:registry:" + kind + ":" + "\x00".join(keys))


def not_in_future(day: date | None, latest: date, field: str) -> None:
    """A fact is dated today (within the tolerance) or earlier; the registry records no plans."""
    if day is not None and day > latest:
        raise RuleViolation(f"{day.isoformat()} is in the future (latest accepted: {latest.isoformat()})", field)


def not_before(day: date, earliest: date, field: str, what: str) -> None:
    """``day`` must not precede ``earliest`` (e.g. an end before its start)."""
    if day < earliest:
        raise RuleViolation(f"{day.isoformat()} is before {what} {earliest.isoformat()}", field)
