"""A share's target or base value cannot exceed 1 (the plans write 0.5 for 50 %); counts and reserve_ratio can."""

from datetime import date

import pytest
from pedgrowth.indicators.domain.plan import Plan
from pedgrowth.kit.errors import RuleViolation

START, END = date(2025, 1, 1), date(2026, 12, 31)


def adopt(targets=(), baselines=None) -> Plan:
    return Plan.adopt("p-1", "mun-1", "План", START, END, targets=list(targets), measures=[],
                      baselines=baselines)


def test_a_share_target_above_one_is_refused_naming_the_field():
    with pytest.raises(RuleViolation) as refused:
        adopt([{"indicator": "training_coverage", "year": 2025, "value": 1.5}])
    assert refused.value.field == "data.targets.0.value"


def test_a_share_base_value_above_one_is_refused():
    with pytest.raises(RuleViolation) as refused:
        adopt(baselines=[{"indicator": "category_share", "year": 2024, "value": 60}])
    assert refused.value.field == "data.baselines.0.value"


def test_a_survey_indicator_is_a_share_too():
    with pytest.raises(RuleViolation):
        adopt([{"indicator": "teacher_readiness", "year": 2025, "value": 100}])


def test_target_set_keeps_the_bound():
    plan = adopt()
    with pytest.raises(RuleViolation) as refused:
        plan.set_target("young_support_share", 2025, 1.01)
    assert refused.value.field == "data.value"


def test_counts_and_the_reserve_ratio_may_exceed_one():
    plan = adopt([{"indicator": "retraining_count", "year": 2025, "value": 40},
                  {"indicator": "reserve_ratio", "year": 2025, "value": 1.5},
                  {"indicator": "training_coverage", "year": 2026, "value": 1.0}])
    assert plan.targets[("reserve_ratio", 2025)] == 1.5


def test_baseline_set_keeps_the_bound():
    plan = adopt()
    with pytest.raises(RuleViolation) as refused:
        plan.set_baseline("category_share", 2024, 91.3)
    assert refused.value.field == "data.value"
