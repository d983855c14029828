"""Duplicates per organisation (GET /api/v1/duplicates), through the registry on the real broker: counts only,
each role within its scope, a regional analyst too (docs/operations.md, "Duplicates per organisation")."""

from __future__ import annotations

import json
import uuid

import pytest

from pedgrowth.contracts import REGISTRY_INBOX
from pedgrowth.kit.auth import Role
from pedgrowth.registry.bootstrap import build
from pedgrowth.registry.config import RegistrySettings
from tests.registry.builders import hire, org
from tests.support.kafka import eventually, produce
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = pytest.mark.broker


async def test_a_hire_delivered_again_is_counted_under_its_school_for_the_roles_that_cover_it(kafka, tmp_path):
    tag = uuid.uuid4().hex[:6]
    mine, other = f"sch-{tag}", f"sch-{tag}-far"
    app = build(settings_for(RegistrySettings, kafka, tmp_path))
    places = [cloud_event(org(mine, f"mun-{tag}", f"reg-{tag}")), cloud_event(org(other, f"mun-{tag}-far", "reg-far"))]
    again = cloud_event(hire(f"p-{tag}", mine))
    once = cloud_event(hire(f"p-{tag}-2", other))
    async with running(app) as client:
        assert (await client.post("/api/v1/events", json=places, headers=auth())).status_code == 202
        await produce(kafka[0], REGISTRY_INBOX, [json.dumps(e).encode() for e in (again, once, again, again)])

        async def counted(headers) -> dict:
            answer = (await client.get("/api/v1/duplicates", headers=headers)).json()
            return {(d["org_id"], d["type"], d["channel"]): d["count"] for d in answer["duplicates"]}

        async def on_the_bus() -> bool:
            return (await counted(auth())).get((mine, "employment_started", "kafka")) == 2

        await eventually(on_the_bus, timeout=30)  # the bus's deliveries are in
        assert (await client.post("/api/v1/events", json=again, headers=auth())).json()["results"][0]["outcome"] \
            == "duplicate"
        admin = await counted(auth())
        seen = {name: await counted(auth(role, **scope)) for name, role, scope in [
            ("operator", Role.MUNICIPAL_OPERATOR, {"municipality_id": f"mun-{tag}"}),
            ("analyst", Role.REGIONAL_ANALYST, {"region_id": f"reg-{tag}"}),
            ("far analyst", Role.REGIONAL_ANALYST, {"region_id": "reg-far"}),
            ("school", Role.SCHOOL_SYSTEM, {"org_id": mine}),
            ("other school", Role.SCHOOL_SYSTEM, {"org_id": other})]}
    expected = {(mine, "employment_started", "kafka"): 2, (mine, "employment_started", "http"): 1}
    assert admin == expected, "the second and third delivery over the bus, the one over HTTP; the single hire none"
    assert seen == {"operator": expected, "analyst": expected, "far analyst": {}, "school": expected,
                    "other school": {}}
