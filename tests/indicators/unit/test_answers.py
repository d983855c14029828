"""Answers: targets from plans, met / behind, reported survey values, yearly series."""

from datetime import date

from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import CODES, status
from pedgrowth.indicators.indicators.answers import Answers as Over

from tests.indicators.builders import T0, course, engine_of, facts_of, hired, org, program, record


def Answers(stream, **kw):  # noqa: N802 - reads like the class it builds
    return Over(engine_of(stream), **kw)

MUN = Scope("municipality", "mun-1")


def plan(*targets, plan_id="plan-1", municipality="mun-1", **kw):
    return record("plan_adopted", plan_id=plan_id, municipality_id=municipality, title="План",
                  period_start="2022-01-01", period_end="2026-12-31",
                  targets=[{"indicator": i, "year": y, "value": v} for i, y, v in targets], **kw)


def facts():
    return facts_of(org(), hired("p-1", "2010-01-01"), hired("p-2", "2010-01-01"), program(),
                    course("p-1", "2024-03-01"))


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_status_met_behind_no_target_and_lower_is_better():
    assert status(0.5, 0.5) == "met"
    assert status(0.49, 0.5) == "behind"
    assert status(0.5, None) == "no_target"
    assert status(None, 0.5) == "no_data"
    assert status(2, 3, lower_is_better=True) == "met"


def test_every_indicator_is_answered_with_the_municipality_target_for_the_year():
    f = facts()
    f.add(plan(("training_coverage", 2024, 0.5), ("training_coverage", 2025, 0.9), ("category_share", 2024, 0.3)))
    rows = by_code(Answers(f).indicators(MUN, date(2024, 12, 31)))
    assert set(CODES) <= set(rows)
    assert (rows["training_coverage"]["value"], rows["training_coverage"]["target"],
            rows["training_coverage"]["status"]) == (0.5, 0.5, "met")
    assert rows["category_share"]["status"] == "behind"
    assert rows["diagnostics_coverage"]["status"] == "no_target"


def test_a_later_target_set_overrides_the_plan_whatever_the_arrival_order():
    from datetime import timedelta
    adopted = plan(("training_coverage", 2024, 0.5))
    changed = record("target_set", plan_id="plan-1", indicator="training_coverage", year=2024, value=0.4,
                     time=T0 + timedelta(days=30))
    for order in ([adopted, changed], [changed, adopted]):
        f = facts()
        for r in order:
            f.add(r)
        assert by_code(Answers(f).indicators(MUN, date(2024, 12, 31)))["training_coverage"]["target"] == 0.4


def test_reported_survey_values_are_shown_as_reported_for_the_municipality():
    f = facts()
    f.add(plan(("teacher_readiness", 2024, 0.7)))
    f.add(record("value_reported", municipality_id="mun-1", indicator="teacher_readiness", year=2024, value=0.75,
                 method="survey"))
    rows = by_code(Answers(f, survey_names={"teacher_readiness": "Готовность"}).indicators(MUN, date(2024, 6, 1)))
    assert rows["teacher_readiness"] == {
        "code": "teacher_readiness", "name": "Готовность", "unit": "share", "value": 0.75, "numerator": None,
        "denominator": None, "target": 0.7, "status": "met", "kind": "reported", "definition": {},
        "lower_is_better": False, "reported": True, "method": "survey", "applicable": True}
    assert "teacher_readiness" not in by_code(Answers(f).indicators(Scope("region", "reg-1"), date(2024, 6, 1)))


def test_series_gives_each_year_as_of_31_december_and_today_for_the_current_year():
    f = facts()
    f.add(plan(("training_coverage", 2023, 0.2), ("training_coverage", 2026, 1.0)))
    series = Answers(f).series(MUN, "training_coverage", 2022, 2026, today=date(2025, 6, 15))
    assert [(p["year"], p["as_of"], p["numerator"], p["target"], p["status"]) for p in series] == [
        (2022, "2022-12-31", 0, None, "no_target"),
        (2023, "2023-12-31", 0, 0.2, "behind"),
        (2024, "2024-12-31", 1, None, "no_target"),
        (2025, "2025-06-15", 1, None, "no_target"),
        (2026, "2026-12-31", None, 1.0, "no_data"),
    ]


def test_reserve_ratio_is_not_applicable_to_an_organisation():
    rows = by_code(Answers(facts()).indicators(Scope("organization", "sch-1"), date(2024, 12, 31)))
    assert rows["reserve_ratio"]["applicable"] is False
    assert rows["reserve_ratio"]["value"] is None
    assert rows["reserve_ratio"]["status"] == "not_applicable"


def test_answers_follow_each_new_event_with_nothing_cached():
    engine = engine_of(facts())
    answers = Over(engine)
    assert by_code(answers.indicators(MUN, date(2024, 12, 31)))["training_coverage"]["numerator"] == 1
    engine.apply([course("p-2", "2024-04-01")])
    assert by_code(answers.indicators(MUN, date(2024, 12, 31)))["training_coverage"]["numerator"] == 2


def test_every_answer_names_its_definition_with_the_defaults_filled_in():
    rows = by_code(Answers(facts()).indicators(MUN, date(2024, 12, 31)))
    assert rows["training_coverage"]["definition"] == {"window": "rolling_3y", "population": "pedagogical"}
    assert rows["young_support_share"]["definition"] == {
        "window": "rolling_1y", "population": "pedagogical", "young": "experience_under_3y",
        "support": "support_events", "cohort": "all_young"}
    assert rows["open_vacancies"]["definition"] == {}
    assert {r["kind"] for r in rows.values()} == {"computed"}
