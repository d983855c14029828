"""Facts that come before what they refer to wait, and end as if they had come in order (real broker)."""

from __future__ import annotations

import asyncio
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
from pedgrowth.contracts.mentoring import (CommunityJoined, CommunityLeft, ExpertRoleEnded, ExpertRoleStarted,
                                           MentorRegistered, PairAssigned, PairEnded)
from pedgrowth.contracts.registry import (EmploymentEnded, EmploymentStarted, OrganizationRegistered, VacancyClosed,
                                          VacancyOpened)
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished, RouteCompleted, RouteStarted
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


def spells_of(tag: str) -> dict:
    """One municipality's starts and the ends that close them (SPEC §2: an end may come before its start)."""
    mun, org, teacher, elder, leaver = f"mun-{tag}", f"sch-{tag}", f"p-{tag}", f"q-{tag}", f"r-{tag}"
    mentor, pair, vacancy = f"m-{tag}", f"pair-{tag}", f"vac-{tag}"
    return {
        "mun": mun, "ids": {org, teacher, elder, leaver, mentor, pair, vacancy},
        "starts": [
            (REGISTRY_INBOX, OrganizationRegistered(
                org_id=org, name="МБОУ СОШ №5", kind="school", municipality_id=mun, municipality_name="Моршанск",
                region_id=f"reg-{tag}", region_name="Тамбовская область")),
            *[(REGISTRY_INBOX, EmploymentStarted(person_id=p, org_id=org, position="teacher", started_on=since,
                                                 pedagogical_experience_since=since))
              for p, since in ((teacher, "2023-09-01"), (elder, "2001-09-01"), (leaver, "2010-09-01"))],
            (REGISTRY_INBOX, VacancyOpened(vacancy_id=vacancy, org_id=org, position="teacher", opened_on="2024-03-01")),
            (TRAINING_INBOX, RouteStarted(route_id=f"route-{tag}", person_id=teacher, started_on="2024-02-01")),
            (MENTORING_INBOX, MentorRegistered(mentor_id=mentor, person_id=elder, registered_on="2024-01-10")),
            (MENTORING_INBOX, PairAssigned(pair_id=pair, mentor_id=mentor, mentee_person_id=teacher,
                                           form="teacher_teacher", started_on="2024-02-01")),
            (MENTORING_INBOX, ExpertRoleStarted(person_id=elder, role_id=f"jury-{tag}", role="competition_jury",
                                                level="municipal", started_on="2024-01-10")),
            (MENTORING_INBOX, CommunityJoined(person_id=teacher, community_id=f"mo-{tag}", community_name="ГМО",
                                              kind="methodical_association", level="municipal",
                                              joined_on="2024-01-15")),
        ],
        "ends": [
            (REGISTRY_INBOX, EmploymentEnded(person_id=leaver, org_id=org, ended_on="2024-06-30", reason="retirement")),
            (REGISTRY_INBOX, VacancyClosed(vacancy_id=vacancy, closed_on="2024-05-31", filled=True)),
            (TRAINING_INBOX, RouteCompleted(route_id=f"route-{tag}", person_id=teacher, completed_on="2024-05-28")),
            (MENTORING_INBOX, PairEnded(pair_id=pair, ended_on="2024-06-30", outcome="completed")),
            (MENTORING_INBOX, ExpertRoleEnded(person_id=elder, role_id=f"jury-{tag}", ended_on="2024-06-30")),
            (MENTORING_INBOX, CommunityLeft(person_id=teacher, community_id=f"mo-{tag}", left_on="2024-06-30")),
        ],
    }


async def published(kafka, ids: set[str]) -> Counter:
    found = Counter()
    for topic in (REGISTRY_EVENTS, TRAINING_EVENTS, MENTORING_EVENTS):
        found += published_types(await read_topic(kafka[0], topic, timeout=3), ids)
    return found


async def test_ends_before_their_starts_wait_and_give_the_in_order_indicators(kafka, tmp_path):
    tag = uuid.uuid4().hex[:6]
    in_order, out_of_order = spells_of(f"a{tag}"), spells_of(f"b{tag}")
    apps = build_all(kafka, tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(running(app)) for name, app in apps.items()}

        async def answer(run):
            response = await clients["indicators"].get(
                "/api/v1/indicators", headers=auth(), params={"scope": f"municipality:{run['mun']}", "as_of": AS_OF})
            return indicators_of(response.json()) if response.status_code == 200 else None

        async def waiting_ids():
            ids = set()
            for name in ("registry", "training", "mentoring"):
                ids |= {f["event_id"] for f in (await clients[name].get("/api/v1/waiting", headers=auth())).json()[
                    "facts"]}
            return ids

        start_types = Counter(data.event_type for _, data in in_order["starts"])
        end_types = Counter(data.event_type for _, data in in_order["ends"])
        await send(kafka, in_order["starts"])
        await eventually(lambda: _has(kafka, in_order["ids"], start_types), timeout=90, interval=0.5)
        await send(kafka, in_order["ends"])  # each after its start: nothing waits
        await eventually(lambda: _has(kafka, in_order["ids"], start_types + end_types), timeout=90, interval=0.5)
        expected = await eventually(lambda: _steady(answer, in_order), timeout=90, interval=0.5)
        turnover = next(i for i in expected if i[0] == "staff_turnover")
        assert turnover[2] == 1, "the leaver's end is counted"

        parked = await send(kafka, out_of_order["ends"], copies=2)
        await eventually(lambda: _all_in(waiting_ids, parked), timeout=60, interval=0.3)
        assert await published(kafka, out_of_order["ids"]) == Counter()
        await send(kafka, out_of_order["starts"])
        await eventually(lambda: _has(kafka, out_of_order["ids"], start_types + end_types), timeout=90, interval=0.5)
        got = await eventually(lambda: _equal(answer, out_of_order, expected), timeout=90, interval=0.5)
        assert not await waiting_ids() & {e["id"] for e in parked}

    assert got == expected
    assert await published(kafka, out_of_order["ids"]) == await published(kafka, in_order["ids"])


async def _has(kafka, ids, types: Counter) -> bool:
    return await published(kafka, ids) == types


async def _all_in(waiting_ids, events) -> bool:
    return {e["id"] for e in events} <= await waiting_ids()


async def _steady(answer, run):
    """The answer once four readings over 1.5 s agree (the projection has caught up with the topics)."""
    first = await answer(run)
    for _ in range(3):
        await asyncio.sleep(0.5)
        if not first or first != await answer(run):
            return None
    return first


async def _equal(answer, run, expected):
    found = await answer(run)
    return found if found == expected else None
