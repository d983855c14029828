"""When a dated interval [from, to) counts as active: the one definition every rule uses."""

from __future__ import annotations

from datetime import date


def active_on(started_on: date, ended_on: date | None, day: date) -> bool:
    """Active on ``day`` when it started on or before it and has not ended by it (SPEC §4)."""
    return started_on <= day and (ended_on is None or day < ended_on)
