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


# -- 4. envelope attributes, bounded before deduplication -------------------------------------------

def receipt_kept(app, source: str, event_id: str) -> bool:
    from pedgrowth.kit.recording import receipt_id

    return app.state.service.app.exists(receipt_id(source, event_id))


@pytest.mark.parametrize(("attribute", "value"), [
    ("source", "/school/" + "s" * 600), ("id", "i" * 300), ("subject", "p" * 300),
    ("type", "pedgrowth.training." + "t" * 300), ("dataschema", "https://x/" + "d" * 600),
    ("traceparent", "t" * 2000),
])
async def test_an_oversized_attribute_is_422_and_no_receipt_is_kept_even_on_the_second_try(attribute, value,
                                                                                        tmp_path):
    app = build_app("training", tmp_path)
    event = provider_event(**{attribute: value})
    async with client_of(app) as client:
        for _ in range(2):
            response = await client.post("/api/v1/events", json=event, headers=auth())
            assert response.status_code == 422
            assert response.json()["detail"][0]["loc"][:2] == ["body", attribute]
    assert not receipt_kept(app, event["source"], event["id"])


async def test_a_ten_megabyte_source_is_refused_by_size_before_it_is_parsed(tmp_path):
    app = build_app("training", tmp_path)
    event = provider_event(source="/" + "s" * 10_000_000)
    async with client_of(app) as client:
        response = await client.post("/api/v1/events", json=event, headers=auth())
    assert response.status_code == 413
    assert not receipt_kept(app, event["source"], event["id"])


def test_extension_values_are_strings_integers_or_booleans():
    from pedgrowth.contracts import ContractViolation, decode

    for bad in ({"a": 1}, [1], 2**40, 1.5):
        with pytest.raises(ContractViolation) as caught:
            decode(provider_event(myext=bad))
        assert caught.value.field == "myext"
    assert decode(provider_event(myext="x", flag=True, n=7)).envelope.extensions == {"myext": "x", "flag": True, "n": 7}


def test_event_time_outside_the_years_1900_to_2100_is_refused():
    from pedgrowth.contracts import ContractViolation, decode

    for time in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1899-12-31T00:00:00Z"):
        with pytest.raises(ContractViolation) as caught:
            decode(provider_event(time=time))
        assert caught.value.field == "time"


# -- 5. dates: every date field of every contract model, every date query parameter ----------------

BAD_DAYS = ("0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31")


def date_paths(schema: dict, defs: dict, prefix: tuple = ()) -> list[tuple]:
    """Paths of every date field in an event's data schema (list items as index 0)."""
    found = []
    for name, prop in schema.get("properties", {}).items():
        for option in prop.get("anyOf", [prop]):
            option = defs.get(option.get("$ref", "").rsplit("/", 1)[-1], option)
            if option.get("format") == "date":
                found.append((*prefix, name))
            elif option.get("type") == "array" and "$ref" in option.get("items", {}):
                item = defs[option["items"]["$ref"].rsplit("/", 1)[-1]]
                found += date_paths(item, defs, (*prefix, name, 0))
    return found


def every_date_field():
    from pedgrowth.contracts import EVENT_MODELS

    for event_type, model in EVENT_MODELS.items():
        schema = model.model_json_schema()
        for path in date_paths(schema, schema.get("$defs", {})):
            yield pytest.param(event_type, path, id=f"{event_type.split('.')[2]}.{'.'.join(map(str, path))}")


def with_value(data: dict, path: tuple, value) -> dict:
    data = json.loads(json.dumps(data))
    *parents, last = path
    here = data
    for part in parents:
        here = here[part]
    here[last] = value
    return data


@pytest.mark.parametrize(("event_type", "path"), list(every_date_field()))
def test_every_date_field_is_within_1900_to_2100(event_type, path):
    from pedgrowth.contracts import ContractViolation, EVENT_MODELS, decode, new_event
    from tests.contracts.samples import SAMPLES

    model = EVENT_MODELS[event_type]
    good = new_event(model.model_validate(SAMPLES[event_type]), source="/t").to_json()
    for day in BAD_DAYS:
        event = {**good, "data": with_value(good["data"], path, day)}
        with pytest.raises(ContractViolation) as caught:
            decode(event)
        assert caught.value.field == ".".join(map(str, ("data", *path))), day
        assert "outside 1900-01-01..2100-12-31" in caught.value.message


def test_the_range_bounds_themselves_are_days():
    from pedgrowth.contracts.training import CourseCompleted

    for day in ("1900-01-01", "2100-12-31"):
        CourseCompleted(person_id="p", program_id="q", completed_on=day)


def date_query_parameters(app):
    """(method, path with placeholders filled, parameter name) of every date parameter in the OpenAPI."""
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                options = schema.get("anyOf", [schema])
                if any(o.get("format") == "date" for o in options):
                    yield method.upper(), path.replace("{", "").replace("}", ""), parameter["name"], options


@pytest.mark.parametrize("service", SERVICES)
async def test_every_date_query_parameter_is_the_shared_day_and_refuses_years_out_of_range(service, tmp_path):
    from pedgrowth.contracts.base import DAY_PATTERN

    app = build_app(service, tmp_path)
    found = list(date_query_parameters(app))
    assert found, "the service has date parameters"
    async with client_of(app) as client:
        for method, path, name, options in found:
            assert any(o.get("pattern") == DAY_PATTERN for o in options), f"{path} {name}: not the shared Day"
            for day in BAD_DAYS:
                response = await client.request(method, path, params={name: day, "scope": "region:r"},
                                                headers=auth())
                assert response.status_code == 422, (path, day, response.text)
                named = [d for d in response.json()["detail"] if d["loc"] == ["query", name]]
                assert named and "outside" in named[0]["msg"], (path, day, response.text)


# -- 6. identifiers: one documented character set ----------------------------------------------------

LOOK_ALIKES = {"NUL": "p-1\x00", "RTL override": "p-\u202e1", "zero-width joiner": "p\u200d-1",
               "zero-width space": "p-\u200b1", "isolate": "p-\u20661", "BOM": "\ufeffp-1",
               "NFD й": "Иван-\u0438\u0306", "line separator": "p\u2028", "outer space": " p-1"}


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_an_identifier_outside_the_character_set_is_refused_naming_the_field(name):
    from pedgrowth.contracts import ContractViolation, decode, new_event
    from pedgrowth.contracts.registry import EmploymentStarted
    from tests.contracts.samples import SAMPLES

    good = new_event(EmploymentStarted.model_validate(SAMPLES[EmploymentStarted.event_type]), source="/t").to_json()
    bad = {**good, "subject": None, "data": {**good["data"], "person_id": LOOK_ALIKES[name]}}
    with pytest.raises(ContractViolation) as caught:
        decode({k: v for k, v in bad.items() if v is not None})
    assert caught.value.field == "data.person_id"


@pytest.mark.parametrize("attribute", ["id", "source", "subject"])
def test_envelope_identifiers_have_the_same_character_set(attribute):
    from pedgrowth.contracts import ContractViolation, decode

    for value in ("a\x00b", "a\u202eb", "\u0438\u0306"):
        with pytest.raises(ContractViolation) as caught:
            decode(provider_event(**{attribute: value}))
        assert caught.value.field == attribute


def test_nfc_cyrillic_and_ordinary_ids_are_accepted():
    from pedgrowth.contracts.registry import EducationProfileRecorded

    for person in ("Иван-й", "p-1", "sch 01/2", "ÄÖ_ü.9"):
        EducationProfileRecorded(person_id=person, matches_profile=True, recorded_on="2024-01-01")


async def test_a_look_alike_person_is_refused_over_http(tmp_path):
    from pedgrowth.contracts.registry import EmploymentStarted

    def employment(person_id: str) -> dict:
        event = cloud_event(EmploymentStarted(person_id="p-1", org_id="sch-1", position="teacher",
                                              started_on="2024-09-01", pedagogical_experience_since="2024-09-01"))
        del event["subject"]
        event["data"]["person_id"] = person_id
        return event

    async with client_of(build_app("registry", tmp_path)) as client:
        assert (await client.post("/api/v1/events", json=cloud_event(organisation()), headers=auth())).status_code == 202
        assert (await client.post("/api/v1/events", json=employment("Иван-й"), headers=auth())).status_code == 202
        for look_alike in ("Иван-\u0438\u0306", "Иван-й\u200d", "Иван-\u202eй", "Иван-й\x00"):
            response = await client.post("/api/v1/events", json=employment(look_alike), headers=auth())
            assert response.status_code == 422, repr(look_alike)
            assert response.json()["detail"][0]["loc"] == ["body", "data", "person_id"]


def test_free_text_refuses_control_characters_but_keeps_line_breaks():
    from pydantic import ValidationError

    from pedgrowth.contracts.training import ProviderRegistered as Provider

    Provider(provider_id="p", name="ИРО\nкафедра\tА", kind="other")
    with pytest.raises(ValidationError, match="U\\+0000"):
        Provider(provider_id="p", name="ИРО\x00", kind="other")


# -- 7. numbers bounded where the domain bounds them ---------------------------------------------------

@pytest.mark.parametrize(("event_type", "path", "value"), [
    ("pedgrowth.training.program_published.v1", ("hours",), 2**63),
    ("pedgrowth.training.program_published.v1", ("hours",), 10_001),
    ("pedgrowth.indicators.plan_adopted.v1", ("targets", 0, "value"), 1e308),
    ("pedgrowth.indicators.plan_adopted.v1", ("targets", 0, "value"), -0.1),
    ("pedgrowth.indicators.target_set.v1", ("value",), 1_000_001),
    ("pedgrowth.indicators.value_reported.v1", ("value",), 1.5),
    ("pedgrowth.indicators.value_reported.v1", ("value",), float("nan")),
    ("pedgrowth.indicators.target_set.v1", ("value",), float("inf")),
    ("pedgrowth.indicators.target_set.v1", ("year",), 1899),
    ("pedgrowth.indicators.target_set.v1", ("year",), 2101),
])
def test_numbers_out_of_their_domain_are_refused_naming_the_field(event_type, path, value):
    from pedgrowth.contracts import ContractViolation, EVENT_MODELS, decode, new_event
    from tests.contracts.samples import SAMPLES

    good = new_event(EVENT_MODELS[event_type].model_validate(SAMPLES[event_type]), source="/t").to_json()
    with pytest.raises(ContractViolation) as caught:
        decode({**good, "data": with_value(good["data"], path, value)})
    assert caught.value.field == ".".join(map(str, ("data", *path)))


async def test_nan_in_a_posted_body_is_422_not_500(tmp_path):
    from tests.contracts.samples import SAMPLES

    from pedgrowth.contracts import EVENT_MODELS, new_event

    kind = "pedgrowth.indicators.value_reported.v1"
    event = new_event(EVENT_MODELS[kind].model_validate(SAMPLES[kind]), source="/t").to_json()
    body = json.dumps(event).replace('"value": 0.8', '"value": NaN').encode()
    assert b"NaN" in body
    async with client_of(build_app("indicators", tmp_path)) as client:
        response = await post_raw(client, body)
    assert response.status_code == 422


async def test_dead_letters_without_a_broker_are_503_saying_so_not_500(tmp_path):
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    app = build_app("training", tmp_path, kafka_bootstrap_servers=f"127.0.0.1:{port}")
    async with client_of(app) as client:
        response = await client.get("/api/v1/dead-letters", headers=auth())
    assert response.status_code == 503
    assert "broker" in response.json()["detail"]
