"""POST /api/v1/events and access checks, without a broker (the lifespan is not started)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from pedgrowth.contracts.registry import OrganizationRegistered
from pedgrowth.contracts.training import DiagnosticsCompleted, ProviderRegistered
from pedgrowth.kit.auth import SESSION_COOKIE, Principal, Role
from pedgrowth.kit.service import scope_of_fields
from pedgrowth.training.application import TrainingApplication
from pedgrowth.training.bootstrap import build
from pedgrowth.training.config import TrainingSettings
from tests.support.services import SECRET, auth, cloud_event, token

DEV_TOKEN = "dev-token-for-tests-0123456789abcdef"


@pytest.fixture
async def client(tmp_path):
    settings = TrainingSettings(data_dir=tmp_path, token_secret=SECRET, dev_token=DEV_TOKEN)
    app = build(settings, application=TrainingApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


def provider_event() -> dict:
    return cloud_event(ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:8]}", name="ИРО", kind="other"))


async def test_missing_token_is_401(client):
    response = await client.post("/api/v1/events", json=provider_event())
    assert response.status_code == 401


async def test_forged_token_is_401(client):
    response = await client.post("/api/v1/events", json=provider_event(),
                                 headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged"})
    assert response.status_code == 401


async def test_dev_token_is_admin(client):
    response = await client.post("/api/v1/events", json=provider_event(),
                                 headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    assert response.status_code == 202


async def test_regional_analyst_cannot_write(client):
    response = await client.post("/api/v1/events", json=provider_event(),
                                 headers=auth(Role.REGIONAL_ANALYST, region_id="reg-1"))
    assert response.status_code == 403


def test_school_cannot_write_for_another_organisation():
    other = OrganizationRegistered(
        org_id="sch-2", name="Школа №2", kind="school", municipality_id="mun-1", municipality_name="М",
        region_id="reg-1", region_name="Р")
    school = Principal("s", Role.SCHOOL_SYSTEM, org_id="sch-1")
    assert "data.org_id" in scope_of_fields(school, other)
    assert scope_of_fields(Principal("s", Role.SCHOOL_SYSTEM, org_id="sch-2"), other) is None


def test_operator_cannot_write_for_another_municipality():
    other = OrganizationRegistered(
        org_id="sch-2", name="Школа №2", kind="school", municipality_id="mun-2", municipality_name="М",
        region_id="reg-1", region_name="Р")
    operator = Principal("o", Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
    assert "data.municipality_id" in scope_of_fields(operator, other)


async def test_bad_field_is_422_naming_the_field_and_recording_nothing(client):
    good, bad = provider_event(), provider_event()
    bad["data"]["kind"] = "nonsense"
    response = await client.post("/api/v1/events", json=[good, bad], headers=auth())
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", 1, "data", "kind"]
    again = await client.post("/api/v1/events", json=good, headers=auth())
    assert again.json()["results"][0]["outcome"] == "accepted", "the valid one was not recorded by the 422"


async def test_same_source_and_id_twice_is_recorded_once(client):
    event = provider_event()
    first = await client.post("/api/v1/events", json=event, headers=auth())
    second = await client.post("/api/v1/events", json=[event], headers=auth())
    assert first.json()["results"][0]["outcome"] == "accepted"
    assert second.json()["results"][0]["outcome"] == "duplicate"


async def test_business_rule_rejection_names_the_field(client):
    twice = cloud_event(DiagnosticsCompleted(person_id="p-1", diagnostics_id="diag-1", completed_on="2024-02-01",
                                             deficits=[{"code": "D-1", "area": "digital"}] * 2))
    response = await client.post("/api/v1/events", json=twice, headers=auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "deficits"]


async def test_health_and_metrics_are_open(client):
    assert (await client.get("/health")).status_code == 200
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200 and "pedgrowth_http_requests_total" in metrics.text


async def test_the_session_cookie_reads_like_a_bearer_token(client):
    client.cookies.set(SESSION_COOKIE, token())
    assert (await client.get("/api/v1/providers")).status_code == 200
    client.cookies.set(SESSION_COOKIE, "not-a-token")
    assert (await client.get("/api/v1/providers")).status_code == 401


async def test_a_session_write_must_come_from_a_page_of_the_same_host(client):
    client.cookies.set(SESSION_COOKIE, token())
    assert (await client.post("/api/v1/events", json=provider_event())).status_code == 403
    foreign = await client.post("/api/v1/events", json=provider_event(), headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and "page of this service" in foreign.json()["detail"]
    same = await client.post("/api/v1/events", json=provider_event(), headers={"Origin": "http://test"})
    assert same.status_code == 202


async def test_a_bearer_write_needs_no_origin(client):
    response = await client.post("/api/v1/events", json=provider_event(), headers=auth())
    assert response.status_code == 202
