"""Expert roles, the methodical asset, projects and curators over HTTP: statuses, fields and who may write them."""

from __future__ import annotations

import pytest

from pedgrowth.kit.auth import Role
from tests.support.services import auth

from .helpers import appointed, asset_in, enrolled, expert, expert_end, released, unenrolled
from .test_http import OPERATOR, client, event  # noqa: F401 - the fixture

SCHOOL_1 = {"role": Role.SCHOOL_SYSTEM, "org_id": "sch-1"}


async def post(client, data, **who):
    return await client.post("/api/v1/events", json=event(data), headers=auth(**who) if who else auth())


async def test_each_new_fact_posted_by_its_school_is_accepted(client):
    for data in (expert(person="p-2"), expert_end(person="p-2"), enrolled(person="p-1"), unenrolled(person="p-1"),
                 appointed(org_id="sch-1", person="p-2")):
        response = await post(client, data, **SCHOOL_1)
        assert response.status_code == 202, (data.type_suffix, response.text)


async def test_an_overlapping_expert_role_is_409_naming_the_role_id(client):
    await post(client, expert(on="2023-01-10"))
    response = await post(client, expert(on="2023-05-01"))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "data", "role_id"]


async def test_leaving_a_project_before_joining_is_422_naming_left_on(client):
    await post(client, enrolled(on="2023-09-15"))
    response = await post(client, unenrolled(on="2023-09-01"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "left_on"]


async def test_a_second_curator_is_409_and_the_message_says_to_release_the_first(client):
    await post(client, appointed(person="p-2", on="2021-09-01"))
    response = await post(client, appointed(person="p-1", on="2024-09-01"))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "data", "org_id"]
    assert "release them (curator_released) before appointing p-1" in response.json()["detail"][0]["msg"]
    assert (await post(client, released(person="p-2", on="2024-08-31"))).status_code == 202
    assert (await post(client, appointed(person="p-1", on="2024-09-01"))).status_code == 202


@pytest.mark.parametrize(("data", "field"), [
    (appointed(org_id="sch-2", person="p-2"), "data.org_id"),
    (appointed(org_id="sch-1", person="p-9"), "data.person_id"),
    (expert(person="p-9"), "data.person_id"),
    (enrolled(person="p-5"), "data.person_id"),
])
async def test_a_school_writes_only_its_own_organisation_and_persons(client, data, field):
    response = await post(client, data, **SCHOOL_1)
    assert response.status_code == 403
    assert field in response.text


async def test_the_methodical_asset_is_kept_by_the_municipal_operator_of_its_municipality(client):
    assert (await post(client, asset_in(person="p-2", municipality="mun-1"), **SCHOOL_1)).status_code == 403
    other = await post(client, asset_in(person="p-2", municipality="mun-2"), **OPERATOR)
    assert other.status_code == 403 and "data.municipality_id" in other.text
    outsider = await post(client, asset_in(person="p-9", municipality="mun-1"), **OPERATOR)
    assert outsider.status_code == 403 and "data.person_id" in outsider.text
    assert (await post(client, asset_in(person="p-2", municipality="mun-1"), **OPERATOR)).status_code == 202


async def test_an_operator_appoints_curators_in_its_municipality_only(client):
    assert (await post(client, appointed(org_id="sch-2", person="p-5"), **OPERATOR)).status_code == 202
    response = await post(client, appointed(org_id="sch-9", person="p-9"), **OPERATOR)
    assert response.status_code == 403 and "data.org_id" in response.text


async def test_a_persons_history_shows_roles_asset_projects_and_curatorships(client):
    for data in (expert(person="p-2"), asset_in(person="p-2"), appointed(person="p-2"), enrolled(person="p-1")):
        assert (await post(client, data)).status_code == 202
    history = (await client.get("/api/v1/persons/p-2/mentoring", headers=auth(**OPERATOR))).json()
    assert [(r["role_id"], r["started_on"], r["ended_on"]) for r in history["expert_roles"]] == [
        ("role-1", "2023-01-10", None)]
    assert [a["municipality_id"] for a in history["methodical_asset"]] == ["mun-1"]
    assert [c["org_id"] for c in history["curator_of"]] == ["sch-1"]
    mentee = (await client.get("/api/v1/persons/p-1/mentoring", headers=auth(**OPERATOR))).json()
    assert [(p["project_id"], p["project_name"]) for p in mentee["projects"]] == [("proj-1", "Стартуем вместе")]
