"""Importing expert roles, project participants and speakers; the curator and participant bases as XLSX."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from pedgrowth.kit.auth import Role
from pedgrowth.kit.tables import TableError
from pedgrowth.mentoring.domain.person import person_key
from pedgrowth.mentoring.imports import (ATTENDANCE, EXPERT_ROLES_ENDED, EXPERT_ROLES_STARTED, PROJECT_LEAVERS,
                                         PROJECT_PARTICIPANTS, parse)
from tests.support.services import auth
from tests.training.tables import xlsx_bytes as xlsx

from .helpers import appointed, enrolled, new_app, released, unenrolled
from .test_http import OPERATOR, client, event  # noqa: F401 - the fixture
from .test_imports import outcomes, run


ROLES = ["ФИО", "Код педагога", "Код роли", "Вид экспертной деятельности", "Уровень", "Дата начала"]


def test_expert_roles_with_russian_names_are_imported_idempotently_and_names_stay_in_the_file():
    app = new_app()
    content = xlsx([ROLES,
                    ["Иванова А. П.", "p-2", "att-2024", "Аттестационная комиссия", "муниципальный", date(2024, 1, 10)],
                    ["Петров П. П.", "p-3", "jury-2024", "член жюри", "региональный", "15.02.2024"],
                    ["Сидорова", "p-4", "ege-2024", "эксперт ЕГЭ", "Federal", "2024-05-20"]])
    report = run(app, EXPERT_ROLES_STARTED, content, "roles.xlsx")
    assert outcomes(report) == ["accepted", "accepted", "accepted"]
    assert [app.get_or_none(person_key(p)).expert_roles[0]["role"] for p in ("p-2", "p-3", "p-4")] == [
        "attestation_commission", "competition_jury", "exam_expert"]
    assert (run(app, EXPERT_ROLES_STARTED, content, "roles.xlsx")["duplicate"]) == 3
    stored = b"".join(n.state for n in app.recorder.select_notifications(1, 1000))
    assert "Иванова".encode() not in stored


def test_an_unknown_level_is_reported_with_its_russian_column():
    content = xlsx([ROLES, ["", "p-2", "att-2024", "аттестационная комиссия", "областной", "10.01.2024"]])
    row = run(new_app(), EXPERT_ROLES_STARTED, content, "roles.xlsx")["rows"][0]
    assert (row["outcome"], row["field"]) == ("rejected", "Уровень")
    assert "областной" in row["reason"]


def test_ends_of_expert_roles_are_imported_and_the_rules_report_their_rows():
    app = new_app()
    run(app, EXPERT_ROLES_STARTED, xlsx([ROLES, ["", "p-2", "att-2024", "аттестационная комиссия", "муниципальный",
                                                 "10.01.2024"]]), "roles.xlsx")
    ends = xlsx([["Код педагога", "Код роли", "Дата окончания"], ["p-2", "att-2024", "09.01.2024"],
                 ["p-2", "att-2024", "31.12.2024"], ["p-3", "att-2024", "31.12.2024"]])
    report = run(app, EXPERT_ROLES_ENDED, ends, "ends.xlsx")
    assert outcomes(report) == ["rejected", "accepted", "waiting"]  # p-3's role may still arrive
    assert [r.get("field") for r in report["rows"]] == ["Дата окончания", None, None]
    assert (report["accepted"], report["waiting"], report["rejected"]) == (1, 1, 1)


def test_project_participants_are_enrolled_and_leave_with_a_russian_outcome():
    app = new_app()
    enrol = xlsx([["Код педагога", "Код проекта", "Название проекта", "Дата включения"],
                  ["p-1", "start-2024", "Стартуем вместе", "15.09.2024"],
                  ["p-3", "start-2024", "Стартуем вместе", "15.09.2024"]])
    assert outcomes(run(app, PROJECT_PARTICIPANTS, enrol, "cohort.xlsx")) == ["accepted", "accepted"]
    leave = xlsx([["Код педагога", "Код проекта", "Дата выхода", "Итог"],
                  ["p-1", "start-2024", "31.05.2025", "завершил"], ["p-3", "start-2024", "01.02.2025", "выбыл"],
                  ["p-5", "start-2024", "01.02.2025", "выбыл"]])
    report = run(app, PROJECT_LEAVERS, leave, "left.xlsx")
    assert outcomes(report) == ["accepted", "accepted", "waiting"]  # p-5's enrolment may still arrive
    assert [s["outcome"] for p in ("p-1", "p-3") for s in app.get_or_none(person_key(p)).projects] == [
        "completed", "withdrawn"]


def test_a_project_file_without_the_project_column_is_refused_naming_it():
    with pytest.raises(TableError, match="«Код проекта»"):
        parse(PROJECT_PARTICIPANTS, xlsx([["Код педагога", "Дата включения"], ["p-1", "15.09.2024"]]), "x.xlsx")


def test_an_attendance_list_may_name_speakers():
    app = new_app()
    content = ("Код педагога;Код мероприятия;Название мероприятия;Вид мероприятия;Дата посещения;Форма участия\n"
               "p-1;conf-1;Педагогические чтения;конференция;27.08.2024;выступающий\n"
               "p-2;conf-1;Педагогические чтения;конференция;27.08.2024;\n").encode()
    assert outcomes(run(app, ATTENDANCE, content)) == ["accepted", "accepted"]
    assert app.query(lambda rm: [(a["person_id"], a["role"]) for a in rm.attendance("conf-1")]) == [
        ("p-1", "speaker"), ("p-2", "participant")]


async def test_the_curator_base_lists_every_school_with_its_curator_on_the_day(client):
    for data in (appointed("sch-1", "p-2", on="2021-09-01"), released("sch-1", "p-2", on="2024-08-31"),
                 appointed("sch-1", "p-1", on="2024-09-01"), appointed("sch-9", "p-9", on="2024-09-01")):
        assert (await client.post("/api/v1/events", json=event(data), headers=auth())).status_code == 202
    answer = (await client.get("/api/v1/curator-base?as_of=2024-12-31", headers=auth(**OPERATOR))).json()
    assert [(r["org_id"], r["curator_person_id"], r["curator_works_here"]) for r in answer["curators"]] == [
        ("sch-1", "p-1", True), ("sch-2", None, False)]
    assert [t["person_id"] for t in answer["curators"][0]["past_curators"]] == ["p-2"]
    earlier = (await client.get("/api/v1/curator-base?as_of=2023-01-01", headers=auth(**OPERATOR))).json()
    assert earlier["curators"][0]["curator_person_id"] == "p-2"
    book = await client.get("/api/v1/curator-base.xlsx?as_of=2024-12-31", headers=auth(**OPERATOR))
    sheet = load_workbook(io.BytesIO(book.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("Код ОО", "Организация", "Куратор наставничества (код педагога)")
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [("sch-1", "p-1", "да"), ("sch-2", "нет", None)]
    assert "p-2 (01.09.2021–31.08.2024)" in rows[1][5]


async def test_the_project_participants_base_shows_each_participation_and_its_state(client):
    for data in (enrolled("p-1", on="2023-09-15"), unenrolled("p-1", on="2024-06-30", outcome="completed"),
                 enrolled("p-3", project="acad", name="Академия молодого педагога", on="2024-10-01"),
                 enrolled("p-9", on="2024-10-01")):
        assert (await client.post("/api/v1/events", json=event(data), headers=auth())).status_code == 202
    answer = (await client.get("/api/v1/project-participants?as_of=2024-12-31", headers=auth(**OPERATOR))).json()
    assert [(r["person_id"], r["project_id"], r["active"], r["outcome"]) for r in answer["participants"]] == [
        ("p-3", "acad", True, None), ("p-1", "proj-1", False, "completed")]
    only = (await client.get("/api/v1/project-participants?as_of=2024-12-31&project_id=acad",
                             headers=auth(**OPERATOR))).json()
    assert [r["person_id"] for r in only["participants"]] == ["p-3"]
    book = await client.get("/api/v1/project-participants.xlsx?as_of=2024-01-01", headers=auth(**OPERATOR))
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[4], r[7]) for r in rows] == [("p-1", "Стартуем вместе", "участвует")]
    analyst = await client.get("/api/v1/project-participants", headers=auth(Role.REGIONAL_ANALYST, region_id="reg-1"))
    assert analyst.status_code == 403


async def test_expert_roles_are_imported_over_http_and_a_row_outside_the_school_is_refused(client):
    content = xlsx([ROLES, ["", "p-1", "jury-1", "жюри конкурса", "муниципальный", "01.10.2024"],
                    ["", "p-9", "jury-1", "жюри конкурса", "муниципальный", "01.10.2024"]])
    response = await client.post("/api/v1/imports/expert-roles", files={"file": ("roles.xlsx", content)},
                                 headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-1"))
    assert response.status_code == 200
    assert [(r["outcome"], r.get("reason_code")) for r in response.json()["rows"]] == [
        ("accepted", None), ("rejected", "forbidden")]
