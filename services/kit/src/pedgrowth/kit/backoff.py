"""How long a background task waits before it reconnects after a failure: one rule for every loop."""

from __future__ import annotations

import asyncio
import contextlib


class Backoff:
    """Exponential reconnect delays (0.4 s, 0.8 s, … up to ``cap``), counted from the last success.

    The inbox, the relay, the followers and the projection outlive broker and store outages by
    waiting here between attempts; a ``stop`` event ends a wait early so a shutdown never waits it out.
    """

    def __init__(self, base: float = 0.2, cap: float = 10.0, max_exponent: int = 6):
        self.base = base
        self.cap = cap
        self.max_exponent = max_exponent
        self.failures = 0

    def delay(self) -> float:
        """The wait after the failures counted so far."""
        return min(self.cap, self.base * 2 ** min(self.failures, self.max_exponent))

    def succeeded(self) -> None:
        """The next failure waits the shortest time again."""
        self.failures = 0

    async def failed(self, stop: asyncio.Event | None = None) -> None:
        """Count a failure and wait its delay (or until ``stop`` is set)."""
        self.failures += 1
        if stop is None:
            await asyncio.sleep(self.delay())
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), self.delay())
