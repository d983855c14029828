"""The HTTP resources on in-memory persistence (no broker: the lifespan is not started)."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from openpyxl import load_workbook

from pedgrowth.contracts import new_event
from pedgrowth.kit.auth import Role
from pedgrowth.mentoring.bootstrap import build
from pedgrowth.mentoring.config import MentoringSettings
from tests.support.services import SECRET, auth

from .helpers import joined, left, mentor, new_app, pair, pair_end, record, small_town

OPERATOR = {"role": Role.MUNICIPAL_OPERATOR, "municipality_id": "mun-1"}


@pytest.fixture
def client(tmp_path):
    app = new_app()
    record(app, mentor("m-1", person_id="p-2"))
    record(app, pair("pair-1", mentee="p-1", on="2023-09-15"))
    record(app, joined("p-1", "mo-1", on="2024-01-10"))
    record(app, joined("p-9", "mo-1", on="2024-09-10"))
    record(app, joined("p-2", "mo-1", on="2020-01-10"))
    record(app, left("p-2", "mo-1", on="2024-06-30"))
    api = build(MentoringSettings(data_dir=tmp_path, token_secret=SECRET), application=app, directory=small_town())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test")


def event(data) -> dict:
    return new_event(data, source="/school/sch-1/hr", id=str(uuid.uuid4())).model_dump(mode="json", exclude_none=True)


async def test_every_resource_needs_a_token(client):
    assert (await client.get("/api/v1/mentee-base?scope=municipality:mun-1")).status_code == 401


async def test_an_operator_cannot_read_another_municipality(client):
    response = await client.get("/api/v1/mentee-base?scope=municipality:mun-2", headers=auth(**OPERATOR))
    assert response.status_code == 403


async def test_a_school_reads_its_own_mentee_base_by_default(client):
    response = await client.get("/api/v1/mentee-base?as_of=2024-12-31",
                                headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-2"))
    assert response.json()["scope"] == "organization:sch-2"
    assert [r["person_id"] for r in response.json()["mentees"]] == ["p-5"]


async def test_the_mentee_base_downloads_as_a_workbook(client):
    response = await client.get("/api/v1/mentee-base.xlsx?scope=municipality:mun-1&as_of=2024-12-31",
                                headers=auth(**OPERATOR))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["p-1", "p-3", "p-5"]


async def test_a_rule_violation_posted_is_422_naming_the_field(client):
    response = await client.post("/api/v1/events", json=event(pair("pair-2", mentee="p-2")), headers=auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data", "mentee_person_id"]


async def test_a_conflict_posted_is_409(client):
    response = await client.post("/api/v1/events", json=event(mentor("m-1")), headers=auth())
    assert response.status_code == 409


async def test_a_school_cannot_write_about_a_teacher_of_another_school(client):
    response = await client.post("/api/v1/events", json=event(pair("pair-9", mentee="p-9")),
                                 headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-1"))
    assert response.status_code == 403


async def test_a_history_outside_the_callers_scope_is_forbidden(client):
    response = await client.get("/api/v1/persons/p-1/mentoring", headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-9"))
    assert response.status_code == 403


async def test_an_attendance_list_is_imported_through_http(client):
    csv = "Код педагога,Код мероприятия,Название мероприятия,Вид мероприятия,Дата посещения\n" \
          "p-1,sem-1,Профилактика выгорания,профилактика выгорания,01.11.2024\n"
    response = await client.post("/api/v1/imports/attendance", files={"file": ("list.csv", csv.encode())},
                                 headers=auth(**OPERATOR))
    assert response.json()["accepted"] == 1
    listed = await client.get("/api/v1/support-events/sem-1/attendance", headers=auth(**OPERATOR))
    assert listed.json()["attendees"] == [{"person_id": "p-1", "attended_on": "2024-11-01", "role": "participant"}]


async def test_an_analyst_cannot_import(client):
    response = await client.post("/api/v1/imports/attendance", files={"file": ("list.csv", b"x")},
                                 headers=auth(Role.REGIONAL_ANALYST, region_id="reg-1"))
    assert response.status_code == 403


async def test_a_community_lists_its_members_on_the_day_within_the_callers_scope(client):
    response = await client.get("/api/v1/communities/mo-1?as_of=2024-12-31", headers=auth(**OPERATOR))
    assert [m["person_id"] for m in response.json()["members"]] == ["p-1"]


async def test_an_admin_sees_every_member_on_the_day(client):
    response = await client.get("/api/v1/communities/mo-1?as_of=2024-03-01", headers=auth())
    assert [m["person_id"] for m in response.json()["members"]] == ["p-1", "p-2"]


async def test_an_unknown_community_is_404(client):
    assert (await client.get("/api/v1/communities/nope", headers=auth())).status_code == 404


async def test_the_mentor_base_shows_active_mentees_and_forms(client):
    response = await client.get("/api/v1/mentor-base?scope=organization:sch-1&as_of=2024-12-31",
                                headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-1"))
    mentor_row = response.json()["mentors"][0]
    assert (mentor_row["mentor_id"], mentor_row["active_mentees"]) == ("m-1", 1)
    assert mentor_row["active_pairs"][0]["form"] == "teacher_teacher"


async def test_an_admin_must_name_a_scope(client):
    response = await client.get("/api/v1/mentor-base", headers=auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "scope"]


async def test_a_persons_history_is_readable_in_scope(client):
    response = await client.get("/api/v1/persons/p-1/mentoring", headers=auth(**OPERATOR))
    body = response.json()
    assert [p["pair_id"] for p in body["as_mentee"]] == ["pair-1"]
    assert [c["community_id"] for c in body["communities"]] == ["mo-1"]


async def test_a_school_may_end_a_pair_of_its_own_teacher(client):
    response = await client.post("/api/v1/events", json=event(pair_end("pair-1", on="2024-06-30")),
                                 headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-1"))
    assert response.status_code == 202, response.text


async def test_a_school_may_not_end_a_pair_of_another_schools_teacher(client):
    response = await client.post("/api/v1/events", json=event(pair_end("pair-1", on="2024-06-30")),
                                 headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-2"))
    assert response.status_code == 403
    assert "data.pair_id" in response.json()["detail"]


async def test_an_end_of_a_pair_mentoring_has_not_heard_of_is_refused_to_a_school_and_waits_for_an_admin(client):
    school = await client.post("/api/v1/events", json=event(pair_end("pair-new", on="2024-06-30")),
                               headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-1"))
    assert school.status_code == 403  # whose pair it is cannot be checked: it would be recorded unchecked later
    assert school.json()["detail"].startswith("data.pair_id: pair pair-new is not known to mentoring")
    admin = await client.post("/api/v1/events", json=event(pair_end("pair-new", on="2024-06-30")), headers=auth())
    assert admin.json()["results"][0]["outcome"] == "waiting"


async def test_an_imported_row_about_someone_outside_the_school_is_refused_on_its_own(client):
    csv = "Код педагога,Код мероприятия,Название мероприятия,Вид мероприятия,Дата посещения\n" \
          "p-1,sem-2,Семинар,семинар,01.11.2024\n" \
          "p-9,sem-2,Семинар,семинар,01.11.2024\n"
    response = await client.post("/api/v1/imports/attendance", files={"file": ("list.csv", csv.encode())},
                                 headers=auth(Role.SCHOOL_SYSTEM, org_id="sch-1"))
    rows = response.json()["rows"]
    assert [(r["outcome"], r.get("reason_code")) for r in rows] == [("accepted", None), ("rejected", "forbidden")]


async def test_a_file_without_a_required_column_is_422_naming_it(client):
    response = await client.post("/api/v1/imports/pairs", files={"file": ("p.csv", "Код наставника\nm-1\n".encode())},
                                 headers=auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file", "Код наставляемого"]
