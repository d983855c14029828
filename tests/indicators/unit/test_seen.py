"""The engine's set of held event keys (engine/seen.py) behaves as a set of 64-bit ints at any size."""

import random

from pedgrowth.indicators.engine import seen as seen_module
from pedgrowth.indicators.engine.seen import Seen


def test_holds_exactly_the_keys_added_across_many_spills(monkeypatch):
    monkeypatch.setattr(seen_module, "NEW", 64)  # many runs and merges with few keys
    rng = random.Random(5)
    keys = [rng.getrandbits(64) for _ in range(20_000)]
    held, seen = set(), Seen()
    for start in range(0, 15_000, 150):
        batch = set(keys[start:start + 150])
        seen |= batch
        held |= batch
    assert len(seen) == len(held)
    assert set(seen) == held
    assert all(k in seen for k in held)
    assert not any(k in seen for k in keys[15_000:])
    assert held <= seen and not set(keys[14_000:16_000]) <= seen


def test_extremes_and_other_types(monkeypatch):
    monkeypatch.setattr(seen_module, "NEW", 1)  # each key spilled into a run
    seen = Seen([0, 2**64 - 1])
    assert 0 in seen and 2**64 - 1 in seen and 1 not in seen and "0" not in seen
