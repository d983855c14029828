"""The additions within v1 (SPEC §3) on the real broker: each new training and mentoring event type goes
contract → the owner's inbox and store → its relay → *.events → the indicators projection → an indicator."""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest

from pedgrowth.contracts import MENTORING_INBOX, REGISTRY_INBOX, TRAINING_INBOX
from pedgrowth.contracts import mentoring as men
from pedgrowth.contracts import training as tr
from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from tests.support.kafka import eventually, produce
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = [pytest.mark.broker, pytest.mark.slow]

AS_OF = "2024-12-31"


def build_all(kafka, tmp_path):
    from pedgrowth.indicators.bootstrap import build as build_indicators
    from pedgrowth.indicators.config import IndicatorsSettings
    from pedgrowth.mentoring.bootstrap import build as build_mentoring
    from pedgrowth.mentoring.config import MentoringSettings
    from pedgrowth.registry.bootstrap import build as build_registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as build_training
    from pedgrowth.training.config import TrainingSettings

    return (build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry")),
            build_training(settings_for(TrainingSettings, kafka, tmp_path / "training")),
            build_mentoring(settings_for(MentoringSettings, kafka, tmp_path / "mentoring")),
            build_indicators(settings_for(IndicatorsSettings, kafka, tmp_path / "indicators")))


def facts(tag: str) -> dict[str, list]:
    """A school of four: p1, p2 experienced, p3 and p4 young since 2024-09-01."""
    org, mun = f"sch-{tag}", f"mun-{tag}"
    p1, p2, p3, p4 = (f"p{n}-{tag}" for n in range(1, 5))
    project = f"start-{tag}"
    registry = [OrganizationRegistered(org_id=org, name="МБОУ СОШ № 1", kind="school", municipality_id=mun,
                                       municipality_name="Город", region_id=f"reg-{tag}", region_name="Область")]
    registry += [EmploymentStarted(person_id=p, org_id=org, position="teacher", started_on="2015-09-01",
                                   pedagogical_experience_since="2010-09-01") for p in (p1, p2)]
    registry += [EmploymentStarted(person_id=p, org_id=org, position="teacher", started_on="2024-09-01",
                                   pedagogical_experience_since="2024-09-01") for p in (p3, p4)]
    training = [
        tr.PdRequestSubmitted(request_id=f"r1-{tag}", person_id=p1, direction="digital", submitted_on="2024-03-01"),
        tr.PdRequestMet(request_id=f"r1-{tag}", met_on="2024-04-01"),
        tr.PdRequestSubmitted(request_id=f"r2-{tag}", person_id=p2, direction="subject", submitted_on="2024-05-01"),
    ]
    mentoring = [
        men.ExpertRoleStarted(person_id=p1, role_id="jury", role="competition_jury", level="municipal",
                              started_on="2024-01-10"),
        men.ExpertRoleStarted(person_id=p2, role_id="jury", role="competition_jury", level="municipal",
                              started_on="2022-01-10"),
        men.ExpertRoleEnded(person_id=p2, role_id="jury", ended_on="2023-06-01"),  # before W1 of AS_OF
        men.AssetJoined(person_id=p1, municipality_id=mun, joined_on="2024-01-01"),
        men.AssetJoined(person_id=p2, municipality_id=mun, joined_on="2024-01-01"),
        men.AssetLeft(person_id=p2, municipality_id=mun, left_on="2024-06-01"),
        men.CuratorAppointed(org_id=org, person_id=p1, appointed_on="2024-01-01"),
        men.CuratorReleased(org_id=org, person_id=p1, released_on="2024-05-01"),
        men.CuratorAppointed(org_id=org, person_id=p2, appointed_on="2024-05-01"),
        men.ProjectEnrolled(person_id=p3, project_id=project, project_name="Стартуем вместе", enrolled_on="2024-09-01"),
        men.ProjectEnrolled(person_id=p4, project_id=project, project_name="Стартуем вместе", enrolled_on="2024-09-01"),
        men.ProjectLeft(person_id=p4, project_id=project, left_on="2024-11-01", outcome="withdrawn"),
        men.SupportEventAttended(person_id=p2, event_id=f"ev-{tag}", event_name="Семинар", kind="seminar",
                                 attended_on="2024-10-01", role="speaker"),
    ]
    return {REGISTRY_INBOX: registry, TRAINING_INBOX: training, MENTORING_INBOX: mentoring}


async def test_each_new_type_reaches_its_indicator(kafka, tmp_path):
    tag = uuid.uuid4().hex[:6]
    services = build_all(kafka, tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        for service in services[:-1]:
            await stack.enter_async_context(running(service))
        client = await stack.enter_async_context(running(services[-1]))
        for topic, events in facts(tag).items():
            await produce(kafka[0], topic, [json.dumps(cloud_event(e)).encode() for e in events], key=b"same-key")

        async def answer(scope: str, **variant) -> dict | None:
            response = await client.get("/api/v1/indicators", headers=auth(),
                                        params={"scope": scope, "as_of": AS_OF, **variant})
            if response.status_code != 200:
                return None
            return {i["code"]: (i["numerator"], i["denominator"]) for i in response.json()["indicators"]}

        expected = {
            "pd_requests_met_share": (1, 2),  # pd_request_submitted ×2, pd_request_met
            "expert_involvement_share": (1, 4),  # expert_role_started; p2's expert_role_ended before W1
            "methodical_asset_count": (1, None),  # asset_joined ×2, asset_left
            "curated_orgs_share": (1, 1),  # curator_appointed, curator_released, appointed again
            "project_participation_share": (1, 2),  # project_enrolled ×2, p4's project_left
            "competition_share": (0, 4),  # a speaker is no contestant by default
        }

        async def arrived():
            found = await answer(f"municipality:mun-{tag}")
            return found if found and all(found[code] == want for code, want in expected.items()) else None

        found = await eventually(arrived, timeout=90, interval=0.5)
        assert {code: found[code] for code in expected} == expected
        speaking = await answer(f"municipality:mun-{tag}", competition="competitions_and_speaking")
        assert speaking["competition_share"] == (1, 4)  # support_event_attended.role = speaker
        cohort = await answer(f"municipality:mun-{tag}", cohort=f"project:start-{tag}")
        assert cohort["young_retention_3y"] == (0, 0) and cohort["young_support_share"] == (0, 1)
