"""The operator's workplace in Chromium on the demo, per role: upload, data quality, the plan, names, scope.

Screenshots for docs/operator-guide.md are written to $PEDGROWTH_SCREENSHOTS when it is set
(`PEDGROWTH_SCREENSHOTS=docs/operator-guide pytest tests/e2e/test_web_workplace.py`), else to tmp.
"""

from __future__ import annotations

import io
import json
import os
import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from pedgrowth.contracts import REGISTRY_INBOX
from pedgrowth.contracts.registry import EmploymentStarted
from pedgrowth.indicators.bootstrap import build as build_indicators
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.entrypoints.uploads import KINDS
from pedgrowth.kit.auth import Role
from pedgrowth.mentoring.bootstrap import build as build_mentoring
from pedgrowth.mentoring.config import MentoringSettings
from pedgrowth.registry.bootstrap import build as build_registry
from pedgrowth.registry.config import RegistrySettings
from pedgrowth.runner.demo import demo_events, publish
from pedgrowth.training.bootstrap import build as build_training
from pedgrowth.training.config import TrainingSettings
from tests.e2e.test_dashboard_browser import (CHROMIUM, CHROMIUM_ARGS, SCOPE, api_answers, download_report,
                                              report_matches, set_date, settled)
from pedgrowth.runner.demo import DEMO_TODAY
from tests.support.infra import free_port
from tests.support.kafka import eventually, produce
from tests.support.services import cloud_event, served_http, settings_for, token

pytestmark = [
    pytest.mark.browser, pytest.mark.broker, pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]
playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")

NEW_TEACHER = "Иванова Мария Петровна"
SEED_PLAN_END = "31.12.2024"
STAFF = [
    ("web-p001", NEW_TEACHER, "Учитель", "01.09.2024", "01.09.2015", "12.03.1990", "математика", "да", "", ""),
    ("web-p002", "Петров Иван Сергеевич", "Старший вожатый", "01.09.2024", "01.09.2020", "", "", "", "", ""),
    ("web-p003", "Сидорова Анна Викторовна", "Учитель", "31.02.2024", "01.09.2019", "", "история", "", "", ""),
    ("web-p004", "Кузнецов Олег Андреевич", "Методист", "15.01.2023", "15.01.2010", "", "", "да", "", ""),
]


BAD_HIRE = cloud_event(EmploymentStarted(person_id="web-p009", org_id="demo-sch-01", position="teacher",
                                         started_on="2024-09-01", pedagogical_experience_since="2024-09-01"))
BAD_HIRE["data"]["position"] = "pioneer_leader"  # a school system's message the registry dead-letters


SCHOOL_STAFF = [
    ("web-p021", "Орлова Светлана Игоревна", "Учитель", "02.09.2024", "02.09.2018", "", "физика", "да", "", ""),
    ("web-p022", "Белов Денис Павлович", "Вожатый-организатор", "02.09.2024", "02.09.2022", "", "", "", "", ""),
]


def staff_file(rows=STAFF) -> bytes:
    book = Workbook()
    book.active.append(list(KINDS["staff"].headers))
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Visit:
    """A signed-in browser context that refuses every request not to 127.0.0.1 and collects console errors."""

    def __init__(self, browser, url: str, shots: Path):
        self.browser, self.url, self.shots = browser, url, shots
        self.outside: list[str] = []
        self.errors: list[str] = []

    async def sign_in(self, bearer: str, width: int = 1280):
        self.context = await self.browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")

        async def only_local(route):
            if route.request.url.startswith("http://127.0.0.1:"):
                await route.continue_()
            else:
                self.outside.append(route.request.url)
                await route.abort()
        await self.context.route("**/*", only_local)
        page = await self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        await page.goto(f"{self.url}/login")
        await self.shot(page, "login")
        await page.fill("#token", bearer)
        await page.click("button[type=submit]")
        await page.wait_for_selector(".card .spark svg")
        await set_date(page, SEED_PLAN_END)  # it opens on today (the demo's current plan); the seed plan's last year
        return page

    async def shot(self, page, name: str) -> None:
        await page.screenshot(path=str(self.shots / f"{name}.png"), full_page=False)


async def test_each_role_works_in_the_workplace(own_kafka, tmp_path):
    kafka = own_kafka
    shots = Path(os.environ.get("PEDGROWTH_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    for name in ("registry", "training", "mentoring", "indicators"):
        (tmp_path / name).mkdir()
    ports = {name: free_port() for name in ("registry", "training", "mentoring", "indicators")}
    registry = build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry"))
    training = build_training(settings_for(TrainingSettings, kafka, tmp_path / "training"))
    mentoring = build_mentoring(settings_for(MentoringSettings, kafka, tmp_path / "mentoring"))
    indicators = build_indicators(settings_for(
        IndicatorsSettings, kafka, tmp_path / "indicators",
        **{f"{name}_url": f"http://127.0.0.1:{ports[name]}" for name in ("registry", "training", "mentoring")}))
    upload = tmp_path / "сотрудники.xlsx"
    upload.write_bytes(staff_file())
    async with served_http(registry, ports["registry"]), served_http(training, ports["training"]), \
            served_http(mentoring, ports["mentoring"]), served_http(indicators, ports["indicators"]) as url:
        events = demo_events(schools=3)
        published = await publish(kafka[0], kafka[2], events)
        await produce(kafka[0], REGISTRY_INBOX, [json.dumps(BAD_HIRE).encode()])
        await publish(kafka[0], kafka[2], [next((service, e) for service, e in events if service == "registry" and
                                                e.type.endswith("employment_started.v1")
                                                and e.data["org_id"] == "demo-sch-01")] * 2)  # a school system's resend
        await settled(indicators.state.read_model, at_least=published)
        await delivered_again(f"http://127.0.0.1:{ports['registry']}", 2)
        async with playwright_api.async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            visits = []
            try:
                visits.append(operator := Visit(browser, url, shots))
                await as_operator(operator, upload)
                visits.append(analyst := Visit(browser, url, shots))
                await as_analyst(analyst)
                visits.append(school := Visit(browser, url, shots))
                school_upload = tmp_path / "сотрудники-школы-2.xlsx"
                school_upload.write_bytes(staff_file(SCHOOL_STAFF))
                await as_school(school, school_upload)
            finally:
                await browser.close()
    for visit in visits:
        assert visit.outside == [], "no request leaves 127.0.0.1"
        assert visit.errors == [], "no console errors"


async def delivered_again(registry: str, count: int) -> None:
    """Wait until the registry has counted ``count`` events delivered again."""
    async with httpx.AsyncClient(base_url=registry, headers={"Authorization": f"Bearer {token()}"}) as client:
        async def counted() -> bool:
            return (await client.get("/api/v1/duplicates")).json()["count"] >= count
        await eventually(counted, timeout=30)


DUPLICATES = '[data-service="registry"] table.duplicates tbody tr'


async def table_rows(page, rows: str) -> list[list[str]]:
    """The texts of the cells of the table rows ``rows`` selects."""
    return await page.eval_on_selector_all(rows, "rows => rows.map(r => r.innerText.split('\\t'))")


async def as_operator(visit: Visit, upload: Path) -> None:
    """Upload a staff list with two bad rows, see them explained and listed, mark a measure done, see names."""
    bearer = token(Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk")
    page = await visit.sign_in(bearer)
    await visit.shot(page, "dashboard")
    report_matches(await download_report(page), await api_answers(visit.url, bearer, SCOPE))
    rows = await uploaded(page, "staff", upload, "demo-sch-01")
    assert [(row, reason) for row, outcome, _, reason in rows if outcome == "rejected"] == [
        ("3", "неизвестная должность «Старший вожатый»: укажите должность из справочника"),
        ("4", "«31.02.2024» — не дата: укажите дату в виде ДД.ММ.ГГГГ")], rows
    assert [outcome for _, outcome, _, _ in rows].count("accepted") == 2
    await visit.shot(page, "uploads")
    assert await upload_courses(page, upload.with_name("курсы.csv")) == {
        "2": ["принята", ""], "3": ["ждёт справочника", ""],
        "4": ["отклонена", "«Дата окончания»: «31.11.2024» — такой даты нет в календаре"],
        "5": ["отклонена", "педагог web-p404 не работал на 2024-11-15 и не работает сейчас в организации "
                           "в пределах ваших прав (по данным кадрового реестра)"]}
    assert await sent(page, "pd-requests", upload.with_name("запросы.csv"), [
        "Номер запроса;Идентификатор педагога;Направление;Тема;Дата подачи",
        "req-web-1;demo-p0001;предметное;Функциональная грамотность;01.10.2024",
        "req-web-2;demo-p0001;;Наставничество;01.10.2024"]) == [
        ("2", "accepted", ""), ("3", "rejected", "не заполнен столбец «Направление»")], "a kind added since"
    assert await sent(page, "attendance", upload.with_name("посещение.csv"), [
        "Код педагога;Код мероприятия;Название мероприятия;Вид мероприятия;Дата посещения",
        "demo-p0001;web-sem-1;Семинар по ФГОС;семинар;14.11.2024",
        "demo-p0001;web-sem-2;Встреча;пикник;14.11.2024"]) == [
        ("2", "accepted", ""), ("3", "rejected", "«Вид мероприятия»: недопустимое значение «пикник»")], "mentoring"
    await page.click("nav >> text=Качество данных")
    reasons = await page.eval_on_selector_all("#rejected-rows .reason", "cells => cells.map(c => c.textContent)")
    assert len(reasons) == 6 and any("Старший вожатый" in r for r in reasons) \
        and "«Дата окончания»: «31.11.2024» — такой даты нет в календаре" in reasons
    await fix_and_upload_again(page, upload.with_name("сотрудники-исправлено.xlsx"))
    reasons = await page.eval_on_selector_all("#rejected-rows .reason", "cells => cells.map(c => c.textContent)")
    assert len(reasons) == 4 and not any("Старший вожатый" in r or "31.02.2024" in r for r in reasons), \
        "the staff rows fixed and taken leave the list; the others stay"
    assert await page.eval_on_selector_all("#repeats tbody tr", "rows => rows.map(r => r.innerText.split('\\t'))") == [
        ["Список педагогических работников организации", "demo-sch-01", "2"]], "the two rows sent again are counted"
    letter = page.locator('[data-service="registry"] table.letters tr[data-letter]')
    assert await letter.locator(".reason").text_content() == "сообщение не соответствует контракту (поле data.position)"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", await letter.locator("td").first.text_content())
    await visit.shot(page, "quality")
    await letter.locator("button").click()  # «Обработать снова»: the cause is not fixed, so it is refused again
    await page.wait_for_selector("#quality-note")
    assert await page.text_content("#quality-note") == "Сообщение снова не принято: устраните причину и повторите."
    await page.goto(f"{visit.url}/plan?plan=michurinsk-2020-2024")  # «План» opens on the current plan
    row = page.locator('#plan-measures tr[data-measure="2.4"]')
    assert "просрочено" in await row.locator(".st").text_content()
    await row.locator("input[name=evidence]").fill("Приказ УМиИЦ № 17 от 01.12.2026")
    await row.locator("button").click()
    await page.wait_for_selector('#plan-measures tr.done[data-measure="2.4"]')
    await set_a_target_and_a_survey_value(page)
    await visit.shot(page, "plan")
    await page.click("nav >> text=Показатели")
    await page.wait_for_selector(".card .spark svg")
    for _ in range(60):  # the plan's events reach the answers through the bus
        shown = await page.evaluate("""() => [
            document.querySelector('.card[data-code="diagnostics_coverage"] .target')?.textContent,
            document.querySelector('.card[data-code="teacher_readiness"] .value')?.textContent]""")
        if shown == ["цель: 45,0 %", "62,5 %"]:
            break
        await page.wait_for_timeout(1000)
        await page.reload()
        await page.wait_for_selector(".card .spark svg")
        await set_date(page, SEED_PLAN_END)
    assert shown == ["цель: 45,0 %", "62,5 %"], "the target and the survey value entered on «План» are on the cards"
    book = await download_report(page)  # the base value, set before the target, is in the report beside it
    report_matches(book, await api_answers(visit.url, bearer, SCOPE))
    lines = list(book.active.iter_rows(values_only=True))
    row = next(dict(zip(lines[1], line, strict=True)) for line in lines[2:]
               if line[1].startswith("Доля педагогов, прошедших диагностику"))
    assert (row["Базовое значение"], row["Год базового значения"], row["Целевое значение"]) == (0.3, 2019, 0.45)
    await set_date(page, DEMO_TODAY.strftime("%d.%m.%Y"))  # the demo's current plan: its measure 2 is overdue
    await page.wait_for_selector("#measures tr.overdue")
    assert await page.eval_on_selector_all("#measures tr.overdue", "rows => rows.map(r => r.dataset.measure)") == ["2"]
    await page.click('.card[data-code="training_coverage"]')
    for _ in range(60):  # the import reaches the projection through the bus
        await page.click("#members-button")
        await page.wait_for_selector("#members h3")
        if NEW_TEACHER in await page.text_content("#members"):
            break
        await page.wait_for_timeout(1000)
    assert NEW_TEACHER in await page.text_content("#members-missing"), "names come from the registry"
    await visit.shot(page, "members")
    await members_export_matches_the_page(page)


async def fix_and_upload_again(page, path: Path) -> None:
    """The staff list with its two rows fixed, uploaded again: those two are taken, the other two not doubled."""
    fixed = [STAFF[0], (*STAFF[1][:2], "Учитель", *STAFF[1][3:]), (*STAFF[2][:3], "28.02.2024", *STAFF[2][4:]),
             STAFF[3]]
    path.write_bytes(staff_file(fixed))
    outcomes = [outcome for _, outcome, _, _ in await uploaded(page, "staff", path, "demo-sch-01")]
    assert outcomes[1:3] == ["accepted", "accepted"] and "accepted" not in (outcomes[0], outcomes[3]), outcomes
    await page.click("nav >> text=Качество данных")


async def upload_courses(page, path: Path) -> dict:
    """A training CSV (`;`, as Russian Excel saves it) through the same page: each row's outcome and reason."""
    path.write_text("Идентификатор педагога;Код программы;Дата окончания;Номер удостоверения;Коды дефицитов\n"
                    "demo-p0001;pk-fgos;15.11.2024;УД-1;\n"
                    "demo-p0001;pk-new;15.11.2024;;\n"  # a programme training does not know yet: waits for it
                    "demo-p0001;pk-fgos;31.11.2024;;\n"
                    "web-p404;pk-fgos;15.11.2024;;\n", encoding="utf-8")  # nobody the registry knows
    return {row: [text, reason] for row, _, text, reason in await uploaded(page, "courses", path)}


async def sent(page, kind: str, path: Path, lines: list[str]) -> list[tuple[str, str, str]]:
    """These lines as a `;`-separated CSV uploaded as ``kind``: each row's number, outcome and Russian reason."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [(row, outcome, reason) for row, outcome, _, reason in await uploaded(page, kind, path)]


async def uploaded(page, kind: str, path: Path, org: str | None = None) -> list[list[str]]:
    """A file sent from a fresh «Загрузка данных»: each row's number, outcome, its Russian word and the reason."""
    await page.click("nav >> text=Загрузка данных")
    await page.select_option("#upload-kind", kind)
    if org:
        await page.select_option("#upload-org", org)
    await page.set_input_files("#upload-file", str(path))
    await page.click("#upload-form button[type=submit]")
    await page.wait_for_selector("#upload-rows")
    return await page.eval_on_selector_all("#upload-rows tbody tr", """rows => rows.map(r => [r.dataset.row,
        r.className, r.querySelector('.st').textContent, r.querySelector('.reason').textContent])""")


async def set_a_target_and_a_survey_value(page) -> None:
    """«План»: a base value and a 2024 target typed in percent and a survey value, each shown back in percent."""
    assert await entered(page, "baseline-form", "plan-baselines", "diagnostics_coverage", year="2019",
                         value="30") == "30,0 %"
    assert await entered(page, "target-form", "plan-targets", "diagnostics_coverage", value="45") == "45,0 %"
    assert await page.text_content('#plan-targets tr[data-indicator="training_coverage"][data-year="2024"] .value') \
        == "50,0 %", "the plan's own targets in percent"
    assert await entered(page, "survey-form", "reported-values", "teacher_readiness", percent="62.5") == "62,5 %"


async def entered(page, form: str, table: str, indicator: str, **fields) -> str:
    """Send a «План» form for the indicator (in 2024 unless a year is given); what the table then shows for it."""
    await page.select_option(f"#{form} select[name=indicator]", indicator)
    fields = {"year": "2024", **fields}
    for name, value in fields.items():
        await page.fill(f"#{form} input[name={name}]", value)
    await page.click(f"#{form} button")
    shown = page.locator(f'#{table} tr[data-indicator="{indicator}"][data-year="{fields["year"]}"] .value')
    await shown.wait_for()
    return await shown.text_content()


async def members_export_matches_the_page(page) -> None:
    """«Выгрузить списки (XLSX)» opens with openpyxl and holds the two lists the page shows, with ФИО."""
    shown = {name: await page.eval_on_selector_all(f"#{list_id} li", "items => items.map(i => i.dataset.person)")
             for name, list_id in (("Учтены", "members-numerator"), ("Не охвачены", "members-missing"))}
    async with page.expect_download() as started:
        await page.click("#members-xlsx")
    book = load_workbook(io.BytesIO(Path(await (await started.value).path()).read_bytes()))
    assert book.sheetnames == ["Учтены", "Не охвачены"]
    for name, people in shown.items():
        lines = list(book[name].iter_rows(values_only=True))
        assert lines[0] == ("ФИО", "Организация", "Должность", "Идентификатор")
        assert sorted(line[3] for line in lines[1:]) == sorted(people), name
    missing = {line[3]: line[0] for line in book["Не охвачены"].iter_rows(min_row=2, values_only=True)}
    assert missing["web-p001"] == NEW_TEACHER


async def as_analyst(visit: Visit) -> None:
    """A regional analyst: aggregates only — no members button, no upload page, no names anywhere."""
    bearer = token(Role.REGIONAL_ANALYST, region_id="tambov")
    page = await visit.sign_in(bearer)
    assert await page.locator("#members-button").count() == 0
    book = await download_report(page)
    report_matches(book, await api_answers(visit.url, bearer, SCOPE))
    cells = [str(cell) for sheet in book for line in sheet.iter_rows(values_only=True) for cell in line if cell]
    assert await page.locator("nav >> text=Загрузка данных").count() == 0
    texts = [await page.text_content("body")]
    for section in ("Качество данных", "План"):
        await page.click(f"nav >> text={section}")
        await page.wait_for_load_state()
        texts.append(await page.text_content("body"))
        if section == "Качество данных":  # counts only, placed in the region through the read model
            assert await table_rows(page, "#repeats tbody tr") == [
                ["Список педагогических работников организации", "demo-sch-01", "2"]], "the region's repeats"
            assert await table_rows(page, DUPLICATES) == [["demo-sch-01", "", "employment_started", "шина", "2"]], \
                "the region's bus duplicates"
    assert await page.locator("form.event-form").count() == 0, "the analyst cannot change the plan"
    assert not any(name in text for text in texts + cells for _, name, *_ in STAFF)


async def as_school(visit: Visit, upload: Path) -> None:
    """A school sees only itself, on a 390 px screen; it uploads its own staff and sees only its own rejected row."""
    page = await visit.sign_in(token(Role.SCHOOL_SYSTEM, org_id="demo-sch-02"), width=390)
    assert await page.eval_on_selector_all("#organization option", "o => o.map(x => x.value)") == ["demo-sch-02"]
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 390
    await visit.shot(page, "school")
    assert [outcome for _, outcome, _, _ in await uploaded(page, "staff", upload)] == ["accepted", "rejected"]
    assert await page.eval_on_selector_all("#upload-org option", "o => o.map(x => x.value)") == ["demo-sch-02"]
    await page.click("nav >> text=Качество данных")
    shown = await page.eval_on_selector_all("#rejected-rows tbody tr", "rows => rows.map(r => r.textContent)")
    assert len(shown) == 1 and "demo-sch-02" in shown[0] and "Вожатый-организатор" in shown[0], \
        "its own rejected row only, not the other school's"
    assert await page.locator("table.letters tr[data-letter]").count() == 0, "nor the other school's dead letters"
    assert await page.locator("#no-repeats").count() == 1, "nor the other school's repeated rows"
    assert await page.locator(DUPLICATES).count() == 0, "nor the other school's duplicates"
