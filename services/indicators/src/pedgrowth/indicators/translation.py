"""Indicators domain events to contract events: the only place that maps between them."""

from __future__ import annotations

from pedgrowth.contracts import EventData

TRANSLATIONS: dict = {}


def to_contract(domain_event: object) -> EventData | None:
    """The contract event a domain event is published as, or None for internal ones."""
    translate = TRANSLATIONS.get(type(domain_event))
    return translate(domain_event) if translate else None
