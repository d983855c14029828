"""The whole flow on the real broker: inboxes → stores → relays → *.events → the indicators projection."""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import date

import pytest

from pedgrowth.contracts import REGISTRY_INBOX, TRAINING_INBOX
from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.contracts.training import CourseCompleted, ProgramPublished, ProviderRegistered
from tests.support.kafka import eventually, produce
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = [pytest.mark.broker, pytest.mark.slow]


def build_all(kafka, tmp_path):
    from pedgrowth.indicators.bootstrap import build as build_indicators
    from pedgrowth.indicators.config import IndicatorsSettings
    from pedgrowth.registry.bootstrap import build as build_registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as build_training
    from pedgrowth.training.config import TrainingSettings

    return (build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry")),
            build_training(settings_for(TrainingSettings, kafka, tmp_path / "training")),
            build_indicators(settings_for(IndicatorsSettings, kafka, tmp_path / "indicators")))


async def test_facts_sent_to_two_inboxes_become_an_indicator(kafka, tmp_path):
    tag = uuid.uuid4().hex[:6]
    org, person, program = f"sch-{tag}", f"p-{tag}", f"prog-{tag}"
    registry_events = [
        OrganizationRegistered(org_id=org, name="МБОУ СОШ №1", kind="school", municipality_id=f"mun-{tag}",
                               municipality_name="Мичуринск", region_id=f"reg-{tag}", region_name="Тамбовская область"),
        EmploymentStarted(person_id=person, org_id=org, position="teacher", started_on="2020-09-01",
                          pedagogical_experience_since="2015-09-01"),
    ]
    training_events = [
        ProviderRegistered(provider_id=f"prov-{tag}", name="ТОГОАУ ДПО ИПКРО", kind="regional_institute"),
        ProgramPublished(program_id=program, provider_id=f"prov-{tag}", title="Функциональная грамотность",
                         kind="advanced_training", hours=36, format="distance", in_federal_registry=True),
        CourseCompleted(person_id=person, program_id=program, completed_on="2024-04-15"),
    ]
    registry, training, indicators = build_all(kafka, tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(running(registry))
        await stack.enter_async_context(running(training))
        client = await stack.enter_async_context(running(indicators))
        for topic, events in ((REGISTRY_INBOX, registry_events), (TRAINING_INBOX, training_events)):
            await produce(kafka[0], topic, [json.dumps(cloud_event(e)).encode() for e in events], key=b"same-key")

        async def coverage():
            response = await client.get("/api/v1/indicators", headers=auth(),
                                        params={"scope": f"organization:{org}", "as_of": date(2024, 12, 31).isoformat()})
            if response.status_code != 200:
                return None
            by_code = {i["code"]: i for i in response.json()["indicators"]}
            found = by_code.get("training_coverage")
            return found if found and found["denominator"] == 1 and found["numerator"] == 1 else None

        found = await eventually(coverage, timeout=60, interval=0.3)
    assert found["value"] == 1.0
