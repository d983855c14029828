from pedgrowth.contracts import EVENT_MODELS, SERVICE_EVENT_TYPES
from pedgrowth.contracts.base import EventData

from .samples import SAMPLES

EXPECTED_TYPES = {
    "registry": [
        "organization_registered", "employment_started", "employment_ended",
        "position_changed", "education_profile_recorded", "vacancy_opened",
        "vacancy_closed", "reserve_enrolled", "reserve_left",
    ],
    "training": [
        "provider_registered", "program_published", "course_completed",
        "diagnostics_completed", "route_started", "route_completed",
        "attestation_passed", "competition_participated", "independent_assessment_passed",
        "pd_request_submitted", "pd_request_met",
    ],
    "mentoring": [
        "mentor_registered", "pair_assigned", "pair_ended",
        "community_joined", "community_left", "support_event_attended",
        "expert_role_started", "expert_role_ended", "asset_joined", "asset_left",
        "project_enrolled", "project_left", "curator_appointed", "curator_released",
    ],
    "indicators": ["plan_adopted", "target_set", "baseline_set", "value_reported", "measure_completed",
                   "recommendation_issued", "recommendation_completed", "decision_recorded",
                   "effectiveness_reviewed", "monitoring_submitted"],
}

EXPECTED_SUBJECTS = {
    "organization_registered": "org_id",
    "vacancy_opened": "vacancy_id",
    "vacancy_closed": "vacancy_id",
    "provider_registered": "provider_id",
    "program_published": "program_id",
    "mentor_registered": "mentor_id",
    "pair_assigned": "pair_id",
    "pair_ended": "pair_id",
    "plan_adopted": "plan_id",
    "target_set": "plan_id",
    "baseline_set": "plan_id",
    "measure_completed": "plan_id",
    "value_reported": "municipality_id",
    "pd_request_submitted": "request_id",
    "pd_request_met": "request_id",
    "curator_appointed": "org_id",
    "curator_released": "org_id",
    "recommendation_issued": "recommendation_id",
    "recommendation_completed": "recommendation_id",
    "decision_recorded": "decision_id",
    "effectiveness_reviewed": "review_id",
    "monitoring_submitted": "submission_id",
}


def test_every_event_type_has_its_exact_type_string():
    expected = {
        f"pedgrowth.{service}.{name}.v1"
        for service, names in EXPECTED_TYPES.items()
        for name in names
    }
    assert set(EVENT_MODELS) == expected


def test_types_are_grouped_by_owning_service_in_spec_order():
    assert SERVICE_EVENT_TYPES == {
        service: tuple(f"pedgrowth.{service}.{name}.v1" for name in names)
        for service, names in EXPECTED_TYPES.items()
    }


def test_each_model_knows_its_own_type_string():
    for event_type, model in EVENT_MODELS.items():
        assert issubclass(model, EventData)
        assert model.event_type == event_type


def test_subject_field_is_the_id_the_event_is_about():
    for model in EVENT_MODELS.values():
        assert model.subject_field == EXPECTED_SUBJECTS.get(model.type_suffix, "person_id")


def test_class_names_are_the_pascal_case_of_the_type_suffix():
    for model in EVENT_MODELS.values():
        assert model.__name__ == model.type_suffix.title().replace("_", "")


def test_every_type_has_a_sample():
    assert set(SAMPLES) == set(EVENT_MODELS)


def test_samples_are_valid_data_for_their_type():
    for event_type, data in SAMPLES.items():
        EVENT_MODELS[event_type].model_validate(data)
