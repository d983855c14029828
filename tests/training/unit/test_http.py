"""Training routes and access rules over HTTP, on in-memory persistence without a broker (no lifespan)."""

import httpx
import pytest

from pedgrowth.contracts.registry import EmploymentStarted, OrganizationRegistered
from pedgrowth.kit.auth import Role
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from tests.support.services import SECRET, auth, cloud_event
from tests.training.facts import attestation, competition, course, programme, route_completed, route_started
from tests.training.tables import csv_bytes

OPERATOR = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
OTHER_OPERATOR = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-2")
ANALYST = auth(Role.REGIONAL_ANALYST, region_id="reg-1")
SCHOOL = auth(Role.SCHOOL_SYSTEM, org_id="sch-1")


@pytest.fixture
async def client(app, tmp_path):
    app.workplaces.apply(OrganizationRegistered(org_id="sch-1", name="Школа", kind="school", municipality_id="mun-1",
                                                municipality_name="М", region_id="reg-1", region_name="Р"))
    app.workplaces.apply(EmploymentStarted(person_id="p-1", org_id="sch-1", position="teacher",
                                           started_on="2015-09-01", pedagogical_experience_since="2015-09-01"))
    service = build(TrainingSettings(data_dir=tmp_path, token_secret=SECRET, follow_registry=False), application=app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service), base_url="http://test") as c:
        yield c


async def post(client, data, headers=None):
    return await client.post("/api/v1/events", json=cloud_event(data), headers=headers or auth())


async def test_every_route_needs_a_token(client):
    assert (await client.get("/api/v1/programs")).status_code == 401


async def test_a_conflict_is_409_naming_the_field(client):
    await post(client, competition(result="participant"))
    response = await post(client, competition(result="winner"))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "data", "competition_id"]


async def test_a_completion_of_an_unknown_route_waits_and_one_before_its_start_is_422_naming_the_field(client):
    waiting = await post(client, route_completed(completed_on="2023-09-01"))
    assert (waiting.status_code, waiting.json()["results"][0]["outcome"]) == (202, "waiting")
    await post(client, route_started(started_on="2023-10-10"))
    response = await post(client, route_completed(completed_on="2023-09-02"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "completed_on"]


async def test_a_school_system_may_not_change_the_catalogue(client):
    assert (await post(client, programme("prog-new"), SCHOOL)).status_code == 403


async def test_a_school_system_may_report_a_course(client):
    assert (await post(client, course(), SCHOOL)).status_code == 202


async def test_the_catalogue_is_filtered_over_http(client):
    response = await client.get("/api/v1/programs", params={"format": "distance", "in_federal_registry": "true"},
                                headers=ANALYST)
    assert [p["program_id"] for p in response.json()["programs"]] == ["prog-1"]


async def test_an_operator_reads_the_transcript_of_someone_working_in_the_municipality(client):
    await post(client, course())
    response = await client.get("/api/v1/persons/p-1/transcript", headers=OPERATOR)
    assert response.status_code == 200 and response.json()["courses"][0]["hours"] == 36


async def test_an_operator_of_another_municipality_may_not_read_the_transcript(client):
    await post(client, course())
    assert (await client.get("/api/v1/persons/p-1/transcript", headers=OTHER_OPERATOR)).status_code == 403


async def test_a_regional_analyst_reads_no_person_level_data(client):
    assert (await client.get("/api/v1/persons/p-1/transcript", headers=ANALYST)).status_code == 403
    assert (await client.get("/api/v1/categories/expiring", headers=ANALYST)).status_code == 403


async def test_a_regional_analyst_reads_the_provider_report_of_a_municipality_in_the_region(client):
    await post(client, course(completed_on="2023-03-01"))
    response = await client.get("/api/v1/reports/providers", params={"scope": "municipality:mun-1"}, headers=ANALYST)
    assert response.status_code == 200 and response.json()["rows"][0]["completions"] == 1


async def test_an_operator_may_not_ask_for_another_municipality(client):
    response = await client.get("/api/v1/reports/providers", params={"scope": "municipality:mun-2"},
                                headers=OPERATOR)
    assert response.status_code == 403


async def test_a_malformed_scope_is_422(client):
    response = await client.get("/api/v1/reports/providers", params={"scope": "mun-1"}, headers=auth())
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "scope"]


async def test_expiring_categories_default_to_the_operators_municipality(client):
    await post(client, attestation(person_id="p-1", decided_on="2020-03-01"))
    response = await client.get("/api/v1/categories/expiring",
                                params={"months": 12, "as_of": "2024-09-01"}, headers=OPERATOR)
    body = response.json()
    assert body["scope"] == "municipality:mun-1" and [p["person_id"] for p in body["persons"]] == ["p-1"]


async def test_a_school_system_may_not_import_files(client):
    files = {"file": ("list.csv", csv_bytes([["Идентификатор педагога"]]), "text/csv")}
    assert (await client.post("/api/v1/imports/course-completions", files=files, headers=SCHOOL)).status_code == 403


async def test_an_import_missing_a_column_is_422_naming_it(client):
    files = {"file": ("list.csv", csv_bytes([["Идентификатор педагога"], ["p-1"]]), "text/csv")}
    response = await client.post("/api/v1/imports/course-completions", files=files, headers=OPERATOR)
    assert response.status_code == 422 and "«Код программы»" in response.json()["detail"][0]["msg"]


async def test_pd_requests_are_imported_by_an_operator_and_met_through_http(client):
    from tests.training.facts import pd_request_met

    requests = csv_bytes([["Номер запроса", "Идентификатор педагога", "Направление", "Дата подачи"],
                          ["req-1", "p-1", "методическое", "05.09.2023"], ["req-2", "p-2", "цифровое", "05.09.2023"]])
    response = await client.post("/api/v1/imports/pd-requests", files={"file": ("requests.csv", requests)},
                                 headers=OPERATOR)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["request_id"], r["outcome"]) for r in rows] == [("req-1", "accepted"), ("req-2", "rejected")]
    assert rows[1]["reason_code"] == "forbidden"  # p-2 works nowhere in mun-1
    assert (await post(client, pd_request_met(met_on="2023-11-24"), SCHOOL)).status_code == 202
    other = await post(client, pd_request_met(met_on="2023-11-24"), OTHER_OPERATOR)
    assert other.status_code == 403 and "data.request_id" in other.text
    unknown = await post(client, pd_request_met(request_id="req-9"), OPERATOR)
    assert unknown.status_code == 403 and "PD request req-9 is not known to training" in unknown.text


async def test_the_request_report_is_counts_an_analyst_may_read_and_the_transcript_lists_requests(client):
    from tests.training.facts import pd_request

    assert (await post(client, pd_request(submitted_on="2024-02-01"), SCHOOL)).status_code == 202
    report = await client.get("/api/v1/reports/pd-requests?scope=municipality:mun-1&year=2024&as_of=2024-12-31",
                              headers=ANALYST)
    assert report.status_code == 200
    assert report.json()["rows"] == [{"year": 2024, "direction": "methodical", "submitted": 1, "met": 0,
                                      "met_share": 0.0}]
    transcript = await client.get("/api/v1/persons/p-1/transcript", headers=OPERATOR)
    assert [r["request_id"] for r in transcript.json()["pd_requests"]] == ["req-1"]
    other = await client.get("/api/v1/reports/pd-requests?scope=region:reg-2", headers=ANALYST)
    assert other.status_code == 403
