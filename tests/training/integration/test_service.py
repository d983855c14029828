"""The training service on the real broker: HTTP and training.inbox in, contract CloudEvents on training.events."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pedgrowth.contracts import REGISTRY_EVENTS, TRAINING_DLQ, TRAINING_EVENTS, TRAINING_INBOX, decode, new_event
from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.kit.auth import Role
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from tests.support.kafka import eventually, produce, read_topic
from tests.support.services import auth, cloud_event, running, settings_for
from tests.training import facts
from tests.training.tables import xlsx_bytes

pytestmark = pytest.mark.broker


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


SCHEMAS = Path(__file__).parents[3] / "contracts" / "schemas"


def checked(value: bytes):
    """A message of training.events checked against its JSON Schema and decoded by the contracts."""
    event = json.loads(value)
    schema = json.loads((SCHEMAS / f"{event['type']}.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(event)
    return decode(value)


async def published(kafka, subjects: set[str], expect: int, timeout: float = 20.0) -> list:
    """Facts on training.events about these subjects, each checked against the contract."""
    found: list = []

    async def enough():
        records = await read_topic(kafka[0], TRAINING_EVENTS, expect=10_000, timeout=1.0)
        found[:] = [checked(r.value) for r in records if r.key and r.key.decode() in subjects]
        return len(found) >= expect

    await eventually(enough, timeout=timeout, interval=0.2)
    return found


async def test_every_training_fact_posted_over_http_is_published_as_its_contract_event(kafka, tmp_path):
    person, other, prov, prog = unique("p"), unique("p"), unique("prov"), unique("prog")
    sent = [
        facts.provider(provider_id=prov), facts.programme(program_id=prog, provider_id=prov),
        facts.diagnostics(person_id=person, deficits=[("D-METH", "methodical"), ("D-DIG", "digital")]),
        facts.course(person_id=person, program_id=prog, addresses_deficits=["D-METH"], certificate_number="77"),
        facts.route_started(person_id=person, planned_until="2024-05-31"), facts.route_completed(person_id=person),
        facts.attestation(person_id=other), facts.competition(person_id=person), facts.assessment(person_id=other),
    ]
    app = build(settings_for(TrainingSettings, kafka, tmp_path))
    async with running(app) as client:
        response = await client.post("/api/v1/events", json=[cloud_event(d) for d in sent], headers=auth())
        assert response.status_code == 202, response.text
        assert {r["outcome"] for r in response.json()["results"]} == {"accepted"}
        out = await published(kafka, {person, other, prov, prog}, expect=len(sent))
        transcript = (await client.get(f"/api/v1/persons/{person}/transcript", headers=auth())).json()
    assert sorted(f.type for f in out) == sorted(d.event_type for d in sent)
    by_type = {f.type: f for f in out}
    for data in sent:
        fact = by_type[data.event_type]
        assert fact.data == data and fact.envelope.source == "/pedgrowth/training"
        assert fact.envelope.subject == data.subject_id
    deficits = {d["code"]: d["addressed"] for d in transcript["diagnostics"][0]["deficits"]}
    assert deficits == {"D-METH": True, "D-DIG": False}


async def test_the_inbox_records_what_it_can_and_dead_letters_the_rest_with_the_field(kafka, tmp_path):
    person, prog = unique("p"), unique("prog")
    good = [facts.programme(program_id=prog), facts.course(person_id=person, program_id=prog),
            facts.route_started(person_id=person, started_on="2023-10-10")]
    bad = [facts.route_completed(person_id=person, completed_on="2023-01-01"),
           facts.route_started(person_id=person, started_on="2024-02-02")]  # the same route, another start
    events = [cloud_event(d) for d in good + bad]
    app = build(settings_for(TrainingSettings, kafka, tmp_path))
    async with running(app):
        # one key, so the programme is recorded before the course that needs it
        await produce(kafka[0], TRAINING_INBOX, [json.dumps(e).encode() for e in events], key=person.encode())
        out = await published(kafka, {person, prog}, expect=len(good))
        bad_ids = {e["id"] for e in events[len(good):]}

        async def dead_letters():
            dead = await read_topic(kafka[0], TRAINING_DLQ, expect=10_000, timeout=0.5)
            mine = {event_id(r): dict(r.headers) for r in dead if event_id(r) in bad_ids}
            return mine if len(mine) == len(bad_ids) else None

        mine = await eventually(dead_letters, timeout=20)
    assert sorted(f.type for f in out) == sorted(d.event_type for d in good)
    fields = {h["pedgrowth-field"].decode() for h in mine.values()}
    assert fields == {"data.route_id", "data.completed_on"}
    assert {h["pedgrowth-reason-code"].decode() for h in mine.values()} == {"business_rule"}


async def test_an_xlsx_list_with_unknown_programmes_imports_the_rest_and_reports_the_waiting_rows(kafka, tmp_path):
    prov, known, unknown_a, unknown_b = unique("prov"), unique("prog"), unique("nope"), unique("nope")
    people = [unique("p") for _ in range(4)]
    rows = [["№", "ФИО", "Идентификатор педагога", "Код программы", "Дата окончания", "Номер удостоверения"],
            [1, "Иванова А. П.", people[0], known, date(2024, 3, 29), "682400001"],
            [2, "Петров И. С.", people[1], unknown_a, date(2024, 3, 29), "682400002"],
            [3, "Сидорова Е. В.", people[2], known, "29.03.2024", "682400003"],
            [4, "Кузнецов Д. А.", people[3], unknown_b, "2024-03-29", "682400004"]]
    upload = {"file": ("Список слушателей.xlsx", xlsx_bytes(rows),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    operator = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
    app = build(settings_for(TrainingSettings, kafka, tmp_path))
    workplaces = app.state.service.app.workplaces  # the operator writes only for mun-1's staff
    workplaces.apply(OrganizationRegistered(org_id="sch-1", name="Школа", kind="school", municipality_id="mun-1",
                                            municipality_name="М", region_id="reg-1", region_name="Р"))
    for person in people:
        workplaces.apply(EmploymentStarted(person_id=person, org_id="sch-1", position="teacher",
                                           started_on="2015-09-01", pedagogical_experience_since="2015-09-01"))
    async with running(app) as client:
        catalogue = [facts.provider(provider_id=prov), facts.programme(program_id=known, provider_id=prov)]
        assert (await client.post("/api/v1/events", json=[cloud_event(d) for d in catalogue],
                                  headers=operator)).status_code == 202
        first = (await client.post("/api/v1/imports/course-completions", files=upload, headers=operator)).json()
        again = (await client.post("/api/v1/imports/course-completions", files=upload, headers=operator)).json()
        out = await published(kafka, set(people), expect=2)
        report = (await client.get("/api/v1/reports/providers", params={"year": 2024}, headers=auth())).json()
    assert first["unknown_programs"] == sorted([unknown_a, unknown_b])
    assert [r["outcome"] for r in first["results"]] == ["accepted", "waiting", "accepted", "waiting"]
    assert (again["accepted"], again["duplicate"], again["waiting"], again["rejected"]) == (0, 2, 2, 0)
    assert sorted(f.subject for f in out) == sorted([people[0], people[2]])
    assert all("Иванова" not in json.dumps(f.envelope.to_json(), ensure_ascii=False) for f in out)
    assert [r["completions"] for r in report["rows"] if r["provider_id"] == prov] == [2]


async def test_reports_are_scoped_to_a_municipality_through_registry_events(kafka, tmp_path):
    mun, org, person, elsewhere = unique("mun"), unique("sch"), unique("p"), unique("p")
    registry = [
        OrganizationRegistered(org_id=org, name="Школа", kind="school", municipality_id=mun,
                               municipality_name="М", region_id="reg-1", region_name="Р"),
        EmploymentStarted(person_id=person, org_id=org, position="teacher", started_on="2015-09-01",
                          pedagogical_experience_since="2015-09-01"),
    ]
    operator = auth(Role.MUNICIPAL_OPERATOR, municipality_id=mun)
    app = build(settings_for(TrainingSettings, kafka, tmp_path))
    async with running(app) as client:
        await produce(kafka[0], REGISTRY_EVENTS,
                      [new_event(d, source="/pedgrowth/registry").to_bytes() for d in registry])
        training = [facts.provider(), facts.programme(), facts.course(person_id=person, completed_on="2023-05-01"),
                    facts.course(person_id=elsewhere, completed_on="2023-05-01"),
                    facts.attestation(person_id=person, decided_on="2019-06-01")]
        await client.post("/api/v1/events", json=[cloud_event(d) for d in training], headers=auth())

        async def report():
            response = await client.get("/api/v1/reports/providers", headers=operator)
            rows = response.json()["rows"]
            return rows if rows else None

        rows = await eventually(report, timeout=20)
        expiring = await client.get("/api/v1/categories/expiring",
                                    params={"months": 6, "as_of": "2024-03-01"}, headers=operator)
        transcript = await client.get(f"/api/v1/persons/{person}/transcript", headers=operator)
        not_mine = await client.get(f"/api/v1/persons/{elsewhere}/transcript", headers=operator)
    assert [(r["year"], r["completions"]) for r in rows] == [(2023, 1)]
    assert [p["person_id"] for p in expiring.json()["persons"]] == [person]
    assert transcript.status_code == 200 and not_mine.status_code == 403


def event_id(record) -> str | None:
    """The CloudEvent id of a message, or None for bytes that are not JSON (other tests' dead letters)."""
    try:
        return json.loads(record.value).get("id")
    except (ValueError, AttributeError):
        return None


async def test_pd_requests_and_their_being_met_go_from_http_and_the_inbox_to_training_events(kafka, tmp_path):
    by_http, by_inbox = unique("req"), unique("req")
    person = unique("p")
    app = build(settings_for(TrainingSettings, kafka, tmp_path))
    async with running(app) as client:
        submitted = facts.pd_request(request_id=by_http, person_id=person, topic="Функциональная грамотность",
                                     submitted_on="2024-02-01")
        met = facts.pd_request_met(request_id=by_http, met_on="2024-03-29", program_id="prog-1")
        assert (await client.post("/api/v1/events", json=cloud_event(submitted), headers=auth())).status_code == 202
        early = await client.post("/api/v1/events", json=cloud_event(facts.pd_request_met(
            request_id=by_http, met_on="2024-01-31")), headers=auth())
        assert (await client.post("/api/v1/events", json=cloud_event(met), headers=auth())).status_code == 202
        again = await client.post("/api/v1/events", json=cloud_event(facts.pd_request_met(
            request_id=by_http, met_on="2024-04-15")), headers=auth())
        # on the inbox the meeting comes first: it waits for its request, then both are recorded in order
        late_met = facts.pd_request_met(request_id=by_inbox, met_on="2024-05-20")
        late_request = facts.pd_request(request_id=by_inbox, person_id=person, direction="digital",
                                        submitted_on="2024-04-01")
        await produce(kafka[0], TRAINING_INBOX, [json.dumps(cloud_event(d)).encode() for d in (late_met, late_request)],
                      key=by_inbox.encode())
        out = await published(kafka, {by_http, by_inbox}, expect=4)
    assert early.status_code == 422
    assert early.json()["detail"][0]["loc"] == ["body", "data", "met_on"]
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["body", "data", "request_id"]
    assert [(f.subject, f.type.split(".")[2]) for f in out if f.subject == by_http] == [
        (by_http, "pd_request_submitted"), (by_http, "pd_request_met")]
    assert [f.data for f in out if f.subject == by_http] == [submitted, met]
    assert [f.data for f in out if f.subject == by_inbox] == [late_request, late_met]
