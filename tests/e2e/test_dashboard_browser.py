"""The dashboard in a real headless browser (Debian's chromium) on demo data: what it shows is what the API says."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date
from pathlib import Path

import httpx
import pytest

from pedgrowth.indicators.bootstrap import build as build_indicators
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.mentoring.bootstrap import build as build_mentoring
from pedgrowth.mentoring.config import MentoringSettings
from pedgrowth.registry.bootstrap import build as build_registry
from pedgrowth.registry.config import RegistrySettings
from pedgrowth.runner.demo import demo_events, publish
from pedgrowth.training.bootstrap import build as build_training
from pedgrowth.training.config import TrainingSettings
from tests.support.infra import free_port
from tests.support.services import running, settings_for, token

CHROMIUM = "/usr/bin/chromium"
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


@contextlib.asynccontextmanager
async def served(app, port: int):
    """The indicators app on a real port (its lifespan runs inside uvicorn), for the browser."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def settled(read_model, timeout: float = 240.0, quiet: float = 4.0) -> int:
    """Wait until the projection has taken in events and then nothing new for ``quiet`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, since = -1, loop.time()
    while loop.time() < deadline:
        held = len(read_model.facts.seen)
        if held != last:
            last, since = held, loop.time()
        elif held > 0 and loop.time() - since >= quiet:
            return held
        await asyncio.sleep(0.5)
    raise AssertionError(f"the projection did not settle within {timeout} s ({last} events held)")


def shown(value, unit: str) -> str:
    """What the dashboard prints for a value (dashboard.js formatValue)."""
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.1f}".replace(".", ",") + " %"
    return str(round(value, 4)).removesuffix(".0").replace(".", ",")


async def test_the_dashboard_shows_the_api_numbers_and_the_plan(kafka, tmp_path):
    admin = token()
    port = free_port()
    for name in ("registry", "training", "mentoring", "indicators"):
        (tmp_path / name).mkdir()
    events = demo_events(schools=3)
    registry = build_registry(settings_for(RegistrySettings, kafka, tmp_path / "registry"))
    training = build_training(settings_for(TrainingSettings, kafka, tmp_path / "training"))
    mentoring = build_mentoring(settings_for(MentoringSettings, kafka, tmp_path / "mentoring"))
    indicators = build_indicators(settings_for(IndicatorsSettings, kafka, tmp_path / "indicators"))
    async with running(registry), running(training), running(mentoring), served(indicators, port) as url:
        await publish(kafka[0], kafka[2], events)
        await settled(indicators.state.read_model)
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {admin}"}) as api:
            answer = (await api.get("/api/v1/indicators", params={"scope": SCOPE, "as_of": AS_OF})).json()
            series = (await api.get("/api/v1/indicators/training_coverage",
                                    params={"scope": SCOPE, "from_year": 2019, "to_year": 2024})).json()
        expected = {item["code"]: item for item in answer["indicators"]}
        page_values, page = await read_dashboard(url, admin)

    coverage = expected["training_coverage"]
    assert coverage["denominator"] > 0, "the demo reached the projection"
    assert page_values["training_coverage"]["value"] == shown(coverage["value"], "share")
    assert page_values["training_coverage"]["numerator"] == str(coverage["numerator"])
    assert page_values["training_coverage"]["target"] == "цель: 50,0 %"
    for code in ("staffing_ratio", "open_vacancies", "young_support_share"):
        assert page_values[code]["value"] == shown(expected[code]["value"], expected[code]["unit"]), code
    targets = {point["year"]: point["target"] for point in series["series"]}
    assert targets == {2019: None, 2020: 0.1, 2021: 0.2, 2022: 0.3, 2023: 0.4, 2024: 0.5}
    assert page["chart_targets"] == [f"цель {y}: {shown(v, 'share')}" for y, v in targets.items() if v is not None]
    assert page["overdue"] == ["2.4", "3.4"], "the two measures the demo leaves undone are overdue today"


async def read_dashboard(url: str, admin: str) -> tuple[dict, dict]:
    """Open the page as a user would (token given once in the URL), pick the date, read cards, chart, plan."""
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = await browser.new_page()
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{url}/?token={admin}")
            await page.wait_for_selector('.card[data-code="training_coverage"]')
            assert "token=" not in page.url, "the token is taken out of the address bar"
            await page.fill("#as-of", AS_OF)
            await page.dispatch_event("#as-of", "change")
            await page.wait_for_function(
                "(d) => document.getElementById('scope-title').textContent.includes(d)", arg="31.12.2024")
            await page.wait_for_timeout(500)
            cards = await page.eval_on_selector_all(".card", """cards => Object.fromEntries(cards.map(c => [
                c.dataset.code, {value: c.querySelector('.value').textContent,
                                 numerator: c.querySelector('.numerator')?.textContent ?? null,
                                 target: c.querySelector('.target').textContent}]))""")
            await page.click('.card[data-code="training_coverage"]')
            await page.wait_for_selector("#chart svg circle")
            chart_targets = await page.eval_on_selector_all(
                "#chart svg circle title", "titles => titles.map(t => t.textContent)")
            await page.fill("#as-of", date.today().isoformat())
            await page.dispatch_event("#as-of", "change")
            await page.wait_for_function("() => document.querySelectorAll('#measures tr.overdue').length > 0")
            overdue = await page.eval_on_selector_all("#measures tr.overdue",
                                                      "rows => rows.map(r => r.dataset.measure)")
            assert errors == []
            return cards, {"chart_targets": chart_targets, "overdue": overdue}
        finally:
            await browser.close()
