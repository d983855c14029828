"""GET /api/v1/indicators answers the JSON the read model builds, unvalidated on its hot path: its declared model
(entrypoints/schemas.IndicatorValues, extra fields refused) must still describe every answer it gives."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.entrypoints.schemas import IndicatorValues
from tests.indicators.builders import course, hired, org, program, record
from tests.support.services import SECRET, auth

PLAN = record("plan_adopted", plan_id="plan-1", municipality_id="mun-1", title="План", period_start="2024-01-01",
              period_end="2026-12-31", targets=[{"indicator": "training_coverage", "year": 2025, "value": 0.5},
                                                {"indicator": "teacher_readiness", "year": 2025, "value": 0.8}],
              definitions=[{"indicator": "training_coverage", "window": "since_period_start"}])
STREAM = [org(), org("sch-2", org_kind="kindergarten"), hired("p-1", "2010-09-01"),
          hired("p-2", "2024-09-01", since="2024-09-01"), program(), course("p-1", "2025-03-01"), PLAN,
          record("value_reported", municipality_id="mun-1", indicator="teacher_readiness", year=2025, value=0.7,
                 method="survey")]


@pytest.fixture
async def client(tmp_path):
    app = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET))
    read_model = app.state.read_model
    await read_model.load()
    await read_model.add(STREAM, {})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http
    with contextlib.suppress(Exception):
        await read_model.store.close()


@pytest.mark.parametrize("params", [
    {"scope": "municipality:mun-1"},
    {"scope": "region:reg-1", "as_of": "2025-12-31"},
    {"scope": "organization:sch-1", "as_of": "2025-12-31", "population": "teachers", "young": "age_under_35"},
    {"scope": "municipality:mun-1", "as_of": "2025-12-31", "window": "since_period_start",
     "period_start": "2025-01-01"},
])
async def test_every_answer_of_the_values_route_is_what_its_model_declares(client, params):
    answer = await client.get("/api/v1/indicators", params=params, headers=auth())
    assert answer.status_code == 200, answer.text
    declared = IndicatorValues.model_validate_json(answer.content)
    kinds = {row.kind for row in declared.indicators}
    assert "computed" in kinds
    if params["scope"] == "municipality:mun-1" and "as_of" in params:
        assert "reported" in kinds, "the survey value the municipality reported is a row too"
        covered = next(row for row in declared.indicators if row.code == "training_coverage")
        assert (covered.numerator, covered.target) == (1, 0.5)


async def test_the_openapi_document_names_the_values_model(client):
    document = (await client.get("/openapi.json")).json()
    schema = document["paths"]["/api/v1/indicators"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"] == {"$ref": "#/components/schemas/IndicatorValues"}
