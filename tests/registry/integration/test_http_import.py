"""Importing an XLSX staff list over HTTP, twice, and exporting staff and reserve as XLSX."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from pedgrowth.kit.auth import Role
from tests.registry.builders import enrol, org
from tests.support.services import auth, cloud_event

SCHOOL_1 = auth(Role.SCHOOL_SYSTEM, org_id="sch-1")
OPERATOR_1 = auth(Role.MUNICIPAL_OPERATOR, municipality_id="mun-1")
HEADERS = ["Идентификатор", "ФИО", "Должность", "Дата приёма", "Педагогический стаж с", "Дата рождения",
           "Предметы", "Образование по профилю", "Телефон"]
ROWS = [
    ["p-1", "Иванова Мария Петровна", "Учитель", date(2021, 9, 1), date(2021, 9, 1), date(1998, 4, 12),
     "математика; информатика", "да", "+7 900 000-00-01"],
    ["p-2", "Петров Иван Сергеевич", "Директор", "15.08.2015", "01.09.2001", None, None, "нет", None],
    ["p-3", "Сидорова Анна", "Космонавт", date(2020, 9, 1), date(2020, 9, 1), None, None, None, None],
    ["p-4", "Кузнецов Пётр", "Учитель", date(2022, 9, 1), date(2023, 9, 1), None, "физика", "да", None],
    ["p-5", "Смирнова Ольга", "Педагог-психолог", "вчера", date(2019, 9, 1), None, None, None, None],
    ["p-6", "Волков Денис", "Учитель", date(2020, 9, 1), date(2018, 9, 1), None, "история", "может быть", None],
]


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
async def school(client):
    await client.post("/api/v1/organisations", json=org("sch-1").model_dump(mode="json"), headers=OPERATOR_1)
    return client


async def upload(client, content: bytes, **params):
    files = {"file": ("кадры.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    return await client.post("/api/v1/organisations/sch-1/staff/import", files=files, params=params,
                              headers=SCHOOL_1)


async def test_an_xlsx_with_russian_headers_imports_with_a_report_per_row(school):
    response = await upload(school, workbook(ROWS))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["accepted"], report["rejected"]) == (2, 4)
    outcomes = {r["row"]: (r["status"], r.get("column")) for r in report["rows"]}
    assert outcomes == {2: ("accepted", None), 3: ("accepted", None), 4: ("rejected", "Должность"),
                        5: ("rejected", "Педагогический стаж с"), 6: ("rejected", "Дата приёма"),
                        7: ("rejected", "Образование по профилю")}
    assert "Космонавт" in report["rows"][2]["reason"]


async def test_importing_the_same_xlsx_twice_records_nothing_new(school, registry_app):
    store = registry_app.state.service.app
    await upload(school, workbook(ROWS))
    head = store.recorder.max_notification_id()
    report = (await upload(school, workbook(ROWS))).json()
    assert (report["accepted"], report["unchanged"], report["rejected"]) == (0, 2, 4)
    assert store.recorder.max_notification_id() == head


async def test_people_missing_from_a_reimport_are_ended_only_with_the_flag(school):
    await upload(school, workbook(ROWS[:2]))
    listed = (await upload(school, workbook(ROWS[:1]))).json()
    assert [m["person_id"] for m in listed["missing"]] == ["p-2"] and listed["ended"] == []
    ended = (await upload(school, workbook(ROWS[:1]), end_missing="true", ended_on="2024-08-31",
                          end_reason="retirement")).json()
    assert [e["person_id"] for e in ended["ended"]] == ["p-2"]
    staff = (await school.get("/api/v1/organisations/sch-1/staff", headers=SCHOOL_1)).json()["staff"]
    assert [s["person_id"] for s in staff] == ["p-1"]


async def test_a_file_that_is_not_a_table_is_a_422_naming_the_file(school):
    response = await upload(school, b"PK\x03\x04 not really a workbook")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


async def test_the_staff_list_exports_as_xlsx_with_names(school):
    await upload(school, workbook(ROWS))
    response = await school.get("/api/v1/organisations/sch-1/staff.xlsx?as_of=2024-01-01", headers=SCHOOL_1)
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Идентификатор", "ФИО", "Должность", "Дата приёма", "Педагогический стаж с")
    assert [r[1] for r in rows[1:]] == ["Иванова Мария Петровна", "Петров Иван Сергеевич"]


async def test_the_reserve_exports_as_xlsx(school):
    await upload(school, workbook(ROWS[1:2]))
    await school.post("/api/v1/events", json=cloud_event(enrol("p-2", "mun-1", "2023-03-01")), headers=OPERATOR_1)
    response = await school.get("/api/v1/municipalities/mun-1/reserve.xlsx", headers=OPERATOR_1)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("p-2", "Петров Иван Сергеевич")
    assert rows[1][4] == "Директор"
