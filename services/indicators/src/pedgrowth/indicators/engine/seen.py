"""The keys of the events the engine holds (64-bit digests of (source, id)), kept in 8 bytes a key.

A Python set of them cost ≈ 80 bytes a key (the int object and its slot in the table): 2 GB at national
scale (27 million events). Here the newest keys stay in a small set and older ones in sorted runs of
unsigned 64-bit integers (``array("Q")``), merged like a binary counter: a key is merged about
log2(n / NEW) times, and there are as many runs at most. A bitmap of 4 to 16 bits a key, two bits set
per key (its low and its high bits: the keys are uniform digests), answers most misses — a new event,
the common question — without a binary search.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Set
from heapq import merge

NEW = 1 << 14  # keys held in the set before they are spilled into a run


class Seen(Set):
    """A set of 64-bit event keys: ``in``, ``len``, iteration and ``|=`` (keys not held yet)."""

    def __init__(self, keys: Iterable[int] = ()) -> None:
        self._new: set[int] = set()
        self._runs: list[array] = []  # longest first
        self._count = 0  # keys in the runs
        self._bits = bytearray(1 << 12)
        self._mask = (len(self._bits) << 3) - 1
        self |= set(keys)

    def __contains__(self, key: object) -> bool:
        if key in self._new:
            return True
        if not self._runs or type(key) is not int:
            return False
        mask, bits = self._mask, self._bits
        low, high = key & mask, (key >> 32) & mask
        if not (bits[low >> 3] >> (low & 7)) & 1 or not (bits[high >> 3] >> (high & 7)) & 1:
            return False
        for run in self._runs:
            if run[0] <= key <= run[-1]:
                i = bisect_left(run, key)
                if run[i] == key:
                    return True
        return False

    def __len__(self) -> int:
        return len(self._new) + self._count

    def __iter__(self) -> Iterator[int]:
        yield from self._new
        for run in self._runs:
            yield from run

    def __ior__(self, keys: Iterable[int]) -> Seen:  # type: ignore[override]
        """Add keys (each at most once: the engine adds only the keys of events it did not hold)."""
        self._new.update(keys)
        if len(self._new) >= NEW:
            self._spill()
        return self

    def _spill(self) -> None:
        run = array("Q", sorted(self._new))
        self._new = set()
        self._count += len(run)
        if self._count * 4 > len(self._bits) << 3:  # fewer than 4 bits a key: grow to 16 (≈ 1 % false hits)
            size = len(self._bits)
            while size << 3 < self._count * 16:
                size *= 2
            self._bits, self._mask = bytearray(size), (size << 3) - 1
            for old in self._runs:
                self._mark(old)
        self._mark(run)
        while self._runs and len(self._runs[-1]) <= len(run):  # runs of distinct powers of two times NEW
            run = array("Q", merge(self._runs.pop(), run))
        self._runs.append(run)

    def _mark(self, keys: array) -> None:
        mask, bits = self._mask, self._bits
        for key in keys:
            low, high = key & mask, (key >> 32) & mask
            bits[low >> 3] |= 1 << (low & 7)
            bits[high >> 3] |= 1 << (high & 7)

    def bytes(self) -> int:
        """Memory held by the runs and the bitmap (the newest keys' set aside)."""
        return sum(run.itemsize * len(run) for run in self._runs) + len(self._bits)
