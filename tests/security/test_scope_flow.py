"""The scope rules on the real broker: training and mentoring learn where people work from `registry.events`."""

from __future__ import annotations

import contextlib
import uuid

import pytest

from pedgrowth.kit.auth import Role
from tests.mentoring.unit.helpers import joined
from tests.security.world import end, hire
from tests.support.kafka import eventually
from tests.support.services import auth, cloud_event, running, settings_for
from tests.training import facts

pytestmark = pytest.mark.broker


def build_three(kafka, tmp_path):
    from pedgrowth.mentoring.bootstrap import build as build_mentoring
    from pedgrowth.mentoring.config import MentoringSettings
    from pedgrowth.registry.bootstrap import build as build_registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as build_training
    from pedgrowth.training.config import TrainingSettings

    return (build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry")),
            build_training(settings_for(TrainingSettings, kafka, tmp_path / "training")),
            build_mentoring(settings_for(MentoringSettings, kafka, tmp_path / "mentoring")))


async def test_a_school_writes_and_reads_about_its_own_hire_only_while_the_registry_says_so(kafka, tmp_path):
    tag = uuid.uuid4().hex[:6]
    mine, theirs, new, taken = f"sch-{tag}", f"far-{tag}", f"p-new-{tag}", f"p-far-{tag}"
    school = auth(Role.SCHOOL_SYSTEM, org_id=mine)
    orgs = [{"org_id": org, "name": "Школа", "kind": "school", "municipality_id": f"mun-{org}",
             "municipality_name": "М", "region_id": f"reg-{org}", "region_name": "Р"} for org in (mine, theirs)]
    registry, training, mentoring = build_three(kafka, tmp_path)
    async with contextlib.AsyncExitStack() as stack:
        reg = await stack.enter_async_context(running(registry))
        tra = await stack.enter_async_context(running(training))
        men = await stack.enter_async_context(running(mentoring))
        for org in orgs:
            assert (await reg.post("/api/v1/organisations", json=org, headers=auth())).status_code == 201
        assert (await reg.post("/api/v1/events", json=cloud_event(hire(taken, theirs)), headers=auth())).status_code == 202
        hired = await reg.post("/api/v1/events", json=cloud_event(hire(new, mine, on="2024-09-02")), headers=school)
        claim = await reg.post("/api/v1/events", json=cloud_event(hire(taken, mine, on="2024-09-02")), headers=school)
        assert (hired.status_code, claim.status_code) == (202, 403), claim.text

        course = facts.course(person_id=new, completed_on="2024-09-10")
        catalogue = [cloud_event(facts.provider()), cloud_event(facts.programme()), cloud_event(course)]
        assert (await tra.post("/api/v1/events", json=catalogue, headers=auth())).status_code == 202

        async def transcript_readable():  # training learns the hire from registry.events
            return (await tra.get(f"/api/v1/persons/{new}/transcript", headers=school)).status_code == 200

        await eventually(transcript_readable, timeout=30)
        await eventually(lambda: mentoring.state.directory.employments(new), timeout=30)
        foreign = await tra.post("/api/v1/events", headers=school,
                                 json=cloud_event(facts.course(person_id=taken, completed_on="2024-09-10")))
        membership = await men.post("/api/v1/events", headers=school, json=cloud_event(joined(new, "mo-1", "2024-09-10")))
        assert (foreign.status_code, membership.status_code) == (403, 202), membership.text

        assert (await reg.post("/api/v1/events", json=cloud_event(end(new, mine, "2024-09-20")),
                               headers=school)).status_code == 202

        async def unreadable():  # reads follow current employment, in every service
            answers = [(await reg.get(f"/api/v1/people/{new}", headers=school)).status_code,
                       (await tra.get(f"/api/v1/persons/{new}/transcript", headers=school)).status_code,
                       (await men.get(f"/api/v1/persons/{new}/mentoring", headers=school)).status_code]
            return answers == [403, 403, 403]

        await eventually(unreadable, timeout=30)
