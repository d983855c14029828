"""Field rules of the event data, seen through decode as a publisher would meet them."""

from datetime import date, datetime

import pytest

from pedgrowth.contracts import ContractViolation, add_years, decode
from pedgrowth.contracts.mentoring import MentorRegistered
from pedgrowth.contracts.registry import EmploymentStarted
from pedgrowth.contracts.training import AttestationPassed

from .samples import SAMPLES, sample_envelope

EMPLOYMENT = "pedgrowth.registry.employment_started.v1"
PROGRAM = "pedgrowth.training.program_published.v1"
ATTESTATION = "pedgrowth.training.attestation_passed.v1"
MENTOR = "pedgrowth.mentoring.mentor_registered.v1"
PLAN = "pedgrowth.indicators.plan_adopted.v1"


def rejected(event_type: str, **data) -> ContractViolation:
    envelope = sample_envelope(event_type)
    envelope["data"].update(data)
    with pytest.raises(ContractViolation) as caught:
        decode(envelope)
    assert caught.value.reason == "schema"
    return caught.value


def accepted(event_type: str, **data):
    envelope = sample_envelope(event_type)
    envelope["data"].update(data)
    return decode(envelope).data


def test_unknown_enum_value_names_the_field_and_lists_allowed_values():
    error = rejected(EMPLOYMENT, position="janitor")
    assert error.field == "data.position"
    assert "'janitor'" in error.message
    assert "teacher, director, deputy_director" in error.message
    assert "non_pedagogical" in error.message


def test_unknown_enum_value_inside_a_list_item_is_located():
    deficits = [{"code": "D-1", "area": "subject"}, {"code": "D-2", "area": "emotional"}]
    error = rejected("pedgrowth.training.diagnostics_completed.v1", deficits=deficits)
    assert error.field == "data.deficits.1.area"
    assert "psychological_pedagogical" in error.message


@pytest.mark.parametrize("bad", ["2024-13-01", "2023-02-29", "01.02.2024", "2024-1-5", "20240101"])
def test_dates_must_be_real_days_written_yyyy_mm_dd(bad):
    error = rejected(EMPLOYMENT, started_on=bad)
    assert error.field == "data.started_on"
    assert bad in error.message


@pytest.mark.parametrize("bad", [20240101, 1.5, True, None])
def test_dates_must_be_strings(bad):
    assert rejected(EMPLOYMENT, started_on=bad).field == "data.started_on"


def test_a_datetime_is_not_a_day():
    with pytest.raises(ValueError, match="date-time"):
        EmploymentStarted.model_validate(
            SAMPLES[EMPLOYMENT] | {"started_on": datetime(2021, 9, 1, 8, 0)}
        )


def test_a_date_instance_is_a_day():
    data = EmploymentStarted.model_validate(SAMPLES[EMPLOYMENT] | {"started_on": date(2021, 9, 1)})
    assert data.started_on == date(2021, 9, 1)


def test_ids_must_not_be_empty():
    assert rejected(EMPLOYMENT, person_id="").field == "data.person_id"


def test_ids_must_be_strings():
    assert rejected(EMPLOYMENT, person_id=17).field == "data.person_id"


def test_booleans_must_be_json_booleans():
    error = rejected(EMPLOYMENT, education_matches_profile="yes")
    assert error.field == "data.education_matches_profile"


def test_advanced_training_needs_at_least_16_hours():
    error = rejected(PROGRAM, kind="advanced_training", hours=15)
    assert error.field == "data.hours"
    assert "16" in error.message


def test_advanced_training_of_16_hours_is_accepted():
    assert accepted(PROGRAM, kind="advanced_training", hours=16).hours == 16


def test_retraining_needs_at_least_250_hours():
    error = rejected(PROGRAM, kind="retraining", hours=249)
    assert error.field == "data.hours"
    assert "250" in error.message


def test_retraining_of_250_hours_is_accepted():
    assert accepted(PROGRAM, kind="retraining", hours=250).hours == 250


def test_category_is_valid_five_years_by_default():
    data = AttestationPassed(person_id="p-2", category="first", decided_on=date(2023, 3, 1))
    assert data.valid_until == date(2028, 3, 1)


def test_category_decided_on_29_february_runs_to_28_february():
    data = AttestationPassed(person_id="p-2", category="first", decided_on=date(2024, 2, 29))
    assert data.valid_until == date(2029, 2, 28)


def test_explicit_valid_until_is_kept():
    assert accepted(ATTESTATION, valid_until="2025-01-01").valid_until == date(2025, 1, 1)


def test_valid_until_must_be_after_decided_on():
    error = rejected(ATTESTATION, decided_on="2022-12-20", valid_until="2022-12-20")
    assert error.field == "data.valid_until"
    assert "after decided_on" in error.message


def test_add_years_keeps_month_and_day():
    assert add_years(date(2024, 9, 1), -3) == date(2021, 9, 1)


def test_mentor_from_an_enterprise_needs_no_person_id():
    data = MentorRegistered(
        mentor_id="m-2", external_organization="АО «Завод»", registered_on=date(2024, 1, 10)
    )
    assert data.person_id is None


def test_mentor_needs_a_person_id_or_an_external_organization():
    envelope = sample_envelope(MENTOR)
    del envelope["data"]["person_id"]
    with pytest.raises(ContractViolation) as caught:
        decode(envelope)
    assert "person_id" in caught.value.message
    assert "external_organization" in caught.value.message


def test_plan_period_may_not_end_before_it_starts():
    error = rejected(PLAN, period_start="2024-01-01", period_end="2023-12-31")
    assert error.field == "data.period_end"


def test_plan_of_one_day_is_accepted():
    assert accepted(PLAN, period_start="2024-01-01", period_end="2024-01-01")


def test_plan_targets_are_typed_items():
    error = rejected(PLAN, targets=[{"indicator": "training_coverage", "year": "2024", "value": 1}])
    assert error.field == "data.targets.0.year"


def test_plan_may_not_target_one_indicator_twice_in_a_year():
    target = {"indicator": "training_coverage", "year": 2024, "value": 0.5}
    assert rejected(PLAN, targets=[target, target]).field == "data.targets"


def test_plan_measure_ids_are_unique():
    measure = SAMPLES[PLAN]["measures"][0]
    assert rejected(PLAN, measures=[measure, measure]).field == "data.measures"


@pytest.mark.parametrize(
    "event_type", ["pedgrowth.indicators.target_set.v1", "pedgrowth.indicators.value_reported.v1"]
)
def test_values_may_not_be_negative(event_type):
    assert rejected(event_type, value=-0.1).field == "data.value"


def test_route_may_not_be_planned_to_end_before_it_starts():
    error = rejected("pedgrowth.training.route_started.v1", planned_until="2023-10-01")
    assert error.field == "data.planned_until"


def test_data_is_immutable():
    data = accepted(EMPLOYMENT)
    with pytest.raises(ValueError):
        data.person_id = "p-9"


RECOMMENDATION = "pedgrowth.indicators.recommendation_issued.v1"
SUBMISSION = "pedgrowth.indicators.monitoring_submitted.v1"
REVIEW = "pedgrowth.indicators.effectiveness_reviewed.v1"


def test_recommendation_may_not_be_due_before_it_is_issued():
    error = rejected(RECOMMENDATION, issued_on="2024-03-25", due_on="2024-03-24")
    assert error.field == "data.due_on"
    assert "before issued_on" in error.message


def test_recommendation_names_at_least_one_indicator():
    assert rejected(RECOMMENDATION, indicators=[]).field == "data.indicators"


def test_monitoring_is_not_submitted_before_its_as_of_date():
    error = rejected(SUBMISSION, as_of="2023-12-31", submitted_on="2023-12-30")
    assert error.field == "data.submitted_on"


def test_monitoring_sha256_is_lowercase_hex_of_64_digits():
    assert rejected(SUBMISSION, sha256="ABC").field == "data.sha256"


def test_monitoring_positions_name_partitions_by_number():
    assert rejected(SUBMISSION, positions={"registry.events": {"zero": 1}}).field.startswith("data.positions")
    assert rejected(SUBMISSION, positions={"registry.events": {"0": -1}}).field.startswith("data.positions")


def test_review_assesses_each_indicator_once():
    twice = [{"indicator": "training_coverage", "assessment": "effective"},
             {"indicator": "training_coverage", "assessment": "not_effective"}]
    assert rejected(REVIEW, findings=twice).field == "data.findings"
    assert rejected(REVIEW, findings=[{"indicator": "x", "assessment": "great"}]).field == "data.findings.0.assessment"


def test_plan_may_choose_a_project_cohort_and_speaking():
    choice = {"indicator": "young_retention_3y", "cohort": "project:startuem-vmeste"}
    speaking = {"indicator": "competition_share", "competition": "competitions_and_speaking"}
    data = accepted(PLAN, definitions=[choice, speaking])
    assert data.definitions[0].cohort == "project:startuem-vmeste"
    assert rejected(PLAN, definitions=[{"indicator": "young_retention_3y", "cohort": "graduates"}]).field \
        == "data.definitions.0.cohort"


def test_measure_may_be_completed_by_one_school():
    assert accepted("pedgrowth.indicators.measure_completed.v1", org_id="sch-1").org_id == "sch-1"
