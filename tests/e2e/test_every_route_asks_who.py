"""Every route but the open operational ones answers 401 without a token (SPEC §6, DEVELOPERS.md)."""

from __future__ import annotations

import re

import httpx
import pytest

OPEN = {"/health", "/ready", "/metrics", "/", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
OPEN_PREFIXES = ("/static/", "/assets/")


def built_apps(tmp_path):
    from pedgrowth.indicators.bootstrap import build as indicators
    from pedgrowth.indicators.config import IndicatorsSettings
    from pedgrowth.mentoring.bootstrap import build as mentoring
    from pedgrowth.mentoring.config import MentoringSettings
    from pedgrowth.registry.bootstrap import build as registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as training
    from pedgrowth.training.config import TrainingSettings

    return {
        "registry": registry(RegistrySettings(data_dir=tmp_path / "r", token_secret="x" * 32)),
        "training": training(TrainingSettings(data_dir=tmp_path / "t", token_secret="x" * 32)),
        "mentoring": mentoring(MentoringSettings(data_dir=tmp_path / "m", token_secret="x" * 32)),
        "indicators": indicators(IndicatorsSettings(data_dir=tmp_path / "i", token_secret="x" * 32)),
    }


def guarded_routes(app):
    """Every documented route and method (the OpenAPI document lists what the app serves)."""
    for path, operations in app.openapi()["paths"].items():
        if path in OPEN or path.startswith(OPEN_PREFIXES):
            continue
        for method in operations:
            yield method.upper(), re.sub(r"\{[^}]+\}", "x", path)


@pytest.mark.parametrize("service", ["registry", "training", "mentoring", "indicators"])
async def test_no_token_is_401_on_every_guarded_route(service, tmp_path):
    app = built_apps(tmp_path)[service]
    routes = list(guarded_routes(app))
    assert len(routes) >= 8, "the service's own resources are listed too"
    answered = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for method, path in routes:
            response = await client.request(method, path)
            answered[f"{method} {path}"] = response.status_code
    assert {route: code for route, code in answered.items() if code != 401} == {}
