"""Bad input never gets a 500 (issue 14): body shapes, media types, sizes, envelope limits, dates, ids, numbers.

The four services are built as the other HTTP tests build them (no lifespan, no broker):
POST /api/v1/events validates and records in the service's own store.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from pedgrowth.contracts.registry import OrganizationRegistered
from pedgrowth.contracts.training import ProviderRegistered
from tests.support.services import SECRET, auth, cloud_event

SERVICES = ("registry", "training", "mentoring", "indicators")


def build_app(service: str, tmp_path, **overrides):
    """One of the four services, built in-process on SQLite in ``tmp_path``, with settings overrides."""
    from pedgrowth.indicators.bootstrap import build as indicators
    from pedgrowth.indicators.config import IndicatorsSettings
    from pedgrowth.mentoring.bootstrap import build as mentoring
    from pedgrowth.mentoring.config import MentoringSettings
    from pedgrowth.registry.bootstrap import build as registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as training
    from pedgrowth.training.config import TrainingSettings

    builders = {"registry": (registry, RegistrySettings), "training": (training, TrainingSettings),
                "mentoring": (mentoring, MentoringSettings), "indicators": (indicators, IndicatorsSettings)}
    build, settings = builders[service]
    return build(settings(data_dir=tmp_path / service, token_secret=SECRET, **overrides))


def client_of(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def post_raw(client, body: bytes, content_type: str = "application/json", **headers):
    return await client.post("/api/v1/events", content=body,
                             headers={"Content-Type": content_type, **auth(), **headers})


def provider_event(**envelope) -> dict:
    event = cloud_event(ProviderRegistered(provider_id=f"prov-{uuid.uuid4().hex[:8]}", name="ИРО", kind="other"))
    event.update(envelope)
    return event


# -- 1. the body of POST /api/v1/events ------------------------------------------------------------

NOT_OBJECTS = {"null": ("null", ["body"]), "number": ("1", ["body"]), "true": ("true", ["body"]),
               "string": ('"x"', ["body"]), "[1]": ("[1]", ["body", 0]), "[null]": ("[null]", ["body", 0]),
               "[[]]": ("[[]]", ["body", 0]), '["{}"]': ('["{}"]', ["body", 0])}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_body_that_is_not_an_object_or_an_array_of_objects_is_422_naming_the_item(service, tmp_path):
    async with client_of(build_app(service, tmp_path)) as client:
        for name, (body, loc) in NOT_OBJECTS.items():
            response = await post_raw(client, body.encode())
            assert response.status_code == 422, name
            first = response.json()["detail"][0]
            assert first["loc"] == loc, name
            assert "a CloudEvent must be a JSON object" in first["msg"], name


async def test_only_the_bad_items_of_an_array_are_named(tmp_path):
    async with client_of(build_app("training", tmp_path)) as client:
        response = await client.post("/api/v1/events", json=[provider_event(), 7, provider_event(), None],
                                     headers=auth())
        assert response.status_code == 422
        assert [d["loc"] for d in response.json()["detail"]] == [["body", 1], ["body", 3]]
        assert (await client.get("/api/v1/providers", headers=auth())).json()["providers"] == [], "nothing recorded"


async def test_an_empty_array_is_422(tmp_path):
    async with client_of(build_app("training", tmp_path)) as client:
        response = await post_raw(client, b"[]")
        assert response.status_code == 422
        assert "empty" in response.json()["detail"][0]["msg"]


async def test_more_events_than_the_limit_is_413_before_any_is_validated(tmp_path):
    async with client_of(build_app("training", tmp_path, max_events_per_request=3)) as client:
        response = await client.post("/api/v1/events", json=[provider_event() for _ in range(4)], headers=auth())
        assert response.status_code == 413
        assert "at most 3" in response.json()["detail"][0]["msg"]
        fine = await client.post("/api/v1/events", json=[provider_event() for _ in range(3)], headers=auth())
        assert fine.status_code == 202


# -- 2. the media type ------------------------------------------------------------------------------

@pytest.mark.parametrize("service", SERVICES)
async def test_a_body_that_is_not_declared_json_is_415(service, tmp_path):
    body = json.dumps(provider_event()).encode()
    async with client_of(build_app(service, tmp_path)) as client:
        for kind in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
            response = await post_raw(client, body, kind)
            assert response.status_code == 415, kind
            assert response.json()["detail"][0]["loc"] == ["header", "content-type"]
        no_type = await client.post("/api/v1/events", content=body, headers=auth())
        assert no_type.status_code == 415


async def test_the_cloudevents_media_types_are_json(tmp_path):
    async with client_of(build_app("training", tmp_path)) as client:
        single = await post_raw(client, json.dumps(provider_event()).encode(),
                                "application/cloudevents+json; charset=utf-8")
        batch = await post_raw(client, json.dumps([provider_event()]).encode(), "application/cloudevents-batch+json")
        assert (single.status_code, batch.status_code) == (202, 202)


async def test_registry_organisations_route_is_json_only(tmp_path):
    org = {"org_id": "sch-1", "name": "Школа", "kind": "school", "municipality_id": "m", "municipality_name": "М",
           "region_id": "r", "region_name": "Р"}
    async with client_of(build_app("registry", tmp_path)) as client:
        response = await client.post("/api/v1/organisations", content=json.dumps(org),
                                     headers={"Content-Type": "text/plain", **auth()})
        assert response.status_code == 415


# -- 3. the size of the body --------------------------------------------------------------------------

async def test_a_declared_length_over_the_limit_is_413_without_reading_the_body(tmp_path):
    async with client_of(build_app("registry", tmp_path, max_json_bytes=1000)) as client:
        response = await post_raw(client, b"[" + b" " * 2000 + b"]")
        assert response.status_code == 413
        assert "over 1000 bytes" in response.json()["detail"][0]["msg"]


async def test_a_streamed_body_is_cut_off_at_the_limit(tmp_path):
    read = 0

    async def chunks():
        nonlocal read
        for _ in range(100):
            read += 1
            yield b" " * 1000

    async with client_of(build_app("registry", tmp_path, max_json_bytes=5000)) as client:
        response = await client.post("/api/v1/events", content=chunks(),
                                     headers={"Content-Type": "application/json", **auth()})
        assert response.status_code == 413
        assert read < 100, "the body was not read to its end"


async def test_a_body_under_the_limit_passes(tmp_path):
    body = json.dumps(provider_event()).encode()
    async with client_of(build_app("training", tmp_path, max_json_bytes=len(body))) as client:
        assert (await post_raw(client, body)).status_code == 202
        assert (await post_raw(client, body + b" ")).status_code == 413


async def test_uploads_have_their_own_limit(tmp_path):
    async with client_of(build_app("registry", tmp_path, max_json_bytes=100, max_upload_bytes=50_000)) as client:
        ok = await client.post("/api/v1/organisations/sch-1/staff/import", headers=auth(),
                               files={"file": ("staff.csv", "person_id;last_name\n" + "x;y\n" * 100, "text/csv")})
        assert ok.status_code != 413
        big = await client.post("/api/v1/organisations/sch-1/staff/import", headers=auth(),
                                files={"file": ("staff.csv", "x;y\n" * 20_000, "text/csv")})
        assert big.status_code == 413


def test_the_default_limits_are_documented():
    from pedgrowth.kit.config import ServiceSettings

    defaults = ServiceSettings()
    assert (defaults.max_json_bytes, defaults.max_events_per_request) == (5 * 1024 * 1024, 5000)


def organisation() -> OrganizationRegistered:
    return OrganizationRegistered(org_id="sch-1", name="Школа", kind="school", municipality_id="m",
                                  municipality_name="М", region_id="r", region_name="Р")
