"""The sum of the members' contributions of one series in one scope, looked up at any day.

The projection adds +1 at each interval's start and −1 at its end (``Sums.add``); once per batch
``stage`` folds those changes into new ``Step`` objects (what the store persists with the batch) and
``publish`` makes them readable. Readers only ever read published steps, which are never changed
once made. A step keeps its change days and running totals in compact integer arrays (4 bytes a
day, where Python integers in lists took 36): the sums of a region are most of the engine's memory.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import repeat
from operator import add

from .days import FOREVER, Intervals

SeriesKey = tuple  # (spec id, part, scope)


@dataclass(frozen=True, slots=True)
class Step:
    """A step function of the day: ``totals[i]`` holds from ``days[i]`` until the next change day."""

    days: array
    totals: array

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

    def merged(self, changes: dict[int, int]) -> Step:
        """This step with ``changes`` (day → added to the total from that day on) folded in.

        The runs of old days between two changed days are copied as slices (shifted by what the changes
        before them add, when they add anything), so a few changes to a long series cost little.
        """
        items = sorted(item for item in changes.items() if item[1])
        if not items:
            return self
        days, totals, n = self.days, self.totals, len(self.days)
        out_days, out_totals = array("i"), array("i")
        start = running = last = 0  # next old index to copy; what the changes so far add; the last total out

        def copy(end: int) -> None:
            nonlocal last
            first = start
            if first < end and totals[first] + running == last:
                first += 1  # would repeat the total before it
            if first < end:
                out_days.extend(days[first:end])
                out_totals.extend(totals[first:end] if not running else map(add, totals[first:end], repeat(running)))
                last = out_totals[-1]

        for day, delta in items:
            i = bisect_left(days, day, start)
            copy(i)
            here = i < n and days[i] == day
            old = totals[i] if here else (totals[i - 1] if i > 0 else 0)
            start = i + 1 if here else i
            running += delta
            if old + running != last:
                out_days.append(day)
                out_totals.append(old + running)
                last = old + running
        copy(n)
        return Step(out_days, out_totals)

    def to_bytes(self) -> tuple[bytes, bytes]:
        """The arrays as stored: 32-bit little-endian integers."""
        return _little(self.days).tobytes(), _little(self.totals).tobytes()

    @classmethod
    def from_bytes(cls, days: bytes, totals: bytes) -> Step:
        a, b = array("i"), array("i")
        a.frombytes(days)
        b.frombytes(totals)
        return cls(_little(a), _little(b))


def _little(numbers: array) -> array:
    """The same array in little-endian order (a copy swapped on a big-endian machine)."""
    if sys.byteorder == "little":
        return numbers
    swapped = array("i", numbers)
    swapped.byteswap()
    return swapped


EMPTY_STEP = Step(array("i"), array("i"))


class Sums:
    """Change points of every series in every scope: written by the projection, read through ``at``."""

    def __init__(self) -> None:
        self._pending: dict[SeriesKey, dict[int, int]] = {}
        self._staged: dict[SeriesKey, Step] = {}
        self._published: dict[SeriesKey, Step] = {}

    def add(self, key: SeriesKey, days: Intervals, sign: int) -> None:
        changes = self._pending.get(key)
        if changes is None:
            changes = self._pending[key] = {}
        for a, b in days:
            changes[a] = changes.get(a, 0) + sign
            if b < FOREVER:
                changes[b] = changes.get(b, 0) - sign

    def stage(self) -> int:
        """Fold the pending changes into new steps, readable by the writer (``step``) but not yet by
        readers; how many series changed."""
        pending, self._pending = self._pending, {}
        for key, changes in pending.items():
            if any(changes.values()):
                self._staged[key] = self.step(key).merged(changes)
        return len(pending)

    def staged(self) -> dict[SeriesKey, Step]:
        """The steps staged since the last ``publish``: what a store persists with the batch."""
        return self._staged

    def publish(self) -> int:
        """Make the staged steps readable; how many series changed."""
        self.stage()
        staged, self._staged = self._staged, {}
        self._published.update(staged)  # one C-level update: readers see the old or the new step of each series
        return len(staged)

    def discard(self) -> None:
        """Forget what was added or staged and not published (a batch the store refused)."""
        self._pending, self._staged = {}, {}

    def install(self, key: SeriesKey, step: Step) -> None:
        """A step loaded from the store."""
        self._published[key] = step

    def step(self, key: SeriesKey) -> Step:
        """The writer's view: the staged step, else the published one."""
        found = self._staged.get(key)
        return found if found is not None else self._published.get(key, EMPTY_STEP)

    def at(self, key: SeriesKey, day: int) -> int:
        return self._published.get(key, EMPTY_STEP).at(day)

    def published(self) -> dict[SeriesKey, Step]:
        return self._published

    def keys(self) -> int:
        return len(self._published)
