import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from pedgrowth.contracts import CloudEvent, new_event
from pedgrowth.contracts.registry import VacancyOpened
from pedgrowth.contracts.training import CourseCompleted

from .samples import SAMPLES, sample_envelope

COURSE = CourseCompleted.model_validate(SAMPLES["pedgrowth.training.course_completed.v1"])


def test_to_bytes_is_compact_utf8_json_with_russian_text_unescaped():
    event = CloudEvent.model_validate(
        sample_envelope("pedgrowth.registry.organization_registered.v1")
    )
    raw = event.to_bytes()
    assert b": " not in raw and b", " not in raw
    assert "Тамбовская область".encode() in raw


def test_to_bytes_writes_dates_as_days_and_time_as_iso_8601():
    event = CloudEvent(
        specversion="1.0", id="1", source="/s", type="t",
        time=datetime(2024, 9, 1, 12, 0, tzinfo=timezone(timedelta(hours=3))),
        data={"on": date(2024, 2, 29)},
    )
    document = json.loads(event.to_bytes())
    assert document["data"]["on"] == "2024-02-29"
    assert document["time"] == "2024-09-01T12:00:00+03:00"


def test_to_bytes_leaves_out_absent_optional_attributes():
    document = json.loads(new_event(COURSE, source="/s").to_bytes())
    assert "dataschema" not in document


def test_time_without_offset_is_rejected():
    with pytest.raises(ValidationError, match="time"):
        CloudEvent.model_validate(sample_envelope(
            "pedgrowth.training.course_completed.v1", time="2024-09-01T09:30:00"))


def test_time_as_a_number_is_rejected():
    with pytest.raises(ValidationError, match="RFC 3339"):
        CloudEvent.model_validate(sample_envelope(
            "pedgrowth.training.course_completed.v1", time=1725183000))


def test_time_is_required():
    envelope = sample_envelope("pedgrowth.training.course_completed.v1")
    del envelope["time"]
    with pytest.raises(ValidationError, match="time"):
        CloudEvent.model_validate(envelope)


def test_extension_attributes_are_kept():
    envelope = sample_envelope("pedgrowth.training.course_completed.v1", traceparent="00-ab")
    assert CloudEvent.model_validate(envelope).extensions == {"traceparent": "00-ab"}


@pytest.mark.parametrize("name", ["traceParent", "trace_parent", "a" * 21])
def test_extension_names_must_be_lowercase_alphanumeric_up_to_20(name):
    envelope = sample_envelope("pedgrowth.training.course_completed.v1", **{name: "x"})
    with pytest.raises(ValidationError, match="extension attribute"):
        CloudEvent.model_validate(envelope)


def test_only_specversion_1_0_is_accepted():
    with pytest.raises(ValidationError, match="specversion"):
        CloudEvent.model_validate(
            sample_envelope("pedgrowth.training.course_completed.v1", specversion="0.3"))


def test_new_event_fills_id_time_subject_and_type_from_the_data():
    before = datetime.now(UTC)
    event = new_event(COURSE, source="/schools/sch-1/hr")
    assert event.id and event.time >= before
    assert event.subject == "p-1"
    assert event.type == "pedgrowth.training.course_completed.v1"


def test_new_event_dumps_data_in_json_mode_without_absent_fields():
    vacancy = VacancyOpened(
        vacancy_id="vac-2", org_id="sch-1", position="teacher", opened_on=date(2024, 5, 20)
    )
    assert new_event(vacancy, source="/s").data == {
        "vacancy_id": "vac-2", "org_id": "sch-1", "position": "teacher", "opened_on": "2024-05-20",
    }


def test_new_event_ids_are_unique():
    assert new_event(COURSE, source="/s").id != new_event(COURSE, source="/s").id


def test_new_event_takes_given_id_time_and_extensions():
    event = new_event(COURSE, source="/s", id="e-1", time=datetime(2024, 1, 1, tzinfo=UTC),
                      traceparent="00-ab")
    assert (event.id, event.time.year, event.extensions) == ("e-1", 2024, {"traceparent": "00-ab"})


def test_new_event_refuses_core_attributes_as_extensions():
    with pytest.raises(TypeError, match="subject"):
        new_event(COURSE, source="/s", subject="p-2")
