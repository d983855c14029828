"""The window dimension (SPEC §4.2) as interval rules of D (SPEC §4.3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..definitions import Variant
from .days import EMPTY, FOREVER, Intervals, first_day_reaching, next_january, next_september, span


@dataclass(frozen=True)
class Window:
    """Which D a dated fact counts for: D ∈ [max(c, opens), leaves(c)); ``opens`` bounds the window's start."""

    leaves: Callable[[int], int]  # the first D whose window no longer holds a fact dated c
    opens: int | None = None  # since_period_start: facts before this day never count

    def fact(self, c: int) -> Intervals:
        """D such that a fact dated c lies in the window of D."""
        if self.opens is not None and c < self.opens:
            return EMPTY
        return span(c, self.leaves(c))

    def meets(self, a: int, b: int) -> Intervals:
        """D such that [a, b) is active on at least one day of the window of D."""
        if a >= b:
            return EMPTY
        last = b - 1
        if self.opens is not None:
            if last < self.opens:
                return EMPTY
            return span(max(a, self.opens), FOREVER if b >= FOREVER else self.leaves(last))
        return span(a, FOREVER if b >= FOREVER else self.leaves(last))


def _rolling(years: int) -> Callable[[int], int]:
    return lambda c: first_day_reaching(c, years)


ROLLING_1Y = Window(_rolling(1))
ROLLING_3Y = Window(_rolling(3))
CALENDAR_YEAR = Window(next_january)
SCHOOL_YEAR = Window(next_september)


def window_of(variant: Variant, default: str = "rolling_1y") -> Window:
    """The rule of the variant's window (``default`` when the indicator has no window dimension)."""
    name = variant.window or default
    if name == "rolling_3y":
        return ROLLING_3Y
    if name == "rolling_1y":
        return ROLLING_1Y
    if name == "calendar_year":
        return CALENDAR_YEAR
    if name == "school_year":
        return SCHOOL_YEAR
    if name == "since_period_start":
        start: date = variant.period_start
        return Window(lambda c: FOREVER, opens=start.toordinal())
    raise ValueError(f"unknown window {name!r}")
