"""What the projection accepts from a *.events topic."""

import json

import pytest
from pedgrowth.contracts import ContractViolation, decode
from pedgrowth.indicators.records import Record
from pedgrowth.indicators.projection.consumer import read_event

from tests.indicators.builders import event


def test_a_published_event_reads_as_the_record_decode_gives():
    published = event("attestation_passed", person_id="p-1", category="first", decided_on="2024-02-29")
    assert read_event(json.dumps(published).encode()) == Record.from_fact(decode(published))


@pytest.mark.parametrize("damage", [
    lambda e: e.update(type="pedgrowth.registry.nothing.v1"),
    lambda e: e["data"].update(category="grand_master"),
    lambda e: e["data"].pop("person_id"),
    lambda e: e.update(time="2025-01-01T00:00:00"),
    lambda e: e.pop("id"),
])
def test_a_damaged_event_is_refused(damage):
    published = event("attestation_passed", person_id="p-1", category="first", decided_on="2024-02-29")
    damage(published)
    with pytest.raises(ContractViolation):
        read_event(json.dumps(published).encode())


def test_bytes_that_are_not_json_are_refused():
    with pytest.raises(ContractViolation):
        read_event(b"{nope")
