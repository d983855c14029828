"""The sums' steps: changes folded into a step give what adding them up from scratch gives."""

from itertools import accumulate

from hypothesis import given
from hypothesis import strategies as st
from pedgrowth.indicators.engine.sums import EMPTY_STEP, Step

changes = st.dictionaries(st.integers(0, 60), st.integers(-3, 3), max_size=12)


def from_scratch(batches: list[dict[int, int]]) -> tuple[list[int], list[int]]:
    deltas: dict[int, int] = {}
    for batch in batches:
        for day, delta in batch.items():
            deltas[day] = deltas.get(day, 0) + delta
    days = sorted(day for day, delta in deltas.items() if delta)
    return days, list(accumulate(deltas[day] for day in days))


@given(st.lists(changes, max_size=8))
def test_changes_folded_batch_by_batch_equal_the_sum_of_all_of_them(batches):
    step = EMPTY_STEP
    for batch in batches:
        step = step.merged(batch)
    days, totals = from_scratch(batches)
    assert (list(step.days), list(step.totals)) == (days, totals)
    for day in range(-1, 62):
        before = [total for d, total in zip(days, totals, strict=True) if d <= day]
        assert step.at(day) == (before[-1] if before else 0)


@given(st.lists(changes, min_size=1, max_size=5))
def test_a_step_survives_the_store_s_bytes(batches):
    step = EMPTY_STEP
    for batch in batches:
        step = step.merged(batch)
    assert Step.from_bytes(*step.to_bytes()) == step
