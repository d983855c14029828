"""The indicators process collects its oldest generation rarely (engine/collector.py)."""

import gc

from pedgrowth.indicators.engine.collector import OLDEST, pace_collector


def test_pacing_changes_only_the_oldest_generations_threshold():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        pace_collector()
        assert gc.get_threshold() == (700, 10, OLDEST)
    finally:
        gc.set_threshold(*before)
