import json

import pytest

from pedgrowth.contracts import ContractViolation, Fact, decode, decode_for_service, encode
from pedgrowth.contracts.training import CourseCompleted

from .samples import sample_envelope

COURSE = "pedgrowth.training.course_completed.v1"


def violation(raw) -> ContractViolation:
    with pytest.raises(ContractViolation) as caught:
        decode(raw)
    return caught.value


def test_decode_accepts_bytes_text_and_objects_alike():
    envelope = sample_envelope(COURSE)
    text = json.dumps(envelope, ensure_ascii=False)
    facts = [decode(text.encode()), decode(text), decode(envelope)]
    assert all(isinstance(f.data, CourseCompleted) for f in facts)
    assert facts[0] == facts[1] == facts[2]


def test_invalid_json_is_reported_as_invalid_json():
    error = violation(b'{"specversion": "1.0",')
    assert error.reason == "invalid_json"
    assert error.field is None


def test_bytes_that_are_not_utf8_are_invalid_json():
    assert violation(b"\xff\xfe{}").reason == "invalid_json"


def test_nan_is_not_json():
    assert violation(b'{"value": NaN}').reason == "invalid_json"


def test_a_json_array_is_not_an_event():
    assert violation(b"[]").reason == "schema"


def test_missing_envelope_attribute_is_named():
    envelope = sample_envelope(COURSE)
    del envelope["source"]
    error = violation(envelope)
    assert (error.reason, error.field) == ("schema", "source")
    assert "source is required" in error.message


def test_missing_data_field_is_named():
    envelope = sample_envelope(COURSE)
    del envelope["data"]["program_id"]
    error = violation(envelope)
    assert (error.reason, error.field) == ("schema", "data.program_id")
    assert str(error) == "data.program_id: program_id is required"


def test_unknown_data_field_is_rejected():
    envelope = sample_envelope(COURSE)
    envelope["data"]["grade"] = 5
    assert violation(envelope).field == "data.grade"


def test_unknown_type_is_rejected_listing_the_services_types():
    error = violation(sample_envelope(COURSE, type="pedgrowth.training.course_finished.v1"))
    assert error.field == "type"
    assert COURSE in error.message and "registry" not in error.message


def test_unknown_service_in_type_is_rejected_listing_the_services():
    error = violation(sample_envelope(COURSE, type="com.example.thing"))
    assert error.field == "type"
    assert "registry, training, mentoring, indicators" in error.message


def test_subject_is_filled_from_the_data_when_absent():
    assert decode(sample_envelope(COURSE)).envelope.subject == "p-1"


def test_subject_that_differs_from_the_data_is_rejected():
    error = violation(sample_envelope(COURSE, subject="p-2"))
    assert error.field == "subject"
    assert "person_id" in error.message


def test_decoded_envelope_carries_the_normalised_data():
    envelope = sample_envelope("pedgrowth.training.attestation_passed.v1")
    del envelope["data"]["valid_until"]
    assert decode(envelope).envelope.data["valid_until"] == "2027-12-20"


def test_encode_then_decode_gives_the_same_fact():
    fact = decode(sample_envelope(COURSE, traceparent="00-ab"))
    assert decode(encode(fact)) == fact


def test_encode_takes_an_envelope_too():
    fact = decode(sample_envelope(COURSE))
    assert encode(fact.envelope) == encode(fact)


def test_fact_exposes_type_and_subject():
    fact = decode(sample_envelope(COURSE))
    assert isinstance(fact, Fact)
    assert (fact.type, fact.subject) == (COURSE, "p-1")


def test_decode_for_service_accepts_its_own_types():
    assert decode_for_service(sample_envelope(COURSE), "training").type == COURSE


def test_decode_for_service_rejects_another_services_type():
    with pytest.raises(ContractViolation) as caught:
        decode_for_service(sample_envelope(COURSE), "registry")
    assert (caught.value.reason, caught.value.field) == ("schema", "type")
    assert "training" in caught.value.message


def test_decode_for_an_unknown_service_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown service"):
        decode_for_service(sample_envelope(COURSE), "payroll")


def test_non_json_content_type_is_rejected():
    error = violation(sample_envelope(COURSE, datacontenttype="application/xml"))
    assert error.field == "datacontenttype"


def test_badly_named_extension_attribute_is_named_as_the_field():
    error = violation(sample_envelope(COURSE, TraceParent="00-ab"))
    assert (error.reason, error.field) == ("schema", "TraceParent")
