"""How often the cyclic garbage collector may scan a process that holds the engine.

The engine keeps a few million small objects that live as long as the process (facts, steps). CPython
(3.11) runs a full collection, which visits every one of them, whenever the objects promoted to the
oldest generation since the last one reach a quarter of it; each batch's maps of contributions live long
enough to be promoted and then die, so a full collection came every few batches: a fifth of the
projection's time at 40,000 staff. The engine makes no reference cycles of its own (its garbage is freed
by reference counting), so the oldest generation is visited only every ``OLDEST`` collections of the
middle one instead of every ten — the cycles the rest of the process makes (exceptions, frames) are
still collected, later.
"""

from __future__ import annotations

import gc

OLDEST = 1000  # collections of the middle generation between two of the oldest (CPython's default: 10)


def pace_collector() -> None:
    """Collect the oldest generation rarely (for the process holding an engine: its composition root)."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, OLDEST)
