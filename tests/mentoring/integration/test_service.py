"""The mentoring service on the real broker: HTTP and `mentoring.inbox` in, contract CloudEvents out."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from openpyxl import load_workbook

from pedgrowth.contracts import MENTORING_DLQ, MENTORING_EVENTS, MENTORING_INBOX, REGISTRY_EVENTS, decode, encode
from pedgrowth.contracts import mentoring as m
from pedgrowth.contracts import registry as r
from pedgrowth.contracts import new_event
from pedgrowth.kit.auth import Role
from pedgrowth.mentoring.bootstrap import build
from pedgrowth.mentoring.config import MentoringSettings
from tests.support.kafka import eventually, produce, read_topic
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = pytest.mark.broker


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def read_until(bootstrap: str, topic: str, found, timeout: float = 20.0) -> list:
    """The topic's records once ``found(records)`` holds (other tests share the broker, so no count is known)."""
    records: list = []

    async def check():
        records[:] = await read_topic(bootstrap, topic, expect=10**9, timeout=0.7)
        return found(records)

    await eventually(check, timeout=timeout, interval=0.05)
    return records


def published(records, subjects: set[str]) -> list:
    """Our contract facts among the topic's records, each checked against the contract, in recording order."""
    facts = [decode(record.value) for record in records]
    return sorted((f for f in facts if f.subject in subjects), key=lambda f: int(f.envelope.extensions["sequence"]))


async def test_facts_posted_over_http_are_published_and_fill_the_mentee_base(kafka, tmp_path):
    mun, school = unique("mun"), unique("sch")
    young, other_young, elder = unique("p"), unique("p"), unique("p")
    mentor_id, pair_id = unique("m"), unique("pair")
    registry = [
        r.OrganizationRegistered(org_id=school, name="МБОУ СОШ № 5", kind="school", municipality_id=mun,
                                 municipality_name="г. Ижевск", region_id="reg-18", region_name="Удмуртия"),
        r.EmploymentStarted(person_id=young, org_id=school, position="teacher", started_on="2024-09-01",
                            pedagogical_experience_since="2024-09-01"),
        r.EmploymentStarted(person_id=other_young, org_id=school, position="teacher", started_on="2023-09-01",
                            pedagogical_experience_since="2023-09-01"),
        r.EmploymentStarted(person_id=elder, org_id=school, position="leading_teacher", started_on="2005-09-01",
                            pedagogical_experience_since="2005-09-01"),
    ]
    await produce(kafka[0], REGISTRY_EVENTS, [encode(new_event(d, source="/pedgrowth/registry")) for d in registry])
    facts = [
        m.MentorRegistered(mentor_id=mentor_id, person_id=elder, registered_on="2024-09-01"),
        m.PairAssigned(pair_id=pair_id, mentor_id=mentor_id, mentee_person_id=young, form="teacher_teacher",
                       started_on="2024-09-10", program="Первые шаги"),
    ]
    operator = auth(Role.MUNICIPAL_OPERATOR, municipality_id=mun)
    app = build(settings_for(MentoringSettings, kafka, tmp_path))
    async with running(app) as client:
        await eventually(lambda: app.state.directory.orgs.get(school))
        response = await client.post("/api/v1/events", json=[cloud_event(f) for f in facts], headers=operator)
        assert [x["outcome"] for x in response.json()["results"]] == ["accepted", "accepted"], response.text
        workbook = await client.get(f"/api/v1/mentee-base.xlsx?scope=municipality:{mun}&as_of=2024-12-31",
                                    headers=operator)
        records = await read_until(kafka[0], MENTORING_EVENTS, lambda rs: len(published(rs, {mentor_id, pair_id})) == 2)
        metrics = (await client.get("/metrics")).text
    assert 'pedgrowth_events_consumed_total{outcome="applied",service="mentoring",topic="registry.events"}' in metrics
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    header, *rows = list(sheet.iter_rows(min_row=2, values_only=True))
    mentors = {row[0]: row[header.index("Наставник")] for row in rows}
    assert mentors == {young: f"{mentor_id} ({elder})", other_young: "нет"}
    ours = published(records, {mentor_id, pair_id})
    assert [f.data for f in ours] == facts
    assert {f.envelope.source for f in ours} == {"/pedgrowth/mentoring"}


async def test_the_inbox_records_good_facts_and_dead_letters_a_broken_rule_with_the_field(kafka, tmp_path):
    person, community = unique("p"), unique("mo")
    joined = m.CommunityJoined(person_id=person, community_id=community, community_name="ГМО учителей физики",
                               kind="methodical_association", level="municipal", joined_on="2024-09-01")
    orphan = m.CommunityLeft(person_id=person, community_id=community, left_on="2024-08-31")  # before joining
    messages = [cloud_event(joined), cloud_event(orphan)]
    app = build(settings_for(MentoringSettings, kafka, tmp_path))
    async with running(app):
        await produce(kafka[0], MENTORING_INBOX, [json.dumps(e).encode() for e in messages])
        orphan_id = messages[1]["id"].encode()
        dead = await read_until(kafka[0], MENTORING_DLQ, lambda rs: any(orphan_id in x.value for x in rs))
        records = await read_until(kafka[0], MENTORING_EVENTS, lambda rs: published(rs, {person}))
    letters = [dict(d.headers) for d in dead if messages[1]["id"].encode() in d.value]
    assert len(letters) == 1
    assert letters[0]["pedgrowth-reason-code"] == b"business_rule"
    assert letters[0]["pedgrowth-field"] == b"data.left_on"
    assert f"left_on 2024-08-31 is before person {person} joined".encode() in letters[0]["pedgrowth-reason"]
    assert [f.data for f in published(records, {person})] == [joined]


async def test_roles_asset_projects_curators_and_speakers_go_from_the_inbox_and_http_to_mentoring_events(
        kafka, tmp_path):
    expert_person, young, school = unique("p"), unique("p"), unique("sch")
    role_id, project = unique("role"), unique("proj")
    by_inbox = [
        m.ExpertRoleStarted(person_id=expert_person, role_id=role_id, role="competition_jury", level="regional",
                            started_on="2024-01-15"),
        m.ExpertRoleEnded(person_id=expert_person, role_id=role_id, ended_on="2024-03-01"),
        m.AssetJoined(person_id=expert_person, municipality_id="mun-1", joined_on="2023-09-01",
                      role="Руководитель ГМО учителей физики"),
        m.AssetLeft(person_id=expert_person, municipality_id="mun-1", left_on="2024-08-31"),
        m.SupportEventAttended(person_id=expert_person, event_id=unique("ev"), event_name="Августовская конференция",
                               kind="conference", attended_on="2024-08-27", role="speaker"),
    ]
    overlapping = m.ExpertRoleStarted(person_id=expert_person, role_id=role_id, role="competition_jury",
                                      level="regional", started_on="2024-02-01")
    by_http = [
        m.ProjectEnrolled(person_id=young, project_id=project, project_name="Академия молодого педагога",
                          enrolled_on="2024-09-15"),
        m.ProjectLeft(person_id=young, project_id=project, left_on="2025-05-31", outcome="completed"),
        m.CuratorAppointed(org_id=school, person_id=expert_person, appointed_on="2024-09-01"),
        m.CuratorReleased(org_id=school, person_id=expert_person, released_on="2025-08-31"),
    ]
    second_curator = m.CuratorAppointed(org_id=school, person_id=young, appointed_on="2025-01-10")
    app = build(settings_for(MentoringSettings, kafka, tmp_path))
    async with running(app) as client:
        # one key: the role's start, end and the overlapping start arrive in this order
        messages = [cloud_event(d) for d in (*by_inbox[:2], overlapping, *by_inbox[2:])]
        await produce(kafka[0], MENTORING_INBOX, [json.dumps(e).encode() for e in messages],
                      key=expert_person.encode())
        for data in by_http[:3]:
            assert (await client.post("/api/v1/events", json=cloud_event(data), headers=auth())).status_code == 202
        refused = await client.post("/api/v1/events", json=cloud_event(second_curator), headers=auth())
        assert (await client.post("/api/v1/events", json=cloud_event(by_http[3]), headers=auth())).status_code == 202
        overlap_id = messages[2]["id"].encode()
        dead = await read_until(kafka[0], MENTORING_DLQ, lambda rs: any(overlap_id in x.value for x in rs))
        subjects = {expert_person, young, school}
        wanted = len(by_inbox) + len(by_http)
        records = await read_until(kafka[0], MENTORING_EVENTS, lambda rs: len(published(rs, subjects)) == wanted)
    assert refused.status_code == 409 and refused.json()["detail"][0]["loc"] == ["body", "data", "org_id"]
    letters = [dict(d.headers) for d in dead if overlap_id in d.value]
    assert [(x["pedgrowth-reason-code"], x["pedgrowth-field"]) for x in letters] == [(b"business_rule",
                                                                                    b"data.role_id")]
    out = published(records, subjects)
    assert [f.data for f in out if f.subject == expert_person] == by_inbox
    assert [f.data for f in out if f.subject in (young, school)] == by_http
    assert [f.subject for f in out if f.type.endswith("curator_appointed.v1")] == [school]
