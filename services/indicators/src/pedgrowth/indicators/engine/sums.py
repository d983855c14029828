"""The sum of the members' contributions of one series in one scope, looked up at any day.

The projection adds +1 at each interval's start and −1 at its end (``Sums.add``) and, once
per batch, ``publish`` turns the changed sums into sorted change days with running totals;
readers only ever read published ``Step`` objects, which are never changed once made.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from .days import FOREVER, Intervals

SeriesKey = tuple  # (code, variant, part, scope)


@dataclass(frozen=True, slots=True)
class Step:
    """A step function of the day: ``totals[i]`` holds from ``days[i]`` until the next change day."""

    days: list[int]
    totals: list[int]

    def at(self, day: int) -> int:
        i = bisect_right(self.days, day) - 1
        return self.totals[i] if i >= 0 else 0

    def positive(self) -> Intervals:
        """The days the total is above 0."""
        out, start = [], None
        for day, total in zip(self.days, self.totals, strict=True):
            if total > 0 and start is None:
                start = day
            elif total <= 0 and start is not None:
                out.append((start, day))
                start = None
        if start is not None:
            out.append((start, FOREVER))
        return tuple(out)


EMPTY_STEP = Step([], [])


class Sums:
    """Change points of every series in every scope: written by the projection, read through ``step``."""

    def __init__(self) -> None:
        self._deltas: dict[SeriesKey, dict[int, int]] = {}
        self._dirty: set[SeriesKey] = set()
        self._published: dict[SeriesKey, Step] = {}

    def add(self, key: SeriesKey, days: Intervals, sign: int) -> None:
        deltas = self._deltas.get(key)
        if deltas is None:
            deltas = self._deltas[key] = {}
        for a, b in days:
            deltas[a] = deltas.get(a, 0) + sign
            if b < FOREVER:
                deltas[b] = deltas.get(b, 0) - sign
        self._dirty.add(key)

    def publish(self) -> int:
        """Make the changed sums readable; how many series changed."""
        dirty, self._dirty = self._dirty, set()
        fresh: dict[SeriesKey, Step] = {}
        for key in dirty:
            deltas = self._deltas[key]
            for day in [d for d, v in deltas.items() if v == 0]:
                del deltas[day]
            days = sorted(deltas)
            fresh[key] = Step(days, list(accumulate(deltas[d] for d in days)))
        self._published.update(fresh)  # one C-level update: readers see the old or the new step of each series
        return len(fresh)

    def step(self, key: SeriesKey) -> Step:
        return self._published.get(key, EMPTY_STEP)

    def at(self, key: SeriesKey, day: int) -> int:
        return self._published.get(key, EMPTY_STEP).at(day)

    def keys(self) -> int:
        return len(self._published)
