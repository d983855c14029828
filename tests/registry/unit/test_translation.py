"""Every recorded registry fact is published as its contract event; personal details never are."""

import json

from pedgrowth.contracts import EVENT_MODELS
from pedgrowth.registry.translation import to_contract
from tests.registry.builders import close, end, enrol, hire, leave, move, profile, record, vacancy


def published(app):
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 1000)]
    return [data for data in map(to_contract, events) if data is not None]


def test_each_registry_event_type_translates_to_its_contract_event(app):
    for data in (hire(), move(), profile(), end(), vacancy(), close(), enrol(), leave()):
        record(app, data)
    types = {data.event_type for data in published(app)}
    assert types == {t for t in EVENT_MODELS if t.startswith("pedgrowth.registry.")}


def test_the_contract_event_carries_the_recorded_fields(app):
    sent = hire(subjects=["физика"], birth_date="1990-01-01", education_matches_profile=True)
    record(app, sent)
    assert [d for d in published(app) if d.type_suffix == "employment_started"] == [sent]


def test_personal_details_are_kept_but_never_published(app):
    record(app, hire())
    app.record_details("p-1", "Иванова Мария Петровна", "+7 900 000-00-00", "ivanova@example.org")
    assert app.person("p-1")["full_name"] == "Иванова Мария Петровна"
    wire = json.dumps([d.model_dump(mode="json") for d in published(app)], ensure_ascii=False)
    assert "Иванова" not in wire and "ivanova@" not in wire


def test_recording_the_same_details_again_changes_nothing(app):
    record(app, hire())
    assert app.record_details("p-1", "Иванова Мария Петровна") is True
    assert app.record_details("p-1", "Иванова Мария Петровна") is False
