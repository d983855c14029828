"""The scope holes of issue 14, replayed: each is a 403 (or a refused row) now. Rules: docs/architecture.md, "Access"."""

from __future__ import annotations

import pytest

from tests.mentoring.unit.helpers import attended, joined, mentor, pair
from tests.security.world import (
    ADMIN, ANALYST_1, OPERATOR_1, SCHOOL_1, SCHOOL_9, end, feed, hire, mentoring, post, registry, training,
)
from tests.training import facts
from tests.training.tables import csv_bytes

# --- H1: training accepted person facts from any writer ---------------------------------------------------

PERSON_FACTS = {
    "course_completed": lambda p, on="2023-11-24": facts.course(person_id=p, completed_on=on),
    "attestation_passed": lambda p, on="2022-12-20": facts.attestation(person_id=p, decided_on=on),
    "diagnostics_completed": lambda p, on="2023-10-02": facts.diagnostics(person_id=p, completed_on=on),
    "competition_participated": lambda p, on="2024-02-15": facts.competition(person_id=p, participated_on=on),
    "route_started": lambda p, on="2023-10-10": facts.route_started(person_id=p, started_on=on),
    "independent_assessment_passed": lambda p, on="2023-04-11": facts.assessment(person_id=p, passed_on=on),
}


@pytest.mark.parametrize("kind", sorted(PERSON_FACTS))
async def test_h1_a_school_may_not_state_training_facts_about_another_regions_person(kind, tmp_path):
    async with training(tmp_path) as client:
        refused = await post(client, PERSON_FACTS[kind]("p-9"), SCHOOL_1)
        own = await post(client, PERSON_FACTS[kind]("p-1"), SCHOOL_1)
        record = await client.get("/api/v1/persons/p-9/transcript", headers=ADMIN)
    assert refused.status_code == 403, refused.text
    assert "data.person_id" in refused.json()["detail"]
    assert own.status_code == 202, own.text
    assert record.status_code == 404, "nothing was recorded about p-9"


async def test_h1_a_person_training_never_heard_of_is_no_schools_to_write_about(tmp_path):
    async with training(tmp_path) as client:
        response = await post(client, facts.course(person_id="p-unknown"), SCHOOL_1)
        admin = await post(client, facts.course(person_id="p-unknown"), ADMIN)
    assert response.status_code == 403
    assert admin.status_code == 202, "admins write for anyone (the registry may not have published the hire yet)"


async def test_h1_a_former_school_writes_about_the_time_the_person_worked_there_only(tmp_path):
    async with training(tmp_path) as client:  # p-gone left sch-1 on 2024-01-01
        then = await post(client, facts.course(person_id="p-gone", completed_on="2023-06-01"), SCHOOL_1)
        after = await post(client, facts.course(person_id="p-gone", completed_on="2024-03-01"), SCHOOL_1)
    assert then.status_code == 202, then.text
    assert after.status_code == 403


async def test_h1_a_new_school_writes_about_its_hire_also_for_days_before_the_hire(tmp_path):
    async with training(tmp_path) as client:
        feed(client, hire("p-gone", "sch-9", on="2024-09-01"))
        earlier = await post(client, facts.course(person_id="p-gone", completed_on="2020-06-01"), SCHOOL_9)
    assert earlier.status_code == 202, "employed now: a certificate brought from the previous job is recorded"


COURSE_HEADERS = ["Идентификатор педагога", "Код программы", "Дата окончания"]
ATTESTATION_HEADERS = ["Идентификатор педагога", "Категория", "Дата решения"]


@pytest.mark.parametrize("kind, rows", [
    ("course-completions", [COURSE_HEADERS, ["p-1", "prog-1", "24.11.2023"], ["p-9", "prog-1", "24.11.2023"]]),
    ("attestations", [ATTESTATION_HEADERS, ["p-1", "высшая", "20.12.2022"], ["p-9", "первая", "20.12.2022"]]),
])
async def test_h1_an_operator_imports_rows_of_its_municipalitys_staff_only(kind, rows, tmp_path):
    async with training(tmp_path) as client:
        response = await client.post(f"/api/v1/imports/{kind}", files={"file": ("list.csv", csv_bytes(rows))},
                                     headers=OPERATOR_1)
        record = await client.get("/api/v1/persons/p-9/transcript", headers=ADMIN)
    report = response.json()
    assert response.status_code == 200, response.text
    assert (report["accepted"], report["rejected"]) == (1, 1)
    refused = report["results"][1]
    assert (refused["person_id"], refused["reason_code"], refused["field"]) == ("p-9", "forbidden", "data.person_id")
    assert record.status_code == 404


# --- H2: any school could claim any person ----------------------------------------------------------------

def non_pedagogical(person_id: str, org_id: str, on: str = "2024-09-02"):
    return hire(person_id, org_id, on=on, position="non_pedagogical")


async def test_h2_a_school_may_not_claim_a_person_employed_at_another_school(tmp_path):
    async with registry(tmp_path) as client:
        claim = await post(client, non_pedagogical("p-9", "sch-1"), SCHOOL_1)
        person = await client.get("/api/v1/people/p-9", headers=SCHOOL_1)
        other_operator = await post(client, non_pedagogical("p-9", "sch-1"), OPERATOR_1)
    assert claim.status_code == 403, claim.text
    assert "data.person_id" in claim.json()["detail"] and "sch-9" in claim.json()["detail"]
    assert person.status_code == 403
    assert "Педагог" not in person.text
    assert other_operator.status_code == 403, "mun-1's operator does not cover sch-9 either"


async def test_h2_a_transfer_is_an_end_by_the_old_school_then_a_start(tmp_path):
    async with registry(tmp_path) as client:
        ended = await post(client, end("p-9", "sch-9", "2024-08-31"), SCHOOL_9)
        hired = await post(client, hire("p-9", "sch-1", on="2024-09-02"), SCHOOL_1)
        person = await client.get("/api/v1/people/p-9", headers=SCHOOL_1)
        old_school = await client.get("/api/v1/people/p-9", headers=SCHOOL_9)
    assert (ended.status_code, hired.status_code) == (202, 202), hired.text
    assert [e["org_id"] for e in person.json()["employments"]] == ["sch-1"], "the old school's part is not shown"
    assert old_school.status_code == 403, "reads follow current employment"


async def test_h2_the_municipality_moves_its_staff_between_its_schools(tmp_path):
    async with registry(tmp_path) as client:  # p-2 works at sch-2, both schools in mun-1
        by_school = await post(client, hire("p-2", "sch-1", on="2024-09-02"), SCHOOL_1)
        by_operator = await post(client, hire("p-2", "sch-1", on="2024-09-02"), OPERATOR_1)
    assert by_school.status_code == 403
    assert by_operator.status_code == 202, by_operator.text


async def test_h2_a_person_never_employed_anywhere_may_be_hired_by_any_school(tmp_path):
    async with registry(tmp_path) as client:
        response = await post(client, hire("p-new", "sch-9", on="2024-09-02"), SCHOOL_9)
    assert response.status_code == 202, response.text


async def test_h2_a_staff_import_claims_no_one_employed_elsewhere(tmp_path):
    content = ("Идентификатор;ФИО;Должность;Дата приёма;Педагогический стаж с\n"
               "p-9;Захватчик Иван;учитель;02.09.2024;01.09.2015\n"
               "p-new;Новенькая Анна;учитель;02.09.2024;01.09.2024\n").encode()
    async with registry(tmp_path) as client:
        response = await client.post("/api/v1/organisations/sch-1/staff/import", headers=SCHOOL_1,
                                     files={"file": ("staff.csv", content, "text/csv")})
        person = await client.get("/api/v1/people/p-9", headers=ADMIN)
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert [(r["person_id"], r["status"], r.get("reason_code")) for r in rows] == [
        ("p-9", "rejected", "forbidden"), ("p-new", "accepted", None)]
    assert person.json()["full_name"] == "Педагог p-9", "the refused row changed nothing"
    assert [e["org_id"] for e in person.json()["employments"]] == ["sch-9"]


async def test_h2_reads_follow_current_employment_after_an_end_the_same_day(tmp_path):
    hired, ended = non_pedagogical("p-new", "sch-1"), end("p-new", "sch-1", "2024-09-02")
    async with registry(tmp_path) as client:
        assert (await post(client, hired, SCHOOL_1)).status_code == 202
        during = await client.get("/api/v1/people/p-new", headers=SCHOOL_1)
        assert (await post(client, ended, SCHOOL_1)).status_code == 202
        after = await client.get("/api/v1/people/p-new", headers=SCHOOL_1)
    assert (during.status_code, after.status_code) == (200, 403)
    async with training(tmp_path / "t") as client:
        feed(client, hired)
        await post(client, facts.course(person_id="p-new", completed_on="2024-09-02"), ADMIN)
        during = await client.get("/api/v1/persons/p-new/transcript", headers=SCHOOL_1)
        feed(client, ended)
        after = await client.get("/api/v1/persons/p-new/transcript", headers=SCHOOL_1)
    assert (during.status_code, after.status_code) == (200, 403)
    async with mentoring(tmp_path / "m") as client:
        feed(client, hired)
        await post(client, joined("p-new", "mo-1", "2024-09-02"), ADMIN)
        during = await client.get("/api/v1/persons/p-new/mentoring", headers=SCHOOL_1)
        feed(client, ended)
        after = await client.get("/api/v1/persons/p-new/mentoring", headers=SCHOOL_1)
    assert (during.status_code, after.status_code) == (200, 403)


async def test_h2_a_former_employer_no_longer_reads_the_persons_records(tmp_path):
    async with training(tmp_path) as client:  # p-gone left sch-1 on 2024-01-01
        await post(client, facts.course(person_id="p-gone", completed_on="2023-06-01"), ADMIN)
        transcript = await client.get("/api/v1/persons/p-gone/transcript", headers=SCHOOL_1)
        staff_of_then = await client.get("/api/v1/reports/providers", params={"year": 2023}, headers=SCHOOL_1)
    assert transcript.status_code == 403
    assert [r["completions"] for r in staff_of_then.json()["rows"]] == [1], "its counts of the past stay"
    async with mentoring(tmp_path / "m") as client:
        await post(client, joined("p-gone", "mo-1", "2022-09-01"), ADMIN)
        history = await client.get("/api/v1/persons/p-gone/mentoring", headers=SCHOOL_1)
        then = await client.get("/api/v1/communities/mo-1", params={"as_of": "2023-01-01"}, headers=SCHOOL_1)
    assert history.status_code == 403
    assert [m["person_id"] for m in then.json()["members"]] == ["p-gone"], "the list of a past day follows that day"


# --- H3: regional analysts read aggregates only, in every service ---------------------------------------------

MENTORING_PERSON_ROUTES = ["/api/v1/mentee-base?scope=region:reg-1", "/api/v1/mentee-base.xlsx?scope=region:reg-1",
                           "/api/v1/mentor-base?scope=region:reg-1", "/api/v1/mentor-base.xlsx?scope=region:reg-1",
                           "/api/v1/mentee-base", "/api/v1/persons/p-1/mentoring", "/api/v1/communities/mo-1",
                           "/api/v1/support-events/sem-1/attendance"]


async def test_h3_an_analyst_gets_no_person_lists_or_records_from_mentoring(tmp_path):
    async with mentoring(tmp_path) as client:
        for data in (mentor("m-1", "p-2"), pair("pair-1", "m-1", "p-1"), joined("p-1", "mo-1", "2024-01-10"),
                     attended("p-1", "sem-1", "2024-03-01")):
            assert (await post(client, data, ADMIN)).status_code == 202
        answers = {path: (await client.get(path, headers=ANALYST_1)).status_code for path in MENTORING_PERSON_ROUTES}
        communities = await client.get("/api/v1/communities", params={"as_of": "2024-12-31"}, headers=ANALYST_1)
        events = await client.get("/api/v1/support-events", headers=ANALYST_1)
        operator = await client.get("/api/v1/communities/mo-1", params={"as_of": "2024-12-31"}, headers=OPERATOR_1)
    assert answers == dict.fromkeys(MENTORING_PERSON_ROUTES, 403)
    assert [c["members"] for c in communities.json()["communities"]] == [1], "counts stay: they are aggregates"
    assert [e["attendees"] for e in events.json()["support_events"]] == [1]
    assert [m["person_id"] for m in operator.json()["members"]] == ["p-1"]


async def test_h3_an_analyst_gets_no_person_lists_or_records_from_the_registry_or_training(tmp_path):
    registry_routes = ["/api/v1/organisations/sch-1/staff", "/api/v1/organisations/sch-1/staff.xlsx",
                       "/api/v1/municipalities/mun-1/reserve", "/api/v1/municipalities/mun-1/reserve.xlsx",
                       "/api/v1/people/p-1"]
    async with registry(tmp_path) as client:
        answers = {path: (await client.get(path, headers=ANALYST_1)).status_code for path in registry_routes}
        aggregate = await client.get("/api/v1/municipalities/mun-1/vacancies", headers=ANALYST_1)
    assert answers == dict.fromkeys(registry_routes, 403)
    assert aggregate.status_code == 200
    training_routes = ["/api/v1/persons/p-1/transcript", "/api/v1/categories/expiring?scope=region:reg-1"]
    async with training(tmp_path / "t") as client:
        answers = {path: (await client.get(path, headers=ANALYST_1)).status_code for path in training_routes}
        aggregate = await client.get("/api/v1/reports/providers", params={"scope": "municipality:mun-1"},
                                     headers=ANALYST_1)
    assert answers == dict.fromkeys(training_routes, 403)
    assert aggregate.status_code == 200


# --- pair_assigned checked only the mentee -----------------------------------------------------------------

async def test_a_school_may_not_pair_its_teacher_with_another_municipalitys_mentor(tmp_path):
    async with mentoring(tmp_path) as client:
        assert (await post(client, mentor("m-3", "p-3"), ADMIN)).status_code == 202  # p-3 works in mun-2
        assert (await post(client, mentor("m-ext", None, "ООО «Завод»"), SCHOOL_1)).status_code == 202
        foreign = await post(client, pair("pair-1", "m-3", "p-1"), SCHOOL_1)
        enterprise = await post(client, pair("pair-2", "m-ext", "p-1"), SCHOOL_1)
        foreign_mentor = await post(client, mentor("m-9", "p-9"), SCHOOL_1)
    assert foreign.status_code == 403
    assert "data.mentor_id" in foreign.json()["detail"]
    assert enterprise.status_code == 202, "an enterprise mentor is no one's staff: checked on the mentee"
    assert foreign_mentor.status_code == 403


async def test_h3_an_analyst_gets_no_members_from_indicators(tmp_path):
    from pedgrowth.indicators.bootstrap import build
    from pedgrowth.indicators.config import IndicatorsSettings
    from tests.security.world import client_of
    from tests.support.services import SECRET

    api = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET))
    async with client_of(api) as client:  # no lifespan: the role alone decides, before the read model is asked
        response = await client.get("/api/v1/indicators/training_coverage/members",
                                    params={"scope": "region:reg-1"}, headers=ANALYST_1)
    assert response.status_code == 403
    assert "aggregates only" in response.json()["detail"]


# --- the import routes: who may upload at all (each row is then checked like a posted event) ------------------

@pytest.mark.parametrize("service, path, who", [
    ("registry", "/api/v1/organisations/sch-1/staff/import", ANALYST_1),
    ("registry", "/api/v1/organisations/sch-9/staff/import", SCHOOL_1),
    ("registry", "/api/v1/organisations/sch-9/staff/import", OPERATOR_1),
    ("training", "/api/v1/imports/course-completions", ANALYST_1),
    ("training", "/api/v1/imports/attestations", SCHOOL_1),
    ("mentoring", "/api/v1/imports/attendance", ANALYST_1),
    ("mentoring", "/api/v1/imports/pairs", ANALYST_1),
])
async def test_an_import_is_refused_as_a_whole_to_callers_who_may_not_write_there(service, path, who, tmp_path):
    world = {"registry": registry, "training": training, "mentoring": mentoring}[service]
    async with world(tmp_path) as client:
        response = await client.post(path, headers=who, files={"file": ("list.csv", b"x;y\n1;2\n", "text/csv")})
    assert response.status_code == 403, response.text
