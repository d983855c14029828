"""The additions within v1 (SPEC §3): the new training and mentoring types, support_event_attended.role,
and events written before them still valid and unchanged."""

import json

import pytest

from pedgrowth.contracts import EVENT_MODELS, ContractViolation, decode
from pedgrowth.contracts.mentoring import SupportRole

from .samples import SAMPLES, sample_envelope
from .test_generated import validator

SUPPORT = "pedgrowth.mentoring.support_event_attended.v1"
CLOSED_ENUMS = [
    ("pedgrowth.training.pd_request_submitted.v1", "direction",
     "subject, methodical, psychological_pedagogical, communicative, digital, management, other"),
    ("pedgrowth.mentoring.expert_role_started.v1", "role",
     "attestation_commission, competition_jury, exam_expert, program_reviewer, other"),
    ("pedgrowth.mentoring.expert_role_started.v1", "level", "institutional, municipal, regional, federal"),
    ("pedgrowth.mentoring.project_left.v1", "outcome", "completed, withdrawn"),
    (SUPPORT, "role", "participant, speaker"),
]
NEW_TYPES = [f"pedgrowth.training.{name}.v1" for name in ("pd_request_submitted", "pd_request_met")] + [
    f"pedgrowth.mentoring.{name}.v1" for name in (
        "expert_role_started", "expert_role_ended", "asset_joined", "asset_left", "project_enrolled",
        "project_left", "curator_appointed", "curator_released")]
OPTIONAL = {"pedgrowth.training.pd_request_submitted.v1": "topic", "pedgrowth.training.pd_request_met.v1":
            "program_id", "pedgrowth.mentoring.asset_joined.v1": "role"}


def violation(event_type: str, **data) -> ContractViolation:
    envelope = sample_envelope(event_type)
    envelope["data"].update(data)
    with pytest.raises(ContractViolation) as caught:
        decode(envelope)
    return caught.value


@pytest.mark.parametrize(("event_type", "field", "allowed"), CLOSED_ENUMS)
def test_an_unknown_enum_value_is_refused_naming_the_field_and_the_allowed_values(event_type, field, allowed):
    error = violation(event_type, **{field: "volunteer"})
    assert error.field == f"data.{field}"
    assert error.message == f"{field} must be one of: {allowed}; got 'volunteer'"
    assert not validator(event_type).is_valid({**sample_envelope(event_type),
                                               "data": {**SAMPLES[event_type], field: "volunteer"}})


@pytest.mark.parametrize("event_type", NEW_TYPES)
def test_every_required_field_of_a_new_type_is_required(event_type):
    for field in SAMPLES[event_type]:
        if field == OPTIONAL.get(event_type):
            continue
        data = {k: v for k, v in SAMPLES[event_type].items() if k != field}
        envelope = {**sample_envelope(event_type), "data": data}
        envelope.pop("subject", None)
        with pytest.raises(ContractViolation) as caught:
            decode(envelope)
        error = caught.value
        assert (error.field, error.message) == (f"data.{field}", f"{field} is required")
        assert not validator(event_type).is_valid(envelope)


@pytest.mark.parametrize(("event_type", "field"), sorted(OPTIONAL.items()))
def test_optional_fields_of_the_new_types_may_be_left_out(event_type, field):
    data = {k: v for k, v in SAMPLES[event_type].items() if k != field}
    envelope = {**sample_envelope(event_type), "data": data}
    validator(event_type).validate(envelope)
    assert getattr(decode(envelope).data, field) is None


@pytest.mark.parametrize("event_type", NEW_TYPES)
def test_dates_of_the_new_types_are_days(event_type):
    model = EVENT_MODELS[event_type]
    for field in [f for f in SAMPLES[event_type] if f.endswith("_on")]:
        assert violation(event_type, **{field: "31.08.2024"}).field == f"data.{field}"
        assert model.model_json_schema()["properties"][field]["format"] == "date"


def test_a_pd_request_and_its_being_met_share_the_request_as_subject_and_key():
    submitted = decode(sample_envelope("pedgrowth.training.pd_request_submitted.v1"))
    met = decode(sample_envelope("pedgrowth.training.pd_request_met.v1"))
    assert submitted.subject == met.subject == "req-1"


def test_a_curator_event_is_about_the_organisation():
    assert decode(sample_envelope("pedgrowth.mentoring.curator_appointed.v1")).subject == "sch-1"
    with pytest.raises(ContractViolation) as caught:
        decode(sample_envelope("pedgrowth.mentoring.curator_released.v1", subject="p-2"))
    assert caught.value.field == "subject"


def test_a_speaker_at_a_support_event_is_recorded_as_such():
    envelope = sample_envelope(SUPPORT)
    envelope["data"]["role"] = "speaker"
    validator(SUPPORT).validate(envelope)
    assert decode(envelope).data.role is SupportRole.SPEAKER


def test_a_support_event_written_before_role_existed_is_valid_and_unchanged():
    """Old events stay valid: no role is a participant, and the event is re-encoded exactly as it came."""
    old = sample_envelope(SUPPORT)
    assert "role" not in old["data"]
    validator(SUPPORT).validate(old)
    fact = decode(old)
    assert fact.data.role is None
    assert json.loads(fact.envelope.to_bytes())["data"] == old["data"]


@pytest.mark.parametrize("event_type", sorted(t for t in SAMPLES if t not in NEW_TYPES))
def test_every_event_of_the_first_contract_still_decodes_to_the_same_data(event_type):
    old = sample_envelope(event_type)
    assert json.loads(decode(old).envelope.to_bytes())["data"] == old["data"]
