"""The recorded stream (recorded.jsonl, see generate.py) replayed through the real broker.

The expected numerators and denominators below are worked out by hand from generate.py.
Per school: regular teachers t01…t10 (k = their number) and young teachers y1 (career
2022-09-01), y2 (2021-09-01), y3 (2023-09-01). Dates: D1 = 2024-12-31, D2 = 2024-02-29
(W1 from 2023-02-28, W3 from 2021-02-28, both exclusive), D3 = 2023-12-31.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.entrypoints.report import STATUS_TEXT
from pedgrowth.contracts.scope import Scope
from pedgrowth.contracts import decode
from pedgrowth.indicators.definitions import INDICATORS
from pedgrowth.indicators.engine import Engine
from pedgrowth.indicators.projection.readmodel import ReadModel
from pedgrowth.indicators.records import Record
from pedgrowth.indicators.readmodel.sql import SqliteStore
from pedgrowth.indicators.rebuild import rebuild
from pedgrowth.kit.auth import Role

from tests.indicators import oracle
from tests.indicators.streams.replay import (
    caught_up,
    create,
    projecting,
    publish,
    recorded,
    shuffled_with_duplicates,
    unique_topics,
)
from tests.support.kafka import eventually
from tests.support.services import auth, running, settings_for


D1, D2, D3 = date(2024, 12, 31), date(2024, 2, 29), date(2023, 12, 31)

# municipality rec-mun-a on D1. STAFF = 20 regular + y1,y2,y3 of both schools (6) + rec-a-d1, rec-a-x1
# (transferred to a2 on 2024-04-01), rec-a-x2, rec-a-x5 (hired on D1) = 30; rec-a-x3 turned non_pedagogical
# and rec-a-x4's employment ended, both on D1. YOUNG = y1, y3 of both schools + rec-a-x5 = 5 (y2's career
# began 2021-09-01, not after D1 − 3y). HEADS = rec-a-d1 and rec-a-x2 (director since 2024-09-01).
MUN_A_D1 = {
    "training_coverage": (14, 30),  # k odd and k=2 in each school (12), y1's course of 2024-04-01 (2)
    "digital_training_coverage": (10, 30),  # k odd: the distance programme
    "diagnostics_coverage": (8, 30),  # k ≤ 4
    "deficit_targeted_training": (4, 6),  # found for k ≤ 3; k = 1, 3 trained after it on D-METH, k=2 before it
    "individual_route_coverage": (2, 30),  # k=7 active; k=8 completed 2023-06-30, before W1
    "retraining_count": (2, None),  # k=2
    "category_share": (6, 30),  # k ≤ 3 highest; k=4's first expired 2024-06-01
    "young_mentoring_coverage": (2, 5),  # y1's pair ended 2024-01-02 (active on W1's first day); y3's 2024-01-01
    "mentors_count": (2, None),  # the two mentors of the t10 peer pairs; the young pairs have ended
    "competition_share": (6, 30),  # k ≤ 2 on 2024-05-10, y1 on D1
    "young_competition_share": (2, 5),  # y1
    "young_support_share": (2, 5),  # y3 on D1; y1's was on 2023-12-31 = D1 − 1y, outside W1
    "young_training_coverage": (2, 5),  # y1
    "young_retention_3y": (2, 2),  # YOUNG at 2021-12-31 = the two y2, both still here
    "reserve_ratio": (1, 2),  # rec-a1-t05; rec-a1-t06 left on D1
    "community_coverage": (8, 30),  # k ≤ 5, k=5 left 2024-06-01
    "profile_education_share": (14, 30),  # k ≤ 7 at hiring, k=1 recorded false in 2024, k=8 true in 2024
    "independent_assessment_share": (2, 30),  # k=6
    "open_vacancies": (1, None),  # rec-v-a1 opened on D1
    "staffing_ratio": (30, 31),
    # the additions: rq-1 met, rq-2 not, rq-5 submitted and met on D1; rq-3 before W1; rq-4's teacher left on D1
    "pd_requests_met_share": (2, 3),
    "expert_involvement_share": (2, 30),  # a1-t03's last day 2024-01-01 is W1's first; a2-t04 from D1
    "methodical_asset_count": (1, None),  # a1-t01; a2-t02 left on D1; b1-t01 works in rec-mun-b
    "curated_orgs_share": (1, 2),  # rec-a1; rec-a2's curator was released on D1
    "project_participation_share": (2, 5),  # a1-y1, a2-y1; a1-y3 completed; a1-t01 is not young
}

# rec-mun-a on D3 = 2023-12-31: STAFF = 20 + 6 + rec-a-d1, -x1 (still at a1), -x2 (a teacher), -x3, -x4 = 31;
# YOUNG = y1, y2, y3 of both schools = 6; HEADS = rec-a-d1.
MUN_A_D3 = {
    "training_coverage": (12, 31), "digital_training_coverage": (10, 31), "diagnostics_coverage": (8, 31),
    "deficit_targeted_training": (4, 6),
    "individual_route_coverage": (2, 31),  # k=8 completed 2023-06-30, within W1; k=7 starts in 2024
    "retraining_count": (2, None),
    "category_share": (8, 31),  # k ≤ 4: k=4's category still valid
    "young_mentoring_coverage": (4, 6),  # y1 and y3
    "mentors_count": (2, None),  # the y1 and y3 pairs are active on D3; each school has one mentor
    "competition_share": (0, 31), "young_competition_share": (0, 6),
    "young_support_share": (2, 6),  # y1 on 2023-12-31 = D3
    "young_training_coverage": (0, 6),
    "young_retention_3y": (0, 0),  # nobody in rec-mun-a began a career after 2017-12-31 and worked on 2020-12-31
    "reserve_ratio": (2, 1),  # both reserve members; one head
    "community_coverage": (10, 31), "profile_education_share": (14, 31), "independent_assessment_share": (2, 31),
    "open_vacancies": (0, None), "staffing_ratio": (31, 31),
    "pd_requests_met_share": (0, 1),  # rq-3 submitted on D3, met only in 2024
    "expert_involvement_share": (2, 31),  # a1-t03, and a2-t05 (last day 2023-12-30)
    "methodical_asset_count": (2, None), "curated_orgs_share": (1, 2),
    "project_participation_share": (2, 6),  # a1-y1, a1-y3
}

# rec-mun-b on D2 = 2024-02-29: STAFF = 20 + 6 + rec-b-d1, rec-b-d2 = 28 (rec-b-r1 resigned 2023-06-30);
# YOUNG = 6; HEADS = 2.
MUN_B_D2 = {
    "training_coverage": (12, 28), "digital_training_coverage": (10, 28), "diagnostics_coverage": (8, 28),
    "deficit_targeted_training": (4, 6),
    "individual_route_coverage": (4, 28),  # k=7 (started 2024-01-10) and k=8 (completed within W1)
    "retraining_count": (2, None), "category_share": (8, 28),
    "young_mentoring_coverage": (4, 6), "mentors_count": (0, None),  # every pair ended or not begun on D2
    "competition_share": (0, 28), "young_competition_share": (0, 6), "young_support_share": (2, 6),
    "young_training_coverage": (0, 6),
    "young_retention_3y": (0, 1),  # rec-b-r1 was young on 2021-02-28 and left
    "reserve_ratio": (1, 2),  # rec-b1-t05 enrolled on D2 itself
    "community_coverage": (10, 28), "profile_education_share": (14, 28), "independent_assessment_share": (2, 28),
    "open_vacancies": (1, None),  # rec-v-b2 (closed only on 2024-12-31)
    "staffing_ratio": (28, 29),
    "pd_requests_met_share": (0, 0), "expert_involvement_share": (0, 28),
    "methodical_asset_count": (1, None),  # b2-t02 joined on D2; b1-t01 is in rec-mun-a's asset
    "curated_orgs_share": (1, 2),  # rec-b1's curator appointed on D2
    "project_participation_share": (0, 6),
}

# region rec-reg on D1: rec-mun-a (30) and rec-mun-b (20 + 6 + two directors = 28).
REGION_D1 = {
    "training_coverage": (28, 58), "young_mentoring_coverage": (4, 9), "mentors_count": (4, None),
    "young_retention_3y": (4, 5),  # + rec-mun-b's two y2 and rec-b-r1, who left
    "reserve_ratio": (2, 4), "open_vacancies": (2, None), "staffing_ratio": (58, 60),
    "methodical_asset_count": (3, None),  # a1-t01, b2-t02, and b1-t01 (rec-mun-a's asset, in the region's staff)
    "curated_orgs_share": (2, 4), "project_participation_share": (2, 9),
}

# school rec-a1 on D1: 10 regular, y1-y3, rec-a-d1 = 14.
SCHOOL_A1_D1 = {
    "training_coverage": (7, 14), "reserve_ratio": (None, None), "open_vacancies": (0, None),
    "staffing_ratio": (14, 14), "young_mentoring_coverage": (1, 2),
    "methodical_asset_count": (None, None), "curated_orgs_share": (None, None),
    "pd_requests_met_share": (1, 2),
}

EXPECTED = {
    ("municipality:rec-mun-a", D1): MUN_A_D1, ("municipality:rec-mun-a", D3): MUN_A_D3,
    ("municipality:rec-mun-b", D2): MUN_B_D2, ("region:rec-reg", D1): REGION_D1,
    ("organization:rec-a1", D1): SCHOOL_A1_D1,
}
SCOPES = ["organization:rec-a1", "organization:rec-b2", "municipality:rec-mun-a", "municipality:rec-mun-b",
          "region:rec-reg"]
DATES = [D1, D2, D3, date(2022, 12, 31), date(2025, 3, 1)]


def numbers(engine, scope: str, d: date) -> dict[str, tuple]:
    """The engine's numbers with no plan variant (so exactly SPEC §4's)."""
    where = Scope.parse(scope)
    return {n.indicator.code: (n.numerator, n.denominator)
            for n in (engine.numbers(where, d, i, i.default) for i in INDICATORS)}


def everything(engine) -> dict:
    return {(scope, d): numbers(engine, scope, d) for scope in SCOPES for d in DATES}


def check_by_hand(engine) -> None:
    for (scope, d), expected in EXPECTED.items():
        got = numbers(engine, scope, d)
        assert {code: got[code] for code in expected} == expected, (scope, d)


def test_the_oracle_and_the_engine_agree_on_the_recorded_stream_and_on_the_hand_worked_numbers():
    records = [Record.from_fact(decode(e)) for e in recorded()]
    engine = Engine()
    engine.apply(records)
    check_by_hand(engine)
    world = oracle.World(records)
    for scope in SCOPES:
        for d in DATES:
            expected = oracle.evaluate(world, Scope.parse(scope), d)
            assert numbers(engine, scope, d) == {
                code: (o.numerator_count, o.denominator_count) for code, o in expected.items()}, (scope, d)


@pytest.fixture
def settings(kafka, tmp_path):
    return settings_for(IndicatorsSettings, kafka, tmp_path, values_refresh_seconds=0.2)


@pytest.mark.broker
async def test_the_stream_replayed_through_the_service_gives_the_hand_worked_numbers(kafka, settings):
    events = recorded()
    topics = {"registry": "registry.events", "training": "training.events", "mentoring": "mentoring.events",
              "indicators": "indicators.events"}
    await create(settings, topics)
    await publish(kafka[0], events, topics)
    app = build(settings)
    async with running(app) as client:
        read_model = app.state.read_model
        await caught_up(read_model, events)
        check_by_hand(read_model.engine)
        answer = await client.get("/api/v1/indicators", params={"scope": "municipality:rec-mun-a",
                                                                 "as_of": "2024-12-31"}, headers=auth())
        assert answer.status_code == 200, answer.text
        rows = {r["code"]: r for r in answer.json()["indicators"]}
        assert {code: (rows[code]["numerator"], rows[code]["denominator"]) for code in MUN_A_D1} == MUN_A_D1
        assert (rows["training_coverage"]["value"], rows["training_coverage"]["target"],
                rows["training_coverage"]["status"]) == (0.4667, 0.45, "met")  # target_set replaced 0.5
        assert (rows["category_share"]["value"], rows["category_share"]["status"]) == (0.2, "behind")
        assert (rows["teacher_readiness"]["value"], rows["teacher_readiness"]["reported"],
                rows["teacher_readiness"]["method"]) == (0.8, True, "survey")
        async def refreshed():  # the yearly values are refreshed periodically: wait for one after the last event
            rows = {(v.indicator, v.year): v for v in await read_model.store.values("municipality:rec-mun-a")}
            row = rows.get(("training_coverage", 2024))
            return rows if row is not None and row.denominator else None
        by_key = await eventually(refreshed, timeout=20)
        assert (by_key[("training_coverage", 2024)].numerator, by_key[("training_coverage", 2024)].denominator,
                by_key[("training_coverage", 2024)].target) == (14, 30, 0.45)
        metrics = (await client.get("/metrics")).text
        assert 'pedgrowth_indicator_value{indicator="staffing_ratio",scope="municipality:rec-mun-a"}' in metrics
        assert "pedgrowth_projection_events_total" in metrics


@pytest.mark.broker
async def test_shuffled_across_topics_with_duplicates_gives_identical_answers_and_so_does_a_rebuild(
        kafka, settings, tmp_path):
    events = recorded()
    ordered_topics, shuffled_topics = unique_topics(), unique_topics()
    await create(settings, ordered_topics)
    await create(settings, shuffled_topics)
    await publish(kafka[0], events, ordered_topics)
    await publish(kafka[0], shuffled_with_duplicates(events, seed=7), shuffled_topics)

    ordered = ReadModel(SqliteStore(tmp_path / "ordered.sqlite"))
    async with projecting(ordered, kafka[0], ordered_topics):
        await caught_up(ordered, events)
    live = ReadModel(SqliteStore(tmp_path / "shuffled.sqlite"))
    async with projecting(live, kafka[0], shuffled_topics):
        await caught_up(live, events)
        check_by_hand(live.engine)
        assert everything(live.engine) == everything(ordered.engine)
        assert await live.store.count() == len(events)

        rebuilt_settings = settings.model_copy(update={"read_model_url": f"sqlite:///{tmp_path / 'shuffled.sqlite'}"})
        progress = io.StringIO()
        done = await rebuild(rebuilt_settings, topics=tuple(shuffled_topics.values()), out=progress)
        assert (done.read, done.stored) == (len(events) + len(events) // 5, len(events))
        lines = progress.getvalue().splitlines()
        assert f"{done.read}/" in lines[-2] and "sums" in lines[-1]
        await eventually(lambda: live.generation is not None and live.loaded.is_set()
                         and live.engine.version == len(events) and live.store.location.endswith("shuffled.sqlite"))

    again = ReadModel(SqliteStore(tmp_path / "shuffled.sqlite"))
    await again.load()
    assert everything(again.engine) == everything(ordered.engine)
    await again.store.close()


@pytest.mark.broker
async def test_access_to_indicators_members_and_the_report(kafka, settings):
    events = recorded()
    topics = {"registry": "registry.events", "training": "training.events", "mentoring": "mentoring.events",
              "indicators": "indicators.events"}
    await create(settings, topics)
    await publish(kafka[0], events, topics)
    app = build(settings)
    async with running(app) as client:
        await caught_up(app.state.read_model, events)
        params = {"scope": "municipality:rec-mun-a", "as_of": "2024-12-31"}
        assert (await client.get("/api/v1/indicators", params=params)).status_code == 401
        operator_b = auth(Role.MUNICIPAL_OPERATOR, municipality_id="rec-mun-b")
        assert (await client.get("/api/v1/indicators", params=params, headers=operator_b)).status_code == 403
        school = auth(Role.SCHOOL_SYSTEM, org_id="rec-a1")
        assert (await client.get("/api/v1/indicators", params=params, headers=school)).status_code == 403
        own = {"scope": "organization:rec-a1", "as_of": "2024-12-31"}
        assert (await client.get("/api/v1/indicators", params=own, headers=school)).status_code == 200
        analyst = auth(Role.REGIONAL_ANALYST, region_id="rec-reg")
        assert (await client.get("/api/v1/indicators", params=params, headers=analyst)).status_code == 200
        members_url = "/api/v1/indicators/young_mentoring_coverage/members"
        assert (await client.get(members_url, params=params, headers=analyst)).status_code == 403
        operator_a = auth(Role.MUNICIPAL_OPERATOR, municipality_id="rec-mun-a")
        members = (await client.get(members_url, params=params, headers=operator_a)).json()
        assert members["numerator"] == ["rec-a1-y1", "rec-a2-y1"]
        assert members["denominator"] == ["rec-a-x5", "rec-a1-y1", "rec-a1-y3", "rec-a2-y1", "rec-a2-y3"]
        assert (await client.get("/api/v1/indicators", params={"scope": "district:x"},
                                 headers=auth())).status_code == 422

        # 2022-12-31: only k=2's retraining (2022-06-01) is within W3; STAFF = 20 + y1, y2 of both schools
        # + rec-a-d1, -x1, -x2, -x3, -x4 = 29
        series = (await client.get("/api/v1/indicators/training_coverage",
                                   params={"scope": "municipality:rec-mun-a", "from_year": 2022, "to_year": 2024},
                                   headers=analyst)).json()["series"]
        assert [(p["year"], p["numerator"], p["denominator"], p["target"]) for p in series] == [
            (2022, 2, 29, None), (2023, 12, 31, 0.6), (2024, 14, 30, 0.45)]
        assert (await client.get("/api/v1/indicators/nonsense", params=params, headers=auth())).status_code == 404

        api = {r["code"]: r for r in (await client.get("/api/v1/indicators", params=params,
                                                        headers=operator_a)).json()["indicators"]}
        xlsx = await client.get("/api/v1/reports/monitoring", headers=operator_a,
                                params={"municipality": "rec-mun-a", "year": 2024, "format": "xlsx"})
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        lines = list(sheet.iter_rows(values_only=True))
        header = lines[1]
        report = {line[1]: dict(zip(header, line, strict=True)) for line in lines[2:]}
        assert set(report) == {row["name"] for row in api.values()}
        for row in api.values():
            shown = report[row["name"]]
            assert (shown["Значение"], shown["Числитель"], shown["Знаменатель"], shown["Целевое значение"],
                    shown["Статус"]) == (row["value"], row["numerator"], row["denominator"], row["target"],
                                         STATUS_TEXT[row["status"]])
        assert (await client.get("/api/v1/indicators", params=params, headers=operator_a)).status_code == 200
        assert (await client.get("/api/v1/indicators", params=params, headers=operator_b)).status_code == 403
        assert (await client.get("/api/v1/indicators", params=params, headers=school)).status_code == 403
        assert (await client.get("/api/v1/indicators", params=params)).status_code == 401
        csv = await client.get("/api/v1/reports/monitoring", headers=operator_a,
                               params={"municipality": "rec-mun-a", "year": 2024, "format": "csv"})
        assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
        assert csv.text.lstrip("\ufeff").splitlines()[1].startswith("№;Показатель;")
        unknown = await client.get("/api/v1/reports/monitoring", headers=auth(),
                                   params={"municipality": "atlantis", "year": 2024})
        assert unknown.status_code == 404 and "atlantis" in unknown.text
        future = await client.get("/api/v1/reports/monitoring", headers=operator_a,
                                  params={"municipality": "rec-mun-a", "year": 2099})
        assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["query", "year"]
        assert (await client.get("/api/v1/reports/monitoring", headers=operator_b,
                                 params={"municipality": "rec-mun-a", "year": 2024})).status_code == 403
