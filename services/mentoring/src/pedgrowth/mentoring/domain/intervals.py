"""When a dated interval [from, to) counts as active, and the rules of keyed spells: the one place for both."""

from __future__ import annotations

from datetime import date

from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference


def active_on(started_on: date, ended_on: date | None, day: date) -> bool:
    """Active on ``day`` when it started on or before it and has not ended by it (SPEC §4)."""
    return started_on <= day and (ended_on is None or day < ended_on)


def check_begin(spells: list[dict], began_on: date, details: dict, what: str, field: str) -> bool:
    """Whether a new spell beginning on ``began_on`` is to be recorded: False when exactly this one is (a restatement).

    Spells of one key do not overlap: a new one (open until it ends) begins on or after the end of every
    spell already recorded; otherwise a Conflict naming ``field``.
    """
    for spell in spells:
        if spell["from"] == began_on and all(spell.get(k) == v for k, v in details.items()):
            return False
    for spell in spells:
        if spell["to"] is None or spell["to"] > began_on:
            until = f"until {spell['to']}" if spell["to"] else "and has not ended"
            raise Conflict(f"{what} began on {spell['from']} {until}: a new one cannot begin on {began_on} "
                           "(spells of the same id do not overlap)", field)
    return True


def spell_to_end(spells: list[dict], ended_on: date, what: str, key_field: str, day_field: str) -> dict | None:
    """The open spell an end on ``ended_on`` closes (the latest begun on or before it); None when that end is
    recorded already (a restatement). Leaving before joining, leaving twice or leaving what was never joined is
    refused naming the field."""
    open_ones = [s for s in spells if s["to"] is None and s["from"] <= ended_on]
    if open_ones:
        return max(open_ones, key=lambda s: s["from"])
    if any(s["to"] == ended_on for s in spells):
        return None
    if any(s["to"] is None for s in spells):
        began = min(s["from"] for s in spells if s["to"] is None)
        raise RuleViolation(f"{day_field} {ended_on} is before {what} began on {began}", f"data.{day_field}")
    if spells:
        raise Conflict(f"{what} already ended on {max(s['to'] for s in spells)}", key_field)
    raise UnknownReference(f"{what} was never begun", key_field)
