"""The registry app over HTTP without its broker lifespan: routes, access and import need no Kafka."""

from __future__ import annotations

import httpx
import pytest

from pedgrowth.registry.bootstrap import build
from pedgrowth.registry.config import RegistrySettings
from tests.support.services import SECRET


@pytest.fixture
def registry_app(tmp_path):
    return build(RegistrySettings(data_dir=tmp_path, token_secret=SECRET))


@pytest.fixture
async def client(registry_app):
    transport = httpx.ASGITransport(app=registry_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
    registry_app.state.service.app.close()
