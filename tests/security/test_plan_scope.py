"""Two municipalities' operators over HTTP, on the real broker: a fact that waits for a plan or a recommendation not
adopted yet never lands in another municipality's (SPEC §2 waiting facts, §6 access)."""

from __future__ import annotations

import uuid

import pytest

from pedgrowth.contracts.indicators import (MeasureCompleted, PlanAdopted, RecommendationCompleted,
                                            RecommendationIssued, TargetSet)
from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.kit.auth import Role
from tests.support.kafka import eventually
from tests.support.services import auth, cloud_event, running, settings_for

pytestmark = pytest.mark.broker


async def test_an_operator_cannot_write_into_a_plan_another_municipality_adopts_later(kafka, tmp_path):
    tag = uuid.uuid4().hex[:6]
    mun_a, mun_b, plan, rec = f"mun-a-{tag}", f"mun-b-{tag}", f"plan-{tag}", f"rec-{tag}"
    op_a = auth(Role.MUNICIPAL_OPERATOR, municipality_id=mun_a)
    op_b = auth(Role.MUNICIPAL_OPERATOR, municipality_id=mun_b)
    target = dict(plan_id=plan, indicator="training_coverage", year=2025, value=0.9)
    settings = settings_for(IndicatorsSettings, kafka, tmp_path, waiting_sweep_seconds=0.2)
    async with running(build(settings)) as client:
        async def post(data, headers):
            return await client.post("/api/v1/events", json=cloud_event(data), headers=headers)

        unnamed = await post(TargetSet(**target), op_b)
        assert unnamed.status_code == 403, unnamed.text  # whose plan it will be cannot be told: not taken
        assert unnamed.json()["detail"].startswith(f"data.plan_id: plan {plan} has not been adopted")
        assert (await post(TargetSet(**target, municipality_id=mun_a), op_b)).status_code == 403
        completion = RecommendationCompleted(recommendation_id=rec, completed_on="2025-05-01")
        assert (await post(completion, op_b)).status_code == 403

        waiting = [TargetSet(**target, municipality_id=mun_b),
                   MeasureCompleted(plan_id=plan, measure_id="m1", completed_on="2025-03-01", municipality_id=mun_b),
                   completion.model_copy(update={"municipality_id": mun_b})]
        for data in waiting:
            answer = await post(data, op_b)
            assert (answer.status_code, answer.json()["results"][0]["outcome"]) == (202, "waiting"), answer.text
        listed = (await client.get("/api/v1/waiting", headers=op_b)).json()
        assert listed["count"] == 3 and {f["municipality_id"] for f in listed["facts"]} == {mun_b}
        assert (await client.get("/api/v1/waiting", headers=op_a)).json()["count"] == 0

        adoption = PlanAdopted(plan_id=plan, municipality_id=mun_a, title="План", period_start="2025-01-01",
                               period_end="2026-12-31", targets=[{"indicator": "training_coverage", "year": 2025,
                                                                  "value": 0.5}],
                               measures=[{"measure_id": "m1", "title": "Курсы", "due_on": "2025-12-31",
                                          "responsible": "УО"}])
        issued = RecommendationIssued(recommendation_id=rec, municipality_id=mun_a, indicators=["training_coverage"],
                                      text="Обучить", issued_on="2025-03-20", due_on="2025-09-01")
        for data in (adoption, issued):
            answer = await post(data, op_a)
            assert answer.json()["results"][0]["outcome"] == "accepted", answer.text

        shown = (await client.get(f"/api/v1/plans/{plan}", params={"as_of": "2025-12-01"}, headers=op_a)).json()
        assert shown["targets"] == [{"indicator": "training_coverage", "year": 2025, "value": 0.5}]
        assert [m["status"] for m in shown["measures"]] == ["due"] and shown["measures"][0]["completed_on"] is None
        cycle = (await client.get(f"/api/v1/cycle/{mun_a}/2025", headers=op_a)).json()
        assert [r["completed_on"] for r in cycle["recommendations"]] == [None]
        assert (await client.get("/api/v1/waiting", headers=op_b)).json()["count"] == 0

        async def dead_lettered():
            answer = await client.get("/api/v1/dead-letters", params={"reason": "business_rule"}, headers=op_b)
            return answer.json()["letters"] if len(answer.json()["letters"]) == 3 else None

        letters = await eventually(dead_lettered, timeout=30)
        assert sorted(letter["reason"] for letter in letters) == sorted(
            [f"plan {plan} belongs to municipality {mun_a}, not {mun_b}"] * 2
            + [f"recommendation {rec} belongs to municipality {mun_a}, not {mun_b}"])
        assert {letter["field"] for letter in letters} == {"data.municipality_id"}
