"""A replayed dead letter's outcome (kit.operator.ReplayOutcome, the inbox's EventResult and the letter): ``id`` is the
letter's, as `/dead-letters` lists it and `pedgrowth dlq replay` is given it; ``event_id`` is its event's. No broker:
the letters are handed to the replay as the DLQ reader would."""

from __future__ import annotations

import json

from pedgrowth.contracts.registry import OrganizationRegistered
from pedgrowth.kit.deadletters import Letter
from pedgrowth.kit.operator import ReplayOutcome, ReplayReport
from pedgrowth.registry.application import RegistryApplication
from pedgrowth.registry.bootstrap import build
from pedgrowth.registry.config import RegistrySettings
from tests.support.services import SECRET, cloud_event

REGISTERED = OrganizationRegistered(org_id="sch-1", name="Школа", kind="school", municipality_id="mun-1",
                                    municipality_name="М", region_id="reg-1", region_name="Р")


def letter(offset: int, value: bytes) -> Letter:
    return Letter(0, offset, 1_700_000_000_000, None, value, "processing_error", "the store did not answer", None,
                  "kafka")


def test_a_replayed_letter_is_named_by_its_own_id_and_its_events_id(tmp_path):
    app = build(RegistrySettings(data_dir=tmp_path, token_secret=SECRET),
                application=RegistryApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}))
    event = json.dumps(cloud_event(REGISTERED, id="ev-1")).encode()
    letters = [letter(7, event), letter(8, event), letter(9, b"not json")]
    replayed = app.state.service.dead_letters.replay(letters)
    report = ReplayReport(service="registry", replayed=len(replayed),
                          outcomes=[ReplayOutcome.of(letter, result) for letter, result in replayed])
    body = json.loads(report.model_dump_json())
    assert [(o["id"], o["event_id"], o["outcome"]) for o in body["outcomes"]] == [
        ("0-7", "ev-1", "accepted"), ("0-8", "ev-1", "duplicate"), ("0-9", None, "rejected")]
    assert body["outcomes"][2]["reason_code"] == "invalid_json" and "http_status" not in body["outcomes"][2]
