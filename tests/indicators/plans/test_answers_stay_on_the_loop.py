"""The hot read route runs on the event loop: no dependency of GET /api/v1/indicators goes through FastAPI's
worker threads (a synchronous dependency is run there, and each such hop waits for the GIL, which the
projection's thread holds for a batch at a time — the reads' latency under load)."""

from __future__ import annotations

import collections

import fastapi.dependencies.utils as dependencies
from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings

from tests.support.services import SECRET, auth


async def test_the_indicators_answer_needs_no_worker_thread(tmp_path, monkeypatch):
    hops = collections.Counter()
    original = dependencies.run_in_threadpool

    async def counted(func, *args, **kwargs):
        hops[getattr(func, "__qualname__", repr(func))] += 1
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(dependencies, "run_in_threadpool", counted)
    app = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET, kafka_bootstrap_servers="127.0.0.1:1"))
    app.state.read_model.answering.set()
    app.state.read_model.loaded.set()
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for params in ({"scope": "region:r", "as_of": "2024-12-31"},
                       {"scope": "region:r", "as_of": "2024-12-31", "window": "rolling_3y"}):
            answer = await client.get("/api/v1/indicators", params=params, headers=auth())
            assert answer.status_code == 200, answer.text
        refused = await client.get("/api/v1/indicators", params={"scope": "region:r", "window": "nope"},
                                   headers=auth())
        assert refused.status_code == 422 and "window" in refused.text
    assert hops == {}
