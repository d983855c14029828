"""The operator's pages over HTTP: «План», «Загрузка данных», «Качество данных» (no broker; peers absent)."""

from __future__ import annotations

import contextlib
import io
from collections import Counter

import httpx
import pytest
from openpyxl import load_workbook

from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.entrypoints.uploads import KINDS, RejectedRow, Rejections, in_russian, report_rows
from pedgrowth.kit.auth import Role
from pedgrowth.runner.plans import import_plan, seed_files
from tests.indicators.builders import org
from tests.indicators.plans.test_plans_http import registered
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
    await registered(client, org("sch-1", "michurinsk", "tambov"))
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
    from pedgrowth.mentoring.imports import IMPORTS as MENTORING
    from pedgrowth.registry.importing import COLUMNS
    from pedgrowth.training.imports import IMPORTS as TRAINING

    assert KINDS["staff"].headers == tuple(c.header for c in COLUMNS)
    for kind, name in (("courses", "course-completions"), ("attestations", "attestations"),
                       ("pd-requests", "pd-requests"), ("pd-requests-met", "pd-requests-met")):
        assert KINDS[kind].headers == tuple(c.headers[0] for c in TRAINING[name].columns)
        assert KINDS[kind].path == f"/api/v1/imports/{name}" and KINDS[kind].service == "training"
    for kind in MENTORING:
        assert KINDS[kind].headers == tuple(c.header for c in MENTORING[kind].columns), kind
        assert KINDS[kind].path == f"/api/v1/imports/{kind}" and KINDS[kind].service == "mentoring"
    assert set(KINDS) == {"staff", "courses", "attestations", *TRAINING, *MENTORING} - {"course-completions"}, \
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


# --- each page's scope check, asked of the service's Access (indicators/access.py) ---------------------------

PLACED = [org("sch-1", "michurinsk", "tambov"), org("sch-2", "michurinsk", "tambov"),
          org("sch-9", "izhevsk", "udmurtia")]


def refused_row(org_id: str | None, municipality: str, person: str) -> RejectedRow:
    return RejectedRow("01.12.2026 10:00", "Список педагогических работников организации", "staff.xlsx", org_id,
                       municipality, 3, "Должность", "unknown position 'x'", "неизвестная должность", person)


async def test_the_quality_page_shows_refused_rows_and_repeats_within_the_callers_scope_only(client):
    await registered(client, *PLACED)
    kept = client._transport.app.state.rejections = Rejections()  # as uploads through the page would leave them
    kept.add([refused_row("sch-1", "michurinsk", "p-own"), refused_row("sch-9", "izhevsk", "p-far"),
              refused_row(None, "michurinsk", "p-municipal")],
             repeats=Counter({("staff", "sch-1", "michurinsk"): 2, ("staff", "sch-9", "izhevsk"): 5,
                             ("courses", None, "michurinsk"): 3}))
    seen = {}
    for role, scope in [(Role.ADMIN, {}), (Role.SCHOOL_SYSTEM, {"org_id": "sch-1"}),
                        (Role.MUNICIPAL_OPERATOR, {"municipality_id": "michurinsk"}),
                        (Role.REGIONAL_ANALYST, {"region_id": "tambov"})]:
        await sign_in(client, role, **scope)
        page = (await client.get("/quality")).text
        seen[role] = ({p for p in ("p-own", "p-far", "p-municipal") if f"<td>{p}</td>" in page},
                      {o for o in ("sch-1", "sch-9", "") if f"<td>{o}</td><td class=\"count\">" in page})
    assert seen[Role.ADMIN] == ({"p-own", "p-far", "p-municipal"}, {"sch-1", "sch-9", ""})
    assert seen[Role.SCHOOL_SYSTEM] == ({"p-own"}, {"sch-1"})
    assert seen[Role.MUNICIPAL_OPERATOR] == ({"p-own", "p-municipal"}, {"sch-1", ""})
    assert seen[Role.REGIONAL_ANALYST] == (set(), {"sch-1", ""}), \
        "person ids are not for analysts; the repeat counts of their region are (placed through the read model)"
    await sign_in(client, Role.REGIONAL_ANALYST, region_id="udmurtia")
    page = (await client.get("/quality")).text
    assert '<td>sch-9</td><td class="count">5</td>' in page and '<td>sch-1</td><td class="count">' not in page
    assert 'id="rows-for-operators"' in page and 'id="no-rejected"' not in page, "not «no rejected rows»: not shown"


async def test_the_upload_form_offers_and_takes_only_organisations_within_the_callers_scope(client):
    await registered(client, *PLACED)
    await sign_in(client, Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk")
    form = (await client.get("/uploads")).text
    offered = {o for o in ("sch-1", "sch-2", "sch-9") if f'<option value="{o}">' in form}
    assert offered == {"sch-1", "sch-2"}
    other = await client.post("/uploads", data={"kind": "staff", "org_id": "sch-9"},
                              files={"file": ("staff.csv", b"x", "text/csv")},
                              headers={**SAME_ORIGIN, "HX-Request": "true"})
    assert "Выберите организацию из списка" in other.text and "не отвечает" not in other.text, "nothing was sent"


async def test_the_plan_page_shows_a_plan_the_caller_may_read_and_refuses_another(client):
    await import_plan(client, MICHURINSK, token())
    await registered(client, *PLACED)
    await sign_in(client, Role.REGIONAL_ANALYST, region_id="tambov")
    assert "Мероприятия дорожной карты" in (await client.get("/plan")).text, "the region's municipality is chosen"
    await sign_in(client, Role.REGIONAL_ANALYST, region_id="udmurtia")
    assert "Мероприятия дорожной карты" not in (await client.get("/plan")).text
    assert (await client.get("/plan", params={"municipality": "michurinsk"})).status_code == 403
    await sign_in(client, Role.SCHOOL_SYSTEM, org_id="sch-9")
    assert "Мероприятия дорожной карты" not in (await client.get("/plan", params={"municipality": "michurinsk"})).text
    await sign_in(client, Role.SCHOOL_SYSTEM, org_id="sch-2")
    page = await client.get("/plan")
    assert "Мероприятия дорожной карты" in page.text and 'data-type="measure_completed"' not in page.text
