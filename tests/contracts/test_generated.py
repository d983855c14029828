"""The checked-in JSON Schemas and AsyncAPI document: current, valid, and agreeing with decode."""

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from pedgrowth.contracts import EVENT_MODELS, decode, topics
from pedgrowth.contracts.generate import main

from .samples import sample_envelope

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def schema_of(event_type: str) -> dict:
    return json.loads((CONTRACTS / "schemas" / f"{event_type}.json").read_text(encoding="utf-8"))


def validator(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(schema_of(event_type), format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_checked_in_files_equal_what_the_models_generate(tmp_path):
    assert main(["--out", str(tmp_path)]) == 0
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert len(generated) == len(EVENT_MODELS) + 1  # and asyncapi.yaml
    for path in generated:
        assert (CONTRACTS / path).read_text(encoding="utf-8") == (tmp_path / path).read_text(
            encoding="utf-8"
        ), f"{path} is out of date: run python -m pedgrowth.contracts.generate"


def test_check_mode_reports_a_changed_file(tmp_path, capsys):
    main(["--out", str(tmp_path)])
    (tmp_path / "asyncapi.yaml").write_text("asyncapi: 3.0.0\n", encoding="utf-8")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert "asyncapi.yaml" in capsys.readouterr().err


def test_check_mode_reports_a_schema_no_model_produces(tmp_path, capsys):
    main(["--out", str(tmp_path)])
    (tmp_path / "schemas" / "pedgrowth.training.course_finished.v1.json").write_text("{}")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert "course_finished" in capsys.readouterr().err


def test_there_is_one_schema_file_per_type():
    files = {p.name for p in (CONTRACTS / "schemas").glob("*.json")}
    assert files == {f"{t}.json" for t in EVENT_MODELS}


@pytest.mark.parametrize("event_type", sorted(EVENT_MODELS))
def test_schema_file_is_a_valid_draft_2020_12_schema(event_type):
    schema = schema_of(event_type)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://pedgrowth.example/schemas/{event_type}.json"
    assert schema["properties"]["type"]["const"] == event_type


@pytest.mark.parametrize("event_type", sorted(EVENT_MODELS))
def test_sample_event_validates_against_its_schema_and_decodes(event_type):
    envelope = sample_envelope(event_type)
    validator(event_type).validate(envelope)
    assert decode(envelope).type == event_type


@pytest.mark.parametrize("event_type", sorted(EVENT_MODELS))
def test_encoded_event_still_validates_against_its_schema(event_type):
    fact = decode(sample_envelope(event_type))
    validator(event_type).validate(json.loads(fact.envelope.to_bytes()))


def test_schema_rejects_another_type():
    envelope = sample_envelope("pedgrowth.training.course_completed.v1")
    assert not validator("pedgrowth.training.route_completed.v1").is_valid(envelope)


@pytest.mark.parametrize(("kind", "hours"), [("advanced_training", 15), ("retraining", 249)])
def test_schema_knows_the_minimum_hours_too(kind, hours):
    envelope = sample_envelope("pedgrowth.training.program_published.v1")
    envelope["data"].update(kind=kind, hours=hours)
    assert not validator("pedgrowth.training.program_published.v1").is_valid(envelope)


def test_schema_knows_a_mentor_needs_a_person_or_an_organization():
    envelope = sample_envelope("pedgrowth.mentoring.mentor_registered.v1")
    del envelope["data"]["person_id"]
    assert not validator("pedgrowth.mentoring.mentor_registered.v1").is_valid(envelope)


def test_schema_rejects_a_badly_written_date():
    envelope = sample_envelope("pedgrowth.registry.employment_started.v1")
    envelope["data"]["started_on"] = "01.09.2021"
    assert not validator("pedgrowth.registry.employment_started.v1").is_valid(envelope)


def asyncapi() -> dict:
    return yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text(encoding="utf-8"))


def test_asyncapi_has_all_twelve_topics_as_channels():
    channels = asyncapi()["channels"]
    expected = {f(s) for s in topics.SERVICES for f in (topics.events_topic, topics.inbox_topic, topics.dlq_topic)}
    assert {c["address"] for c in channels.values()} == expected == set(channels)


def test_asyncapi_events_and_inbox_channels_carry_the_services_types():
    channels = asyncapi()["channels"]
    for service in topics.SERVICES:
        own = {t for t, m in EVENT_MODELS.items() if m.service == service}
        assert set(channels[topics.events_topic(service)]["messages"]) == own
        assert set(channels[topics.inbox_topic(service)]["messages"]) == own
        assert set(channels[topics.dlq_topic(service)]["messages"]) == {"dead_letter"}


def test_asyncapi_dead_letter_names_the_dlq_headers():
    headers = asyncapi()["components"]["messages"]["dead_letter"]["headers"]["properties"]
    assert set(headers) == {
        topics.DLQ_REASON_HEADER, topics.DLQ_REASON_CODE_HEADER,
        topics.DLQ_FIELD_HEADER, topics.DLQ_ORIGIN_HEADER,
    }


def test_asyncapi_references_resolve():
    document = asyncapi()

    def resolve(ref: str):
        if ref.startswith("./"):
            return (CONTRACTS / ref).is_file()
        node = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node is not None

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    assert all(resolve(ref) for ref in refs(document))


def test_asyncapi_lists_send_and_receive_operations_per_service():
    operations = asyncapi()["operations"]
    for service in topics.SERVICES:
        assert operations[f"{service}.publish"]["action"] == "send"
        assert operations[f"{service}.accept"]["action"] == "receive"
        assert operations[f"{service}.reject"]["action"] == "send"
        assert operations[f"indicators.project.{service}"]["action"] == "receive"
