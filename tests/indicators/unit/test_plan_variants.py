"""Plans choose variants (SPEC §4.2): answers for the plan's municipality and its organisations use them."""

from datetime import date

import pytest
from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import BY_CODE, BadVariant
from pedgrowth.indicators.domain.plan import Plan
from pedgrowth.indicators.indicators.answers import Answers
from pedgrowth.kit.errors import RuleViolation

from tests.indicators.builders import course, engine_of, hired, org, program, record

D = date(2024, 12, 31)
MUN, SCHOOL, REGION = Scope("municipality", "mun-1"), Scope("organization", "sch-1"), Scope("region", "reg-1")


def plan(**kw):
    return record("plan_adopted", plan_id="plan-1", municipality_id="mun-1", title="План",
                  period_start="2020-01-01", period_end="2024-12-31",
                  targets=[{"indicator": "training_coverage", "year": 2024, "value": 0.6}], **kw)


def world(*more):
    """A school with two teachers: p-1 trained in 2020 (outside W3 of D), p-2 in 2023."""
    return [org(), program(), hired("p-1", "2010-01-01"), hired("p-2", "2010-01-01"),
            course("p-1", "2020-06-01"), course("p-2", "2023-06-01"), *more]


def row(answers, scope, code="training_coverage", **chosen):
    return next(r for r in answers.indicators(scope, D, chosen or None) if r["code"] == code)


def test_a_plan_counting_since_its_start_changes_its_municipality_and_schools_but_not_the_region():
    answers = Answers(engine_of(world(plan(definitions=[{"indicator": "training_coverage",
                                                           "window": "since_period_start"}]))))
    mun = row(answers, MUN)
    assert (mun["numerator"], mun["denominator"], mun["status"]) == (2, 2, "met")
    assert mun["definition"] == {"window": "since_period_start", "population": "pedagogical",
                                 "period_start": "2020-01-01"}
    assert row(answers, SCHOOL)["numerator"] == 2
    region = row(answers, REGION)
    assert (region["numerator"], region["definition"]["window"]) == (1, "rolling_3y")


def test_without_a_choice_the_default_holds_and_a_request_may_ask_for_a_variant():
    answers = Answers(engine_of(world(plan())))
    assert (row(answers, MUN)["numerator"], row(answers, MUN)["status"]) == (1, "behind")
    asked = row(answers, REGION, window="since_period_start", period_start=date(2020, 1, 1))
    assert (asked["numerator"], asked["definition"]["period_start"]) == (2, "2020-01-01")
    with pytest.raises(BadVariant) as error:
        answers.indicators(REGION, D, {"window": "since_period_start"})
    assert error.value.field == "period_start"


def test_a_plan_adopted_after_the_facts_builds_its_variant_from_every_person():
    engine = engine_of(world())
    engine.apply([plan(definitions=[{"indicator": "training_coverage", "window": "since_period_start"}])])
    assert row(Answers(engine), MUN)["numerator"] == 2


def test_series_carry_the_plan_s_baselines_and_definition():
    answers = Answers(engine_of(world(plan(baselines=[{"indicator": "training_coverage", "year": 2019, "value": 0.6}],
                                           definitions=[{"indicator": "training_coverage",
                                                         "population": "teachers"}]))))
    points = answers.series(MUN, "training_coverage", 2019, 2024, today=date(2025, 3, 1))
    assert points[0]["baseline"] == 0.6
    assert points[-1]["definition"]["population"] == "teachers"


@pytest.mark.parametrize(("choice", "field"), [
    ({"indicator": "open_vacancies", "window": "rolling_1y"}, "data.definitions.0.window"),
    ({"indicator": "teacher_readiness", "window": "rolling_1y"}, "data.definitions.0.indicator"),
    ({"indicator": "young_support_share", "support": "everything"}, "data.definitions.0.support"),
])
def test_a_plan_naming_a_dimension_that_does_not_apply_is_refused(choice, field):
    with pytest.raises(RuleViolation) as error:
        Plan.adopt("plan-1", "mun-1", "План", date(2020, 1, 1), date(2024, 12, 31), [], [], definitions=[choice])
    assert error.value.field == field


def test_every_indicator_s_default_is_one_of_the_dimension_values():
    from pedgrowth.indicators.definitions import DIMENSIONS
    for indicator in BY_CODE.values():
        for name, values in DIMENSIONS.items():
            value = getattr(indicator.default, name)
            assert value is None or value in values, (indicator.code, name)
