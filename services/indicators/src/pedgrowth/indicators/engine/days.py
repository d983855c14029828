"""Days as integers (``date.toordinal``) and sets of half-open day intervals [a, b), SPEC §4.3.

An ``Intervals`` value is a tuple of disjoint, sorted, non-touching ``(a, b)`` pairs with a < b;
``NEVER`` and ``FOREVER`` stand for the open ends. Window edges are computed with the same
minus-years function the definitions use (``add_years``), never by adding years to a day.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from pedgrowth.contracts import add_months, add_years

Intervals = tuple[tuple[int, int], ...]
NEVER = -(10**7)  # before any day
FOREVER = 10**7  # after any day
EMPTY: Intervals = ()
ALWAYS: Intervals = ((NEVER, FOREVER),)


def ordinal(day: date) -> int:
    return day.toordinal()


def to_date(n: int) -> date:
    return date.fromordinal(n)


def span(a: int, b: int) -> Intervals:
    return ((a, b),) if a < b else EMPTY


def union(pairs) -> Intervals:
    """The union of any (a, b) pairs, normalised."""
    out = []
    start = end = None
    for a, b in sorted(pairs):
        if a >= b:
            continue
        if end is not None and a <= end:
            if b > end:
                end = b
        else:
            if end is not None:
                out.append((start, end))
            start, end = a, b
    if end is None:
        return EMPTY
    out.append((start, end))
    return tuple(out)


def intersect(x: Intervals, y: Intervals) -> Intervals:
    if not x or not y:
        return EMPTY
    if y is ALWAYS:
        return x
    if x is ALWAYS:
        return y
    out, i, j = [], 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if a < b:
            out.append((a, b))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(x: Intervals, y: Intervals) -> Intervals:
    """Days of x not in y."""
    if not x or not y:
        return x
    out = []
    for a, b in x:
        start = a
        for c, d in y:
            if d <= start or c >= b:
                continue
            if c > start:
                out.append((start, c))
            start = max(start, d)
            if start >= b:
                break
        if start < b:
            out.append((start, b))
    return tuple(out)


def covers(x: Intervals, t: int) -> bool:
    return any(a <= t < b for a, b in x)


def years_before(n: int, years: int) -> int:
    """D − n years as an ordinal (month and day kept, 29 Feb → 28 Feb)."""
    return add_years(date.fromordinal(n), -years).toordinal()


@lru_cache(maxsize=1 << 17)
def first_day_reaching(c: int, years: int) -> int:
    """The first day D with D − ``years`` years ≥ c (so a fact on day c has left the window).

    Cached: every window edge and every age or experience threshold goes through here, a person's facts
    are re-evaluated in every batch that touches them, and the days of a region are a few thousand."""
    if c <= NEVER or c >= FOREVER:
        return c
    e = add_years(date.fromordinal(c), years).toordinal()
    while years_before(e - 1, years) >= c:
        e -= 1
    while years_before(e, years) < c:
        e += 1
    return e


def preimage(x: Intervals, years: int) -> Intervals:
    """The days D with D − ``years`` years in x (the cohort of ``years`` earlier, seen at D)."""
    return union((first_day_reaching(a, years), first_day_reaching(b, years)) for a, b in x)


@lru_cache(maxsize=1 << 15)
def first_day_month_reaching(c: int, months: int) -> int:
    """The first day D with D + ``months`` months ≥ c (months added keeping the day, clamped)."""
    if c <= NEVER or c >= FOREVER:
        return c
    e = add_months(date.fromordinal(c), -months).toordinal()
    while add_months(date.fromordinal(e - 1), months).toordinal() >= c:
        e -= 1
    while add_months(date.fromordinal(e), months).toordinal() < c:
        e += 1
    return e


def next_january(c: int) -> int:
    return date(date.fromordinal(c).year + 1, 1, 1).toordinal()


def next_september(c: int) -> int:
    day = date.fromordinal(c)
    return date(day.year + 1 if day.month >= 9 else day.year, 9, 1).toordinal()
