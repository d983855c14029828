"""The cycle of a year as the API shows it (SPEC §5.1): deadlines, done / due / overdue, late, what is behind."""

from __future__ import annotations

from datetime import date

from pedgrowth.contracts.indicators import MeasureCompleted, PlanAdopted
from pedgrowth.indicators.application import IndicatorsApplication
from pedgrowth.indicators.cycle import cycle_of
from pedgrowth.indicators.indicators.answers import Answers

from tests.indicators.builders import course, engine_of, hired, org, program, record

from .test_cycle_rules import decision, issued, review
from .test_plan_rules import save

PLAN = PlanAdopted(plan_id="plan-1", municipality_id="mun-1", title="План", period_start="2023-01-01",
                   period_end="2025-12-31", targets=[{"indicator": "training_coverage", "year": 2023, "value": 0.9}],
                   measures=[{"measure_id": "m1", "title": "Семинар", "due_on": "2024-05-01", "responsible": "УО"},
                             {"measure_id": "m2", "title": "Резерв", "due_on": "2024-11-30", "responsible": "УО"}])


def world():
    """Two teachers of mun-1, one trained in 2023: training_coverage 0.5 against a target of 0.9 (behind)."""
    app = IndicatorsApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    save(app, PLAN)
    facts = [org(), program(), hired("p-1", "2010-01-01"), hired("p-2", "2010-01-01"), course("p-1", "2023-06-01"),
             record("plan_adopted", **PLAN.model_dump(mode="json", exclude_none=True))]
    return app, Answers(engine_of(facts))


def steps(cycle: dict) -> dict:
    return {s["step"]: (s["state"], s["late"]) for s in cycle["steps"]}


def test_each_step_has_its_deadline_and_what_is_behind_is_named():
    app, answers = world()
    cycle = cycle_of(app, answers, "mun-1", 2024, date(2024, 1, 10))
    assert [(s["step"], s["deadline"]) for s in cycle["steps"]] == [
        ("monitoring", date(2024, 1, 20)), ("analysis", date(2024, 3, 30)), ("review", date(2024, 8, 31)),
        ("decisions", date(2024, 12, 31))]
    assert set(steps(cycle).values()) == {("due", False)} and cycle["overdue"] == []
    assert [(b["indicator"], b["value"], b["target"], b["recommended"]) for b in cycle["behind"]] == [
        ("training_coverage", 0.5, 0.9, False)]


def test_a_step_not_done_by_its_deadline_is_overdue_and_one_done_after_it_is_late():
    app, answers = world()
    save(app, issued(indicators=["training_coverage"], issued_on="2024-04-02", due_on="2024-06-01"))
    cycle = cycle_of(app, answers, "mun-1", 2024, date(2024, 4, 15))
    assert steps(cycle)["monitoring"] == ("overdue", False)
    assert steps(cycle)["analysis"] == ("done", True)
    assert cycle["overdue"] == ["monitoring"] and cycle["behind"][0]["recommended"]
    assert cycle_of(app, answers, "mun-1", 2024, date(2024, 4, 1))["steps"][1]["state"] == "overdue", \
        "not yet issued on that day"


def test_decisions_are_done_when_every_measure_of_the_year_and_a_decision_are():
    app, answers = world()
    save(app, decision(decided_on="2024-04-10", measure_ids=["m1"]))
    save(app, MeasureCompleted(plan_id="plan-1", measure_id="m1", completed_on="2024-04-30"))
    assert steps(cycle_of(app, answers, "mun-1", 2024, date(2025, 1, 5)))["decisions"] == ("overdue", False)
    save(app, MeasureCompleted(plan_id="plan-1", measure_id="m2", completed_on="2024-12-20"))
    cycle = cycle_of(app, answers, "mun-1", 2024, date(2025, 1, 5))
    decisions = cycle["steps"][3]
    assert (decisions["state"], decisions["done_on"]) == ("done", date(2024, 12, 20))
    assert [m["measure_id"] for m in decisions["measures"]] == ["m1", "m2"]


def test_the_review_shows_each_indicator_before_and_after():
    app, answers = world()
    save(app, review(reviewed_on="2024-08-20"))
    found = cycle_of(app, answers, "mun-1", 2024, date(2024, 9, 1))["steps"][2]
    assert found["state"] == "done"
    [finding] = found["review"]["findings"]
    assert (finding["value_before"], finding["value_after"], finding["assessment"]) == (0.5, 0.5, "effective")
