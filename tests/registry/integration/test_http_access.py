"""Access over HTTP: a school reads and writes its own staff only (403 otherwise), operators their municipality."""

import pytest

from pedgrowth.kit.auth import Role
from tests.registry.builders import enrol, hire, org, vacancy
from tests.support.services import auth, cloud_event

SCHOOL_1 = auth(Role.SCHOOL_SYSTEM, org_id="sch-1")
OPERATOR_1 = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
OPERATOR_2 = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-2")
ANALYST_1 = auth(Role.REGIONAL_ANALYST, region_id="reg-1")


@pytest.fixture
async def town(client):
    """sch-1 and sch-2 in mun-1, each with one teacher; a vacancy at sch-2."""
    for school in ("sch-1", "sch-2"):
        response = await client.post("/api/v1/organisations", json=org(school).model_dump(mode="json"),
                                     headers=OPERATOR_1)
        assert response.status_code == 201, response.text
    events = [cloud_event(hire("p-1", "sch-1")), cloud_event(hire("p-2", "sch-2")),
              cloud_event(vacancy("vac-2", "sch-2"))]
    response = await client.post("/api/v1/events", json=events, headers=auth())
    assert [r["outcome"] for r in response.json()["results"]] == ["accepted"] * 3
    return client


async def test_a_school_reads_its_own_staff(town):
    response = await town.get("/api/v1/organisations/sch-1/staff?as_of=2024-01-01", headers=SCHOOL_1)
    assert response.status_code == 200
    assert [s["person_id"] for s in response.json()["staff"]] == ["p-1"]


async def test_a_school_cannot_read_another_schools_staff(town):
    for path in ("/api/v1/organisations/sch-2/staff", "/api/v1/organisations/sch-2/staff.xlsx",
                 "/api/v1/organisations/sch-2", "/api/v1/people/p-2"):
        response = await town.get(path, headers=SCHOOL_1)
        assert response.status_code == 403, path


async def test_a_school_cannot_write_another_schools_staff(town):
    response = await town.post("/api/v1/events", json=cloud_event(hire("p-9", "sch-2")), headers=SCHOOL_1)
    assert response.status_code == 403
    assert "sch-2" in response.json()["detail"]
    response = await town.post("/api/v1/organisations/sch-2/staff/import", headers=SCHOOL_1,
                               files={"file": ("staff.csv", b"x", "text/csv")})
    assert response.status_code == 403


async def test_a_school_cannot_read_municipal_lists(town):
    response = await town.get("/api/v1/municipalities/mun-1/vacancies", headers=SCHOOL_1)
    assert response.status_code == 403


async def test_an_operator_reads_its_municipality_and_not_another(town):
    ok = await town.get("/api/v1/municipalities/mun-1/vacancies?as_of=2024-06-01", headers=OPERATOR_1)
    assert [v["vacancy_id"] for v in ok.json()["vacancies"]] == ["vac-2"]
    assert (await town.get("/api/v1/organisations/sch-1/staff", headers=OPERATOR_2)).status_code == 403
    assert (await town.get("/api/v1/municipalities/mun-1/reserve", headers=OPERATOR_2)).status_code == 403


async def test_an_analyst_reads_the_regions_aggregates_but_no_persons_and_writes_nothing(town):
    assert (await town.get("/api/v1/organisations/sch-2", headers=ANALYST_1)).status_code == 200
    assert (await town.get("/api/v1/municipalities/mun-1/vacancies", headers=ANALYST_1)).status_code == 200
    for path in ("/api/v1/organisations/sch-2/staff", "/api/v1/organisations/sch-2/staff.xlsx",
                 "/api/v1/municipalities/mun-1/reserve", "/api/v1/municipalities/mun-1/reserve.xlsx",
                 "/api/v1/people/p-2"):
        assert (await town.get(path, headers=ANALYST_1)).status_code == 403, path
    response = await town.post("/api/v1/events", json=cloud_event(hire("p-9", "sch-1")), headers=ANALYST_1)
    assert response.status_code == 403


async def test_without_a_token_the_answer_is_401(town):
    assert (await town.get("/api/v1/organisations/sch-1/staff")).status_code == 401


async def test_a_school_sees_only_its_part_of_a_transferred_persons_history(town):
    transfer = [{**cloud_event(hire("p-2", "sch-1", started_on="2024-07-01",
                                    pedagogical_experience_since="2021-09-01"))}]
    await town.post("/api/v1/events", json=transfer, headers=auth())
    response = await town.get("/api/v1/people/p-2", headers=SCHOOL_1)
    assert [e["org_id"] for e in response.json()["employments"]] == ["sch-1"]
    response = await town.get("/api/v1/people/p-2", headers=OPERATOR_1)
    assert sorted(e["org_id"] for e in response.json()["employments"]) == ["sch-1", "sch-2"]


async def test_a_conflict_is_409_and_a_broken_rule_422_naming_the_field(town):
    conflict = await town.post("/api/v1/events", json=cloud_event(hire("p-1", "sch-1")), headers=SCHOOL_1)
    assert conflict.status_code == 409
    assert conflict.json()["detail"][0]["loc"] == ["body", "data", "org_id"]
    broken = await town.post("/api/v1/events", headers=SCHOOL_1, json=cloud_event(
        hire("p-5", "sch-1", started_on="2021-09-01", pedagogical_experience_since="2022-01-01")))
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["loc"] == ["body", "data", "pedagogical_experience_since"]


async def test_organisations_are_registered_by_operators_and_listed_by_scope(town):
    refused = await town.post("/api/v1/organisations", json=org("sch-3").model_dump(mode="json"), headers=SCHOOL_1)
    assert refused.status_code == 403
    again = await town.post("/api/v1/organisations", json=org("sch-1").model_dump(mode="json"), headers=OPERATOR_1)
    assert again.status_code == 409
    listed = await town.get("/api/v1/organisations", headers=SCHOOL_1)
    assert [o["org_id"] for o in listed.json()] == ["sch-1"]
    assert (await town.get("/api/v1/organisations/sch-1", headers=OPERATOR_2)).status_code == 403


async def test_an_enrolment_before_the_municipalitys_first_school_waits_for_it_seen_by_its_operators_only(client):
    enrolled = await client.post("/api/v1/events", json=cloud_event(enrol("p-7", municipality_id="mun-2")),
                                 headers=OPERATOR_2)
    assert (enrolled.status_code, enrolled.json()["results"][0]["outcome"]) == (202, "waiting"), enrolled.text
    listed = (await client.get("/api/v1/waiting", headers=OPERATOR_2)).json()["facts"]
    assert [(f["waits_for"], f["key"], f["field"]) for f in listed] == [
        ("municipality", "mun-2", "data.municipality_id")]
    assert (await client.get("/api/v1/waiting", headers=OPERATOR_1)).json()["facts"] == []

    school = org("sch-5", municipality_id="mun-2").model_dump(mode="json")
    assert (await client.post("/api/v1/organisations", json=school, headers=OPERATOR_2)).status_code == 201
    assert (await client.get("/api/v1/waiting", headers=OPERATOR_2)).json()["facts"] == []
    reserve = await client.get("/api/v1/municipalities/mun-2/reserve?as_of=2024-01-01", headers=OPERATOR_2)
    assert [m["person_id"] for m in reserve.json()["reserve"]] == ["p-7"], reserve.text
