"""The scope holes of issue 14, replayed: each is a 403 (or a refused row) now. Rules: docs/architecture.md, "Access"."""

from __future__ import annotations

import pytest

from tests.security.world import (
    ADMIN, OPERATOR_1, SCHOOL_1, SCHOOL_9, feed, hire, post, training,
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
