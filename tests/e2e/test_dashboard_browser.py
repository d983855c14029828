"""The dashboard in a real headless browser (Debian's chromium) on demo data: what it shows is what the API says."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from pedgrowth.indicators.bootstrap import build as build_indicators
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.indicators.entrypoints.report import STATUS_TEXT
from pedgrowth.kit.auth import Role
from pedgrowth.mentoring.bootstrap import build as build_mentoring
from pedgrowth.mentoring.config import MentoringSettings
from pedgrowth.registry.bootstrap import build as build_registry
from pedgrowth.registry.config import RegistrySettings
from pedgrowth.runner.demo import DEMO_TODAY, demo_events, publish
from pedgrowth.training.bootstrap import build as build_training
from pedgrowth.training.config import TrainingSettings
from tests.support.infra import free_port
from tests.support.services import running, served_http, settings_for, token

CHROMIUM = "/usr/bin/chromium"
LOCAL = ("http://127.0.0.1:", "data:", "blob:")
AS_OF = "2024-12-31"
SCOPE = "municipality:michurinsk"

pytestmark = [
    pytest.mark.browser, pytest.mark.broker, pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (apt-get install chromium; "
                              "deploy/scripts/test-prerequisites.sh installs it when run as root)"),
]
playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
uvicorn = pytest.importorskip("uvicorn")


async def settled(read_model, at_least: int = 1, timeout: float = 300.0, quiet: float = 4.0) -> int:
    """Wait until the projection holds ``at_least`` events (what was published) and then nothing new for ``quiet`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, since = -1, loop.time()
    while loop.time() < deadline:
        held = len(read_model.engine.seen)
        if held != last:
            last, since = held, loop.time()
        elif held >= at_least and loop.time() - since >= quiet:
            return held
        await asyncio.sleep(0.5)
    raise AssertionError(f"the projection did not settle within {timeout} s ({last} of {at_least} events held)")


def shown(value, unit: str) -> str:
    """What the dashboard prints for a value (dashboard.js formatValue)."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.1f}".replace(".", ",") + " %"
    return str(round(value, 4)).removesuffix(".0").replace(".", ",")


async def test_the_dashboard_shows_the_api_numbers_and_the_plan(own_kafka, tmp_path):
    kafka = own_kafka  # the page offers every region the projection knows: only this test's
    admin = token()
    school = token(Role.SCHOOL_SYSTEM, org_id="demo-sch-02")
    port = free_port()
    for name in ("registry", "training", "mentoring", "indicators"):
        (tmp_path / name).mkdir()
    registry = build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry"))
    training = build_training(settings_for(TrainingSettings, kafka, tmp_path / "training"))
    mentoring = build_mentoring(settings_for(MentoringSettings, kafka, tmp_path / "mentoring"))
    registry_port = free_port()
    indicators = build_indicators(settings_for(IndicatorsSettings, kafka, tmp_path / "indicators",
                                               registry_url=f"http://127.0.0.1:{registry_port}"))
    async with served_http(registry, registry_port), running(training), running(mentoring), \
            served_http(indicators, port) as url:
        published = await publish(kafka[0], kafka[2], demo_events(schools=3))
        await settled(indicators.state.read_model, at_least=published)
        expected = await api_answers(url, admin, SCOPE)
        at_school = await api_answers(url, school, "organization:demo-sch-02")
        async with playwright_api.async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page_values, page = await read_dashboard(browser, url, admin)
                school_values = await read_school_view(browser, url, school)
            finally:
                await browser.close()

    coverage = expected["training_coverage"]
    assert coverage["denominator"] > 0, "the demo reached the projection"
    report_matches(page["report"], expected)
    assert page_values["training_coverage"]["value"] == shown(coverage["value"], "share")
    assert page_values["training_coverage"]["numerator"] == str(coverage["numerator"])
    assert page_values["training_coverage"]["target"] == "цель: 50,0 %"
    for code in ("staffing_ratio", "open_vacancies", "young_support_share"):
        assert page_values[code]["value"] == shown(expected[code]["value"], expected[code]["unit"]), code
    targets = {point["year"]: point["target"] for point in expected["series"]}
    assert targets == {2019: None, 2020: 0.1, 2021: 0.2, 2022: 0.3, 2023: 0.4, 2024: 0.5}
    assert page["chart_targets"] == [f"цель {y}: {shown(v, 'share')}" for y, v in targets.items() if v is not None]
    missing = coverage["denominator"] - coverage["numerator"]
    assert page["members"] == [f"Учтены: {coverage['numerator']}",
                               f"Не охвачены: {missing} из {coverage['denominator']}"]
    assert page["seed_due"] == ["2.4", "3.4"], "on 31.12.2024 the seed plan's two measures the demo leaves undone are due"
    assert page["overdue"] == ["2"], "on the demo's today its current plan is shown: measure 2 (curators) is overdue"
    cycle = page["cycle"]
    assert cycle["year"] == str(DEMO_TODAY.year)
    assert cycle["steps"]["monitoring"] == "просрочено" and "monitoring" in cycle["highlighted"], \
        "the monitoring of last year was not submitted: overdue, highlighted"
    assert cycle["steps"]["analysis"] == "выполнено" and cycle["steps"]["review"] == "выполнено"
    assert len(cycle["recommendations"]) == 4, "the admin sees every school's recommendation and the common one"
    assert cycle["after_submit"] == "выполнено (с опозданием)", "submitted from the page after 20 January"
    assert cycle["submitted_link"] == f"/api/v1/monitoring/michurinsk/{DEMO_TODAY.year - 1}/report.xlsx"
    assert page["by_schools"] == "просрочено (ОО: 2 из 3)", "two schools of three did their part of measure 2"
    assert school_values["cycle"]["recommendations"] == [f"rec-{DEMO_TODAY.year}-all",
                                                         f"rec-{DEMO_TODAY.year}-demo-sch-02"], \
        "a school sees its own recommendation and the one to every school, not another school's"
    assert school_values["training_coverage"]["value"] == shown(at_school["training_coverage"]["value"], "share")
    assert school_values["training_coverage"]["target"] == "цель муниципалитета: 50,0 %", "a school sees its municipality's target"


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


async def api_answers(url: str, bearer: str, scope: str) -> dict:
    """The API's indicators for a scope as of AS_OF, by code, and training_coverage's yearly series."""
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {bearer}"}) as api:
        answer = await api.get("/api/v1/indicators", params={"scope": scope, "as_of": AS_OF})
        series = await api.get("/api/v1/indicators/training_coverage",
                               params={"scope": scope, "from_year": 2019, "to_year": 2024})
    assert answer.status_code == 200 and series.status_code == 200, (answer.text, series.text)
    return {**{item["code"]: item for item in answer.json()["indicators"]}, "series": series.json()["series"]}


async def sign_in(browser, url: str, bearer: str):
    """A fresh browser context signed in through the «Вход» page (the token typed once, kept in a cookie)."""
    context = await browser.new_context()
    page = await context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    # watched, not routed (a context-wide route made the signing-out test hang): an outside request is an error
    page.on("request", lambda request: None if request.url.startswith(LOCAL) else errors.append(
        f"a request left 127.0.0.1: {request.url}"))
    await page.goto(f"{url}/")
    assert page.url.endswith("/login"), "without a session the dashboard sends to «Вход»"
    await page.fill("#token", bearer)
    await page.click("button[type=submit]")
    await page.wait_for_selector('.card[data-code="training_coverage"]')
    assert bearer not in page.url
    cookie = next(c for c in await context.cookies() if c["name"] == "pedgrowth_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    return page, errors


async def open_at(browser, url: str, bearer: str):
    """A signed-in page on 31.12.2024, the last year of the seed plan (it opens on today: the demo's current plan
    has targets for this year)."""
    page, errors = await sign_in(browser, url, bearer)
    await set_date(page, "31.12.2024")
    assert await page.input_value("#as-of") == "31.12.2024", "the date field is in Russian form"
    await page.wait_for_function("() => document.querySelectorAll('.card .spark svg').length >= 20")
    return page, errors


async def set_date(page, text: str) -> None:
    """Type a day into «На дату» and wait until the cards show it."""
    await page.fill("#as-of", text)
    await page.dispatch_event("#as-of", "change")
    iso = "-".join(reversed(text.split(".")))
    await page.wait_for_function("(d) => document.getElementById('cards').dataset.asOf === d", arg=iso)


async def cards(page) -> dict:
    return await page.eval_on_selector_all(".card", """cards => Object.fromEntries(cards.map(c => [
        c.dataset.code, {value: c.querySelector('.value').textContent,
                         numerator: c.querySelector('.numerator')?.textContent ?? null,
                         target: c.querySelector('.target').textContent}]))""")


async def read_dashboard(browser, url: str, admin: str) -> tuple[dict, dict]:
    """The municipality as an admin sees it: cards, the chart's targets, members, overdue measures today."""
    page, errors = await open_at(browser, url, admin)
    await page.wait_for_selector("#plan:not([hidden]) #measures tr")
    seed_due = await page.eval_on_selector_all("#measures tr.due", "rows => rows.map(r => r.dataset.measure)")
    shown_cards = await cards(page)
    report = await download_report(page)
    assert max(await page.eval_on_selector_all(
        ".card", "cs => cs.map(c => c.textContent.split('цель не задана').length - 1)")) <= 1
    await page.click('.card[data-code="training_coverage"]')
    await page.wait_for_selector("#chart svg circle")
    assert await page.text_content("#definition") == (
        "Определение: период: с начала периода плана (с 01.01.2020); "
        "кто учитывается: учителя общеобразовательных организаций"), "the plan's variant, in the report's words"
    chart_targets = await page.eval_on_selector_all("#chart svg circle title",
                                                    "titles => titles.map(t => t.textContent)")
    assert await colours_match_the_legend(page)
    await page.click("#members-button")
    await page.wait_for_selector("#members h3")
    members = await page.eval_on_selector_all("#members h3", "heads => heads.map(h => h.textContent)")
    await page.set_viewport_size({"width": 390, "height": 800})
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 390, "fits a 390 px screen"
    order = await page.eval_on_selector_all("#measures tr", "rows => rows.map(r => r.dataset.measure)")
    assert order == sorted(order, key=lambda m: [int(n) for n in m.split(".")]), "measures in plan order"
    await set_date(page, DEMO_TODAY.strftime("%d.%m.%Y"))  # the demo's today: its current plan and cycle
    await page.wait_for_function("() => document.querySelectorAll('#measures tr.overdue').length > 0")
    overdue = await page.eval_on_selector_all("#measures tr.overdue", "rows => rows.map(r => r.dataset.measure)")
    by_schools = await page.text_content('#measures tr[data-measure="2"] .st')
    cycle = await read_cycle(page)
    await page.click("#submit-monitoring")  # the operator's button: the monitoring of last year, frozen
    await page.wait_for_selector("#submitted-report:not([hidden])")
    cycle["after_submit"] = await page.text_content('#cycle-steps tr[data-step="monitoring"] .st')
    cycle["submitted_link"] = await page.get_attribute("#submitted-report", "href")
    await page.click("#logout")
    await page.wait_for_url("**/login")
    assert await page.locator(".card").count() == 0, "«Выйти» leaves no card on the page"
    await page.go_back()
    assert page.url.endswith("/login"), "«Назад» after «Выйти» does not bring the cards back"
    assert errors == []
    return shown_cards, {"chart_targets": chart_targets, "members": members, "overdue": overdue, "report": report,
                         "seed_due": seed_due, "cycle": cycle, "by_schools": by_schools}


async def read_cycle(page) -> dict:
    """The cycle section: each step's state, the highlighted (overdue) steps, and the recommendations listed."""
    await page.wait_for_selector("#cycle:not([hidden]) #cycle-steps tr")
    return await page.evaluate("""() => ({
        year: document.getElementById('cycle-year').textContent,
        steps: Object.fromEntries([...document.querySelectorAll('#cycle-steps tr')].map(r => [r.dataset.step,
            r.querySelector('.st').textContent])),
        highlighted: [...document.querySelectorAll('#cycle-steps tr.overdue')].filter(r =>
            getComputedStyle(r).backgroundColor !== getComputedStyle(document.body).backgroundColor
            && getComputedStyle(r).backgroundColor !== 'rgba(0, 0, 0, 0)').map(r => r.dataset.step),
        recommendations: [...document.querySelectorAll('#recommendations tr')].map(r => r.dataset.recommendation),
    })""")


async def download_report(page):
    """The yearly report through the dashboard's button (the session cookie), opened with openpyxl."""
    async with page.expect_download() as started:
        await page.click("#report-xlsx")
    download = await started.value
    assert download.suggested_filename == "monitoring-michurinsk-2024.xlsx"
    return load_workbook(io.BytesIO(Path(await download.path()).read_bytes()))


def report_matches(book, expected: dict) -> None:
    """The report's first sheet has the API's rows (by name) with the same numbers, and no English anywhere."""
    lines = list(book.active.iter_rows(values_only=True))
    by_name = {line[1]: dict(zip(lines[1], line, strict=True)) for line in lines[2:]}
    rows = [row for code, row in expected.items() if code != "series"]
    assert set(by_name) == {row["name"] for row in rows}
    for row in rows:
        shown_row = by_name[row["name"]]
        assert (shown_row["Значение"], shown_row["Числитель"], shown_row["Целевое значение"], shown_row["Статус"]) == (
            row["value"], row["numerator"], row["target"], STATUS_TEXT[row["status"]]), row["code"]
    latin = {cell for sheet in book for line in sheet.iter_rows(values_only=True) for cell in line
             if isinstance(cell, str) and re.search("[A-Za-z]", cell)}
    assert latin == set(), "no code or English word in the report"


async def colours_match_the_legend(page) -> bool:
    """Bars and cards of each status have the colour the legend shows for it; the target line is its dashed mark."""
    return await page.evaluate("""() => {
        const legend = (cls) => getComputedStyle(document.querySelector('.legend .' + cls), '::before').backgroundColor;
        const fill = (sel) => [...document.querySelectorAll(sel)].map((n) => getComputedStyle(n).fill);
        const border = (cls) => [...document.querySelectorAll('.card.' + cls)].map((n) => getComputedStyle(n).borderLeftColor);
        const mark = getComputedStyle(document.querySelector('.legend .target-mark'), '::before');
        const lines = [...document.querySelectorAll('svg path.target')].map((n) => getComputedStyle(n));
        return ['met', 'behind', 'no_target'].every((cls) => [...fill('svg .bar.' + cls), ...border(cls)]
            .every((colour) => colour === legend(cls)))
          && document.querySelector('.legend .target-mark').textContent === 'цель плана'
          && mark.borderTopStyle === 'dashed' && lines.length > 0
          && lines.every((line) => line.stroke === mark.borderTopColor && line.strokeDasharray !== 'none');
    }""")


async def read_school_view(browser, url: str, school: str) -> dict:
    """A school system's page: its own school is picked, with no municipal totals to choose."""
    page, errors = await open_at(browser, url, school)
    assert await page.eval_on_selector_all("#organization option", "o => o.map(x => x.value)") == ["demo-sch-02"]
    await page.wait_for_selector("#plan:not([hidden]) #measures tr")  # its municipality's plan
    shown_cards = await cards(page)
    await set_date(page, DEMO_TODAY.strftime("%d.%m.%Y"))
    cycle = await read_cycle(page)
    assert errors == []
    return {**shown_cards, "cycle": cycle}


async def test_signing_out_while_the_page_still_asks_sends_nothing_without_the_session(own_kafka, tmp_path):
    """«Выйти» with the page's requests in flight: none goes out after the cookie is cleared (each would be a 401).

    The page's requests are held in the browser and «Вход» is held at the server, so the page stays on screen,
    signed out, while they are let go: what the page does then is what a slow network makes it do.
    """
    kafka = own_kafka
    for name in ("registry", "training", "mentoring", "indicators"):
        (tmp_path / name).mkdir()
    registry = build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry"))
    training = build_training(settings_for(TrainingSettings, kafka, tmp_path / "training"))
    mentoring = build_mentoring(settings_for(MentoringSettings, kafka, tmp_path / "mentoring"))
    indicators = build_indicators(settings_for(IndicatorsSettings, kafka, tmp_path / "indicators"))
    login_asked, login_open = asyncio.Event(), asyncio.Event()

    @indicators.middleware("http")
    async def slow_login(request, call_next):
        if request.method == "GET" and request.url.path == "/login" and signing_out:
            login_asked.set()
            await login_open.wait()
        return await call_next(request)

    signing_out = False
    async with running(registry), running(training), running(mentoring), served_http(indicators) as url:
        published = await publish(kafka[0], kafka[2], demo_events(schools=2))
        await settled(indicators.state.read_model, at_least=published)
        async with playwright_api.async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page, errors = await open_at(browser, url, token())
                held = []

                async def hold(route):
                    held.append(route)
                await page.route("**/api/v1/**", hold)
                await page.click('.card[data-code="training_coverage"]')
                await page.fill("#as-of", "31.12.2023")
                await page.dispatch_event("#as-of", "change")
                async with asyncio.timeout(60):  # a hang fails the test (this is no measure of speed)
                    while not held:
                        await asyncio.sleep(0.05)
                await page.unroute("**/api/v1/**")
                signing_out = True
                await page.click("#logout", no_wait_after=True)
                async with asyncio.timeout(60):
                    await login_asked.wait()  # the cookie is cleared; the page is still the dashboard
                sent = []
                page.on("request", lambda request: sent.append(request.url) if "/api/" in request.url else None)
                for route in held:
                    with contextlib.suppress(playwright_api.Error):
                        await route.continue_()
                for route in held:
                    with contextlib.suppress(playwright_api.Error):
                        await route.request.response()
                login_open.set()
                await page.wait_for_url("**/login")
            finally:
                login_open.set()
                await browser.close()
    assert errors == [], "no request went out without the session"
    assert sent == [], "the page asked nothing after «Выйти»"
