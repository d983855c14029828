"""Shapes of the facts: intervals that open and close again, and facts ordered by day."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

Order = tuple[str, str, str]  # (time, source, id): breaks ties between conflicting events


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(slots=True)
class IntervalLog:
    """Starts and ends of a repeatable interval (an employment, a membership, a reserve enrolment).

    Active on day t when the latest start ≤ t has no end in [that start, t].
    """

    starts: list[tuple[date, Order, Any]] = field(default_factory=list)
    ends: list[date] = field(default_factory=list)

    def current_start(self, t: date) -> tuple[date, Order, Any] | None:
        """The start of the interval active on ``t``, or None."""
        latest = None
        for start in self.starts:
            if start[0] <= t and (latest is None or start[:2] > latest[:2]):
                latest = start
        if latest is None:
            return None
        for end in self.ends:
            if latest[0] <= end <= t:
                return None
        return latest

    def active(self, t: date) -> bool:
        return self.current_start(t) is not None


@dataclass(slots=True)
class Employment(IntervalLog):
    """One person's employments at one organisation, with the position changes there."""

    changes: list[tuple[date, Order, str]] = field(default_factory=list)

    def position_at(self, t: date) -> str | None:
        """The position held on ``t``: the latest change since the current start, else the starting one."""
        start = self.current_start(t)
        if start is None:
            return None
        best: tuple[date, Order, str] | None = None
        for change in self.changes:
            if start[0] <= change[0] <= t and (best is None or change[:2] > best[:2]):
                best = change
        return best[2] if best is not None else start[2]


class Dated:
    """Facts ordered by day, for window queries: appended in any order, sorted when next read."""

    __slots__ = ("_memo", "_sorted", "items")

    def __init__(self) -> None:
        self.items: list[tuple] = []
        self._sorted = True
        self._memo: dict[tuple[date, date], set[str]] = {}

    def add(self, item: tuple) -> None:
        self.items.append(item)
        self._sorted = False
        if self._memo:
            self._memo = {}

    def _ready(self) -> list[tuple]:
        if not self._sorted:
            self.items.sort()
            self._sorted = True
        return self.items

    def between(self, after: date, upto: date) -> list[tuple]:
        """Items dated after ``after`` and on or before ``upto``."""
        items = self._ready()
        return items[bisect_right(items, after, key=_first):bisect_right(items, upto, key=_first)]

    def upto(self, upto: date) -> list[tuple]:
        """Items dated on or before ``upto``."""
        items = self._ready()
        return items[:bisect_right(items, upto, key=_first)]

    def persons_between(self, after: date, upto: date) -> set[str]:
        """The second element (a person) of the items in (after, upto]; remembered until the next add."""
        found = self._memo.get((after, upto))
        if found is None:
            if len(self._memo) > 64:
                self._memo = {}
            found = self._memo[(after, upto)] = set(map(_second, self.between(after, upto)))
        return found


_first = itemgetter(0)
_second = itemgetter(1)
