"""Every service's /docs (Swagger UI) and /redoc work offline: only the service's own files are loaded."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pedgrowth.indicators.bootstrap import build as build_indicators
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.mentoring.bootstrap import build as build_mentoring
from pedgrowth.mentoring.config import MentoringSettings
from pedgrowth.registry.bootstrap import build as build_registry
from pedgrowth.registry.config import RegistrySettings
from pedgrowth.training.bootstrap import build as build_training
from pedgrowth.training.config import TrainingSettings
from tests.support.services import SECRET, served_http

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BUILDS = {"registry": (build_registry, RegistrySettings), "training": (build_training, TrainingSettings),
          "mentoring": (build_mentoring, MentoringSettings), "indicators": (build_indicators, IndicatorsSettings)}


def app_of(name: str, tmp_path: Path):
    build, settings = BUILDS[name]
    (tmp_path / name).mkdir()
    return build(settings(data_dir=tmp_path / name, token_secret=SECRET))


@pytest.mark.parametrize("name", sorted(BUILDS))
async def test_the_docs_pages_name_only_the_service_s_own_assets(name, tmp_path):
    app = app_of(name, tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for path in ("/docs", "/redoc"):
            page = await client.get(path)
            assert page.status_code == 200
            assert "cdn." not in page.text and "fonts.googleapis" not in page.text and "/docs/assets/" in page.text
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon-32x32.png"):
            assert (await client.get(f"/docs/assets/{asset}")).status_code == 200
        assert (await client.get("/docs/assets/../docs.py")).status_code == 404
        assert (await client.get("/docs/assets/LICENSE.redoc")).status_code == 404


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)")
async def test_swagger_ui_and_redoc_render_in_a_browser_with_no_internet(tmp_path):
    playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed")
    app = app_of("training", tmp_path)
    async with served_http(app, lifespan="off") as url, playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context()
            outside, errors = [], []

            async def only_here(route):
                if route.request.url.startswith(url):
                    await route.continue_()
                else:
                    outside.append(route.request.url)
                    await route.abort()
            await context.route("**/*", only_here)
            page = await context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            await page.goto(f"{url}/docs")
            await page.wait_for_selector(".swagger-ui .opblock-summary-path")
            paths = await page.eval_on_selector_all(".opblock-summary-path", "ps => ps.map(p => p.textContent)")
            await page.goto(f"{url}/redoc")
            await page.wait_for_selector("h1")
            heading = await page.text_content("h1")
        finally:
            await browser.close()
    assert "/api/v1/events" in "".join(paths) and "pedgrowth training" in heading
    assert outside == [] and errors == []
