import pytest

from pedgrowth.contracts import topics


def test_each_service_has_events_inbox_and_dead_letter_topics():
    assert topics.events_topic("training") == "training.events"
    assert topics.inbox_topic("training") == "training.inbox"
    assert topics.dlq_topic("training") == "training.inbox.dlq"


def test_topic_constants_match_the_functions():
    assert topics.REGISTRY_EVENTS == "registry.events"
    assert topics.MENTORING_INBOX == "mentoring.inbox"
    assert topics.INDICATORS_DLQ == "indicators.inbox.dlq"


def test_projection_reads_all_four_events_topics_as_one_group():
    assert topics.PROJECTION_TOPICS == (
        "registry.events", "training.events", "mentoring.events", "indicators.events",
    )
    assert topics.PROJECTION_GROUP == "indicators"


def test_inbox_group_is_named_after_the_service():
    assert topics.inbox_group("registry") == "registry-inbox"


def test_unknown_service_has_no_topics():
    with pytest.raises(ValueError, match="registry, training, mentoring, indicators"):
        topics.events_topic("payroll")


def test_dlq_headers_carry_code_reason_field_and_origin():
    headers = topics.dlq_headers(
        code="schema",
        reason="hours must be at least 16",
        field="data.hours",
        origin=topics.dlq_origin("training.inbox", 0, 42),
    )
    assert headers == {
        "pedgrowth-reason-code": "schema",
        "pedgrowth-reason": "hours must be at least 16",
        "pedgrowth-field": "data.hours",
        "pedgrowth-origin": "training.inbox/0/42",
    }


def test_dlq_headers_refuse_an_unknown_reason_code():
    with pytest.raises(ValueError, match="business_rule"):
        topics.dlq_headers(code="duplicate", reason="seen", origin="x/0/1")
