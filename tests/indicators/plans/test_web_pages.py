"""The operator's pages over HTTP: «План», «Загрузка данных», «Качество данных» (no broker; peers absent)."""

from __future__ import annotations

import contextlib
import io

import httpx
import pytest
from openpyxl import load_workbook

from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.entrypoints.uploads import KINDS, in_russian, report_rows
from pedgrowth.kit.auth import Role
from pedgrowth.runner.plans import import_plan, seed_files
from tests.support.infra import free_port
from tests.support.services import SECRET, token

MICHURINSK = next(p for p in seed_files() if "michurinsk" in p.name)
SAME_ORIGIN = {"Origin": "http://test"}


@pytest.fixture
async def client(tmp_path):
    nobody = f"http://127.0.0.1:{free_port()}"  # no service listens there
    app = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET, registry_url=nobody,
                                   training_url=nobody, mentoring_url=nobody))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http
    with contextlib.suppress(Exception):
        app.state.service.app.close()


async def sign_in(client, role: Role = Role.ADMIN, **scope) -> None:
    answer = await client.post("/login", data={"token": token(role, **scope)}, headers=SAME_ORIGIN)
    assert answer.status_code == 303


async def test_the_plan_page_lists_measures_in_plan_order_with_forms_for_the_operator(client):
    await import_plan(client, MICHURINSK, token())
    await sign_in(client, Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk")
    page = await client.get("/plan")
    assert page.status_code == 200 and "Мероприятия дорожной карты" in page.text
    import re
    measures = re.findall(r'<tr class="\w+" data-measure="([^"]+)"', page.text)
    assert measures == sorted(measures, key=lambda m: [int(n) for n in m.split(".")]) and len(measures) > 5
    assert 'data-type="measure_completed"' in page.text and "/static/plan.js" in page.text


async def test_a_regional_analyst_reads_the_plan_without_forms(client):
    await import_plan(client, MICHURINSK, token())
    client._transport.app.state.region_of = {"michurinsk": "tambov"}.get
    await sign_in(client, Role.REGIONAL_ANALYST, region_id="tambov")
    page = await client.get("/plan", params={"municipality": "michurinsk"})
    assert page.status_code == 200 and "data-type=" not in page.text and "plan.js" not in page.text
    assert "Загрузка данных" not in page.text, "a read-only role gets no upload page in the navigation"


async def test_pages_without_a_session_send_to_sign_in(client):
    for path in ("/plan", "/uploads", "/quality"):
        answer = await client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"


async def test_every_upload_kind_has_a_template_with_its_documented_headers(client):
    await sign_in(client)
    for kind, upload in KINDS.items():
        answer = await client.get(f"/uploads/template/{kind}.xlsx")
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert next(sheet.iter_rows(values_only=True)) == upload.headers


def test_the_templates_headers_are_the_importers_own():
    from pedgrowth.mentoring.imports import LAYOUTS
    from pedgrowth.registry.importing import COLUMNS
    from pedgrowth.training.imports import KINDS as TRAINING

    assert KINDS["staff"].headers == tuple(c.header for c in COLUMNS)
    for kind, name in (("courses", "course-completions"), ("attestations", "attestations"),
                       ("pd-requests", "pd-requests"), ("pd-requests-met", "pd-requests-met")):
        assert KINDS[kind].headers == tuple(c.headers[0] for c in TRAINING[name].columns)
        assert KINDS[kind].path == f"/api/v1/imports/{name}" and KINDS[kind].service == "training"
    for kind in LAYOUTS:
        assert KINDS[kind].headers == tuple(c.header for c in LAYOUTS[kind].columns), kind
        assert KINDS[kind].path == f"/api/v1/imports/{kind}" and KINDS[kind].service == "mentoring"
    assert set(KINDS) == {"staff", "courses", "attestations", *TRAINING, *LAYOUTS} - {"course-completions"}, \
        "every import of the services is offered on the page"


async def test_an_upload_when_the_owning_service_is_down_says_so_in_russian(client):
    await sign_in(client)
    answer = await client.post("/uploads", data={"kind": "courses"}, files={"file": ("a.csv", b"x", "text/csv")},
                               headers={**SAME_ORIGIN, "HX-Request": "true"})
    assert answer.status_code == 200 and "не отвечает" in answer.text
    foreign = await client.post("/uploads", data={"kind": "courses"}, files={"file": ("a.csv", b"x", "text/csv")},
                                headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403


async def test_the_quality_page_says_when_a_service_cannot_be_read(client):
    await sign_in(client)
    page = await client.get("/quality")
    assert page.status_code == 200 and "Отклонённых строк нет" in page.text and "сервис не отвечает" in page.text


def test_row_reports_of_the_three_services_read_alike_and_in_russian():
    registry = {"rows": [{"row": 3, "status": "rejected", "column": "Должность",
                          "reason": "unknown position 'Старший вожатый'"}]}
    training = {"results": [{"row": 2, "outcome": "accepted", "person_id": "p1"}]}
    (bad,), (good,) = report_rows(registry), report_rows(training)
    assert (bad["outcome_ru"], bad["reason_ru"]) == ("отклонена", "неизвестная должность «Старший вожатый»: "
                                                                   "укажите должность из справочника")
    assert (good["outcome_ru"], good["person_id"]) == ("принята", "p1")
    mentoring = {"rows": [{"row": 3, "outcome": "rejected", "field": "Вид мероприятия", "subject": "p2",
                           "reason": "«Вид мероприятия» is not valid: Input should be 'seminar' (got 'пикник')"}]}
    (refused,) = report_rows(mentoring)
    assert (refused["column"], refused["person_id"], refused["reason_ru"]) == (
        "Вид мероприятия", "p2", "«Вид мероприятия»: недопустимое значение «пикник»")
    assert report_rows({"results": [{"row": 2, "outcome": "rejected", "field": "data.completed_on",
                                     "column": "Дата окончания"}]})[0]["column"] == "Дата окончания"
    assert in_russian("Дата приёма is empty") == "не заполнен столбец «Дата приёма»"
    assert in_russian("something new") == "сервис не принял строку: something new"
    assert in_russian("«Дата окончания»: '31.11.2024' is not a calendar date") == (
        "«Дата окончания»: «31.11.2024» — такой даты нет в календаре"), "training names the column first"
    assert in_russian("«Дата начала» is empty") == "не заполнен столбец «Дата начала»"
    assert in_russian("«Форма наставничества» is not valid: Input should be 'individual' (got 'очно')") == (
        "«Форма наставничества»: недопустимое значение «очно»"), "mentoring's form of the same"


async def test_a_replay_when_the_service_is_down_says_so_and_a_foreign_page_may_not_ask(client):
    await sign_in(client)
    answer = await client.post("/quality/replay/registry", data={"letter_id": "0-1"}, headers=SAME_ORIGIN)
    assert answer.status_code == 200 and "не выполнил повторную обработку" in answer.text
    foreign = await client.post("/quality/replay/registry", data={"letter_id": "0-1"},
                                headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403


async def test_an_upload_of_an_unknown_kind_names_the_field(client):
    await sign_in(client)
    answer = await client.post("/uploads", data={"kind": "salaries"}, files={"file": ("a.csv", b"x", "text/csv")},
                               headers=SAME_ORIGIN)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "kind"] and "salaries" in answer.json()["detail"][0]["msg"]
