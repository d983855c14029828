"""Plans over HTTP: import a plan file (twice records once), read it back, access by scope."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from pedgrowth.contracts.indicators import MeasureCompleted, TargetSet
from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.kit.auth import Role
from pedgrowth.runner.plans import import_plan, seed_files
from tests.indicators.builders import org
from tests.support.services import SECRET, auth, cloud_event, token

MICHURINSK = next(p for p in seed_files() if "michurinsk" in p.name)


@pytest.fixture
async def client(tmp_path):
    """The indicators HTTP API without its broker (the routes under test need only the store)."""
    app = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    with contextlib.suppress(Exception):
        app.state.service.app.close()


async def registered(client, *organisations) -> None:
    """Where organisations lie, as organization_registered brings it to the read model (Access reads it there)."""
    read_model = client._transport.app.state.read_model
    await read_model.load()
    await read_model.add(list(organisations), {})


async def test_importing_a_plan_twice_records_it_once(client):
    first = await import_plan(client, MICHURINSK, token())
    second = await import_plan(client, MICHURINSK, token())
    assert (first["outcome"], second["outcome"]) == ("accepted", "duplicate")
    listed = (await client.get("/api/v1/plans", params={"municipality": "michurinsk"}, headers=auth())).json()
    assert [p["plan_id"] for p in listed["plans"]] == ["michurinsk-2020-2024"]


async def test_a_plan_shows_targets_and_measures_status_as_of_a_day(client):
    await import_plan(client, MICHURINSK, token())
    done = cloud_event(MeasureCompleted(plan_id="michurinsk-2020-2024", measure_id="1.1", completed_on="2020-12-20"))
    assert (await client.post("/api/v1/events", json=done, headers=auth())).status_code == 202
    plan = (await client.get("/api/v1/plans/michurinsk-2020-2024", params={"as_of": "2021-06-01"},
                             headers=auth())).json()
    status = {m["measure_id"]: m["status"] for m in plan["measures"]}
    assert status["1.1"] == "done" and status["1.2"] == "overdue" and status["5"] == "due"
    assert {"indicator": "training_coverage", "year": 2024, "value": 0.5} in plan["targets"]


async def test_rules_answer_409_and_422_with_the_field(client):
    await import_plan(client, MICHURINSK, token())
    again = cloud_event(MeasureCompleted(plan_id="michurinsk-2020-2024", measure_id="1.1", completed_on="2020-12-20"))
    await client.post("/api/v1/events", json=again, headers=auth())
    twice = cloud_event(MeasureCompleted(plan_id="michurinsk-2020-2024", measure_id="1.1", completed_on="2021-01-20"))
    conflict = await client.post("/api/v1/events", json=twice, headers=auth())
    assert conflict.status_code == 409
    assert conflict.json()["detail"][0]["loc"] == ["body", "data", "measure_id"]
    late = cloud_event(TargetSet(plan_id="michurinsk-2020-2024", indicator="training_coverage", year=2030, value=0.6))
    outside = await client.post("/api/v1/events", json=late, headers=auth())
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["loc"] == ["body", "data", "year"]


async def test_another_municipality_may_neither_read_nor_write_the_plan(client):
    await import_plan(client, MICHURINSK, token())
    stranger = auth(Role.MUNICIPAL_OPERATOR, municipality_id="izhevsk")
    assert (await client.get("/api/v1/plans/michurinsk-2020-2024", headers=stranger)).status_code == 403
    assert (await client.get("/api/v1/plans", params={"municipality": "michurinsk"},
                             headers=stranger)).status_code == 403
    target = cloud_event(TargetSet(plan_id="michurinsk-2020-2024", indicator="training_coverage", year=2021,
                                   value=0.25))
    assert (await client.post("/api/v1/events", json=target, headers=stranger)).status_code == 403
    own = auth(Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk")
    assert (await client.post("/api/v1/events", json=target, headers=own)).status_code == 202
    assert (await client.get("/api/v1/plans/michurinsk-2020-2024", headers=own)).status_code == 200


async def test_school_systems_do_not_write_plans(client):
    school = token(Role.SCHOOL_SYSTEM, org_id="sch-1")
    result = await import_plan(client, MICHURINSK, school)
    assert result["outcome"] == "rejected" and result["status"] == 403


async def test_a_school_reads_its_own_municipality_s_plan_only(client):
    await import_plan(client, MICHURINSK, token())
    await registered(client, org("sch-1", "michurinsk", "tambov"), org("sch-9", "izhevsk", "udmurtia"))
    own = auth(Role.SCHOOL_SYSTEM, org_id="sch-1")
    assert (await client.get("/api/v1/plans/michurinsk-2020-2024", headers=own)).status_code == 200
    other = auth(Role.SCHOOL_SYSTEM, org_id="sch-9")
    assert (await client.get("/api/v1/plans/michurinsk-2020-2024", headers=other)).status_code == 403


async def test_without_a_token_the_plans_answer_401(client):
    assert (await client.get("/api/v1/plans", params={"municipality": "michurinsk"})).status_code == 401


async def test_a_regional_analyst_reads_the_plans_of_their_region_only(client):
    await import_plan(client, MICHURINSK, token())
    await registered(client, org("sch-1", "michurinsk", "tambov"))
    analyst = auth(Role.REGIONAL_ANALYST, region_id="tambov")
    other = auth(Role.REGIONAL_ANALYST, region_id="kuzbass")
    assert (await client.get("/api/v1/plans/michurinsk-2020-2024", headers=analyst)).status_code == 200
    assert (await client.get("/api/v1/plans/michurinsk-2020-2024", headers=other)).status_code == 403
    target = cloud_event(TargetSet(plan_id="michurinsk-2020-2024", indicator="training_coverage", year=2021,
                                   value=0.25))
    assert (await client.post("/api/v1/events", json=target, headers=analyst)).status_code == 403


async def test_a_plan_list_without_a_municipality_names_the_missing_parameter(client):
    """A caller with no municipality of its own (a regional analyst) must name one; admins may list all."""
    analyst = auth(Role.REGIONAL_ANALYST, region_id='reg-68')
    answer = await client.get("/api/v1/plans", headers=analyst)
    assert answer.status_code == 422
    assert answer.json()["detail"] == [{"loc": ["query", "municipality"], "msg": "municipality is required",
                                        "type": "missing"}]
