"""The yearly cycle on the real broker (SPEC §5.1): a submitted monitoring report stays as it was frozen while
late facts change today's answer for the same date, and the cycle's facts go store → bus → projection."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from pedgrowth.contracts import new_event
from pedgrowth.contracts.indicators import (DecisionRecorded, EffectivenessReviewed, PlanAdopted,
                                            RecommendationCompleted, RecommendationIssued)
from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.contracts.topics import REGISTRY_EVENTS, TRAINING_EVENTS
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished
from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.kit.auth import Role
from tests.support.kafka import eventually, produce
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = pytest.mark.broker

MUN = "cyc-mun"
TEACHERS = [f"cyc-p{i}" for i in range(4)]


def published(data, days_later: int = 0) -> bytes:
    """An event as its owner's relay publishes it on ``*.events``."""
    time = new_event(data, source="/test").time + timedelta(days=days_later)
    return new_event(data, source=f"/test/{data.type_suffix}", id=str(uuid.uuid4()), time=time).to_bytes()


def staff() -> list[bytes]:
    org = OrganizationRegistered(org_id="cyc-sch-1", name="Школа № 1", kind="school", municipality_id=MUN,
                                 municipality_name="Тестовый округ", region_id="cyc-reg", region_name="Тестовая область")
    hires = [EmploymentStarted(person_id=p, org_id="cyc-sch-1", position="teacher", started_on="2019-09-01",
                               pedagogical_experience_since="2010-09-01") for p in TEACHERS]
    return [published(org), *(published(h) for h in hires)]


def course(person_id: str, on: str) -> CourseCompleted:
    return CourseCompleted(person_id=person_id, program_id="cyc-prog", completed_on=on)


async def held(client, headers, code: str, numerator: int, as_of: str) -> None:
    async def check():
        answer = (await client.get("/api/v1/indicators", params={"scope": f"municipality:{MUN}", "as_of": as_of},
                                   headers=headers)).json()
        row = next(r for r in answer.get("indicators", []) if r["code"] == code)
        return row["numerator"] == numerator
    await eventually(check, timeout=60)


async def test_a_submitted_report_downloads_unchanged_while_late_facts_show_as_the_difference(own_kafka, tmp_path):
    kafka = own_kafka
    app = build(settings_for(IndicatorsSettings, kafka, tmp_path))
    operator = auth(Role.MUNICIPAL_OPERATOR, municipality_id=MUN)
    async with running(app) as client:
        plan = PlanAdopted(plan_id="cyc-plan", municipality_id=MUN, title="План", period_start="2023-01-01",
                           period_end="2025-12-31", targets=[{"indicator": "training_coverage", "year": 2023,
                                                              "value": 0.5}])
        assert (await client.post("/api/v1/events", json=cloud_event(plan), headers=operator)).status_code == 202
        await produce(kafka[0], REGISTRY_EVENTS, staff())
        program = ProgramPublished(program_id="cyc-prog", provider_id="prov", title="ПК", kind="advanced_training",
                                   hours=36, format="in_person", in_federal_registry=True)
        await produce(kafka[0], TRAINING_EVENTS, [published(program), published(course(TEACHERS[0], "2023-03-01"))])
        await held(client, operator, "training_coverage", 1, "2023-12-31")

        submitted = await client.post(f"/api/v1/monitoring/{MUN}/2023/submit", headers=operator)
        assert submitted.status_code == 201, submitted.text
        submission = submitted.json()
        assert (submission["as_of"], submission["submitted_on"]) == ("2023-12-31", date.today().isoformat())
        assert submission["positions"][REGISTRY_EVENTS] and submission["positions"][TRAINING_EVENTS]
        frozen = (await client.get(submission["report_url"], headers=operator)).content
        assert hashlib.sha256(frozen).hexdigest() == submission["sha256"]
        # monitoring_submitted (without the file) went store → relay → indicators.events → the projection
        [on_bus] = await eventually(lambda: held_of(app.state.read_model, "monitoring_submitted"), timeout=60)
        assert on_bus["sha256"] == submission["sha256"] and on_bus["positions"] == submission["positions"]
        assert "xlsx" not in on_bus, "the file stays in the service's store"
        again = await client.post(f"/api/v1/monitoring/{MUN}/2023/submit", headers=operator)
        assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["path", "year"]

        # a week later a school publishes two courses of 2023 it had not reported
        late = [published(course(p, "2023-06-01"), days_later=7) for p in TEACHERS[1:3]]
        await produce(kafka[0], TRAINING_EVENTS, late)
        await held(client, operator, "training_coverage", 3, "2023-12-31")

        assert (await client.get(submission["report_url"], headers=operator)).content == frozen
        live = await client.get("/api/v1/reports/monitoring", params={"municipality": MUN, "year": 2023,
                                                                      "format": "xlsx"}, headers=operator)
        assert hashlib.sha256(live.content).hexdigest() != submission["sha256"]
        compared = (await client.get(f"/api/v1/monitoring/{MUN}/2023", headers=operator)).json()
        coverage = next(r for r in compared["comparison"] if r["code"] == "training_coverage")
        assert coverage["submitted"] == {"value": 0.25, "numerator": 1, "denominator": 4}
        assert coverage["today"] == {"value": 0.75, "numerator": 3, "denominator": 4}
        assert coverage["difference"] == 0.5 and coverage["changed"]
        assert compared["sha256"] == submission["sha256"] and compared["changed"] >= 1
        sheet = load_workbook(io.BytesIO(frozen)).worksheets[0]
        row = next(r for r in sheet.iter_rows(values_only=True) if r[1] and "ДПП (ПК или ПП) за 3 года" in r[1])
        assert (row[3], row[4]) == (0.25, 1), "the frozen file holds the values as submitted"

        school = auth(Role.SCHOOL_SYSTEM, org_id="cyc-sch-1", municipality_id=MUN)
        assert (await client.post(f"/api/v1/monitoring/{MUN}/2024/submit", headers=school)).status_code == 403
        stranger = auth(Role.MUNICIPAL_OPERATOR, municipality_id="other")
        assert (await client.get(submission["report_url"], headers=stranger)).status_code == 403
        assert (await client.get(f"/api/v1/monitoring/{MUN}/2022", headers=operator)).status_code == 404


async def test_the_cycles_facts_go_through_the_bus_and_the_cycle_shows_them(own_kafka, tmp_path):
    kafka = own_kafka
    app = build(settings_for(IndicatorsSettings, kafka, tmp_path))
    operator = auth(Role.MUNICIPAL_OPERATOR, municipality_id=MUN)
    year = date.today().year
    facts = [
        RecommendationIssued(recommendation_id="cyc-rec-1", municipality_id=MUN, org_id="cyc-sch-1",
                             indicators=["training_coverage"], text="Направить педагогов на курсы ПК",
                             issued_on=f"{year}-01-10", due_on=f"{year}-01-11"),
        RecommendationIssued(recommendation_id="cyc-rec-2", municipality_id=MUN, org_id="cyc-sch-2",
                             indicators=["training_coverage"], text="Чужая рекомендация",
                             issued_on=f"{year}-01-10", due_on=f"{year}-12-31"),
        RecommendationCompleted(recommendation_id="cyc-rec-1", completed_on=f"{year}-01-11"),
        DecisionRecorded(decision_id="cyc-dec-1", municipality_id=MUN, title="О курсах", decided_on=f"{year}-01-12",
                         indicators=["training_coverage"]),
        EffectivenessReviewed(review_id="cyc-rev", municipality_id=MUN, year=year, reviewed_on=f"{year}-01-13",
                              findings=[{"indicator": "training_coverage", "assessment": "partly_effective"}]),
    ]
    async with running(app) as client:
        await produce(kafka[0], REGISTRY_EVENTS, staff())
        for data in facts:
            answer = await client.post("/api/v1/events", json=cloud_event(data), headers=operator)
            assert answer.status_code == 202 and answer.json()["results"][0]["outcome"] == "accepted", answer.text
        kinds = {f.type_suffix for f in facts}
        await eventually(lambda: held_kinds(app.state.read_model, kinds), timeout=60)

        cycle = (await client.get(f"/api/v1/cycle/{MUN}/{year}", headers=operator)).json()
        steps = {s["step"]: s for s in cycle["steps"]}
        assert steps["monitoring"]["state"] in ("due", "overdue") and steps["monitoring"]["done_on"] is None
        assert steps["review"]["state"] == "done" and steps["review"]["review"]["findings"][0]["assessment"] \
            == "partly_effective"
        assert steps["analysis"]["state"] == "done"
        assert {r["recommendation_id"]: r["state"] for r in cycle["recommendations"]} == {
            "cyc-rec-1": "done", "cyc-rec-2": "due" if date.today() <= date(year, 12, 31) else "overdue"}
        school = auth(Role.SCHOOL_SYSTEM, org_id="cyc-sch-1", municipality_id=MUN)
        own = (await client.get(f"/api/v1/cycle/{MUN}/{year}", headers=school)).json()
        assert [r["recommendation_id"] for r in own["recommendations"]] == ["cyc-rec-1"]


async def held_kinds(read_model, kinds: set[str]) -> bool:
    """Whether the projection's store holds events of every kind given (read back from the bus)."""
    found = set()
    async for batch in read_model.store.records():
        found |= {record.kind for record in batch}
    return kinds <= found


async def held_of(read_model, kind: str) -> list[dict]:
    """The data of the events of one kind the projection's store holds."""
    found = []
    async for batch in read_model.store.records():
        found += [record.data for record in batch if record.kind == kind]
    return found
