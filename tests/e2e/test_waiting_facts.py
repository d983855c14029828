"""Facts that come before what they refer to wait, and end as if they had come in order (real broker)."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections import Counter

import pytest

from pedgrowth.contracts import (
    INDICATORS_EVENTS,
    INDICATORS_INBOX,
    MENTORING_EVENTS,
    MENTORING_INBOX,
    REGISTRY_EVENTS,
    REGISTRY_INBOX,
    TRAINING_EVENTS,
    TRAINING_INBOX,
)
from pedgrowth.contracts.indicators import PlanAdopted, TargetSet
from pedgrowth.contracts.mentoring import MentorRegistered, PairAssigned
from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished
from tests.support.kafka import eventually, produce, read_topic, values
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = [pytest.mark.broker, pytest.mark.slow]

AS_OF = "2024-12-31"


def run_of(tag: str) -> dict:
    """One municipality's facts: the references and the facts that name them."""
    mun, org, teacher, elder = f"mun-{tag}", f"sch-{tag}", f"p-{tag}", f"q-{tag}"
    program, mentor, plan = f"prog-{tag}", f"m-{tag}", f"plan-{tag}"
    return {
        "mun": mun, "ids": {mun, org, teacher, elder, program, mentor, plan, f"pair-{tag}"},
        "references": [
            (REGISTRY_INBOX, OrganizationRegistered(
                org_id=org, name="МБОУ СОШ №2", kind="school", municipality_id=mun, municipality_name="Мичуринск",
                region_id=f"reg-{tag}", region_name="Тамбовская область")),
            (TRAINING_INBOX, ProgramPublished(
                program_id=program, provider_id=f"prov-{tag}", title="Наставничество в школе",
                kind="advanced_training", hours=36, format="distance", in_federal_registry=True)),
            (MENTORING_INBOX, MentorRegistered(mentor_id=mentor, person_id=elder, registered_on="2024-01-10")),
            (INDICATORS_INBOX, PlanAdopted(
                plan_id=plan, municipality_id=mun, title="План развития кадров", period_start="2024-01-01",
                period_end="2025-12-31", targets=[{"indicator": "training_coverage", "year": 2024, "value": 0.5}])),
        ],
        "waiting": [
            (REGISTRY_INBOX, EmploymentStarted(person_id=teacher, org_id=org, position="teacher",
                                               started_on="2023-09-01", pedagogical_experience_since="2023-09-01")),
            (REGISTRY_INBOX, EmploymentStarted(person_id=elder, org_id=org, position="teacher",
                                               started_on="2001-09-01", pedagogical_experience_since="2001-09-01")),
            (TRAINING_INBOX, CourseCompleted(person_id=teacher, program_id=program, completed_on="2024-04-15")),
            (MENTORING_INBOX, PairAssigned(pair_id=f"pair-{tag}", mentor_id=mentor, mentee_person_id=teacher,
                                           form="teacher_teacher", started_on="2024-02-01")),
            (INDICATORS_INBOX, TargetSet(plan_id=plan, indicator="young_mentoring_coverage", year=2024, value=0.8)),
        ],
    }


def build_all(kafka, tmp_path):
    from pedgrowth.indicators.bootstrap import build as indicators
    from pedgrowth.indicators.config import IndicatorsSettings
    from pedgrowth.mentoring.bootstrap import build as mentoring
    from pedgrowth.mentoring.config import MentoringSettings
    from pedgrowth.registry.bootstrap import build as registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as training
    from pedgrowth.training.config import TrainingSettings

    return {name: build(settings_for(settings, kafka, tmp_path / name)) for name, build, settings in (
        ("registry", registry, RegistrySettings), ("training", training, TrainingSettings),
        ("mentoring", mentoring, MentoringSettings), ("indicators", indicators, IndicatorsSettings))}


async def send(kafka, items, copies: int = 1) -> list[dict]:
    events = [(topic, cloud_event(data)) for topic, data in items]
    for _ in range(copies):  # a copy is a redelivery: the same (source, id)
        for topic, event in events:
            await produce(kafka[0], topic, [json.dumps(event).encode()])
    return [e for _, e in events]


def indicators_of(answer: dict) -> list[tuple]:
    return sorted((i["code"], i["value"], i["numerator"], i["denominator"], i["target"], i["status"])
                  for i in answer["indicators"])


def published_types(records, ids: set[str]) -> Counter:
    return Counter(v["type"] for v in values(records) if v["subject"] in ids)


async def test_facts_before_their_references_end_as_the_in_order_run(kafka, tmp_path):
    tag = uuid.uuid4().hex[:6]
    in_order, out_of_order = run_of(f"a{tag}"), run_of(f"b{tag}")
    apps = build_all(kafka, tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(running(app)) for name, app in apps.items()}

        async def answer(run):
            response = await clients["indicators"].get(
                "/api/v1/indicators", headers=auth(), params={"scope": f"municipality:{run['mun']}", "as_of": AS_OF})
            return response.json() if response.status_code == 200 else None

        async def settled(run):
            found = await answer(run)
            if not found:
                return None
            by_code = {i["code"]: i for i in found["indicators"]}
            young = by_code["young_mentoring_coverage"]
            done = (by_code["training_coverage"]["numerator"] == 1 and young["numerator"] == 1
                    and young["target"] == 0.8)
            return indicators_of(found) if done else None

        await send(kafka, in_order["references"])
        await send(kafka, in_order["waiting"])
        expected = await eventually(lambda: settled(in_order), timeout=90, interval=0.5)

        parked = await send(kafka, out_of_order["waiting"], copies=2)

        async def all_waiting():
            ids = set()
            for name in ("registry", "training", "mentoring", "indicators"):
                listing = (await clients[name].get("/api/v1/waiting", headers=auth())).json()
                ids |= {f["event_id"] for f in listing["facts"]}
            return {e["id"] for e in parked} <= ids

        await eventually(all_waiting, timeout=60, interval=0.3)
        await send(kafka, out_of_order["references"])
        got = await eventually(lambda: settled(out_of_order), timeout=90, interval=0.5)
        for name in ("registry", "training", "mentoring", "indicators"):
            listing = (await clients[name].get("/api/v1/waiting", headers=auth())).json()
            assert not {f["event_id"] for f in listing["facts"]} & {e["id"] for e in parked}

    assert got == expected
    for topic in (REGISTRY_EVENTS, TRAINING_EVENTS, MENTORING_EVENTS, INDICATORS_EVENTS):
        records = await read_topic(kafka[0], topic, timeout=3)
        a, b = published_types(records, in_order["ids"]), published_types(records, out_of_order["ids"])
        assert a == b and a, topic
