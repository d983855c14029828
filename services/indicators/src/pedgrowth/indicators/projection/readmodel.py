"""The live read model: the store, the in-memory facts loaded from it, and the answers over them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, date, datetime

from ..indicators.answers import Answers, year_end
from ..definitions import INDICATORS
from ..indicators.compute import Scope
from ..indicators.facts import Facts
from ..readmodel.base import ReadModelStore, ValueRow
from .metrics import ProjectionMetrics

log = logging.getLogger(__name__)


class ReadModel:
    """What the API reads: facts in memory (kept by the projection) and the store they persist in."""

    def __init__(self, store: ReadModelStore, metrics: ProjectionMetrics | None = None, max_age: float = 0.0,
                 survey_names: dict | None = None):
        self.store = store
        self.metrics = metrics or ProjectionMetrics()
        self.max_age = max_age
        self.survey_names = survey_names or {}
        self.facts = Facts()
        self.answers = Answers(self.facts, max_age, survey_names=self.survey_names)
        self.generation: str | None = None
        self.loaded = asyncio.Event()

    async def load(self) -> int:
        """Open the store and read every fact it holds into a fresh index."""
        await self.store.open()
        facts = Facts()
        count = 0
        async for batch in self.store.records():
            for record in batch:
                facts.add(record)
            count += len(batch)
            await asyncio.sleep(0)
        self.facts = facts
        self.answers = Answers(facts, self.max_age, survey_names=self.survey_names)
        self.generation = await self.store.generation()
        self.metrics.held.set(count)
        self.loaded.set()
        log.info("read model %s: %d events loaded", self.store.location, count)
        return count

    async def reload(self) -> int:
        """After a rebuild replaced the store: reopen it and load again."""
        await self.store.close()
        return await self.load()

    async def replaced(self) -> bool:
        return self.generation is not None and await self.store.generation() != self.generation

    async def refresh_values(self, today: date | None = None, years_back: int = 5) -> int:
        """Recompute the persisted yearly values of every municipality and region, and the gauges."""
        today = today or date.today()
        answers_of, rows = self.answers, []
        stamp = datetime.now(UTC).isoformat()
        names, plan = await asyncio.to_thread(self._refresh_plan, today, years_back)
        for scope, years in plan:
            for year in years:
                as_of = year_end(year, today)
                answers = await asyncio.to_thread(answers_of.indicators, scope, as_of, False)
                for answer in answers:
                    rows.append(ValueRow(
                        str(scope), answer["code"], year, as_of.isoformat(), answer["value"], answer["numerator"],
                        answer["denominator"], answer["target"], answer["status"], stamp, scope.kind,
                        names.get(str(scope), scope.id)))
                    if year == today.year and answer["code"] in CODES:
                        self.metrics.set_indicator(str(scope), answer["code"], answer["value"])
        await self.store.save_values(rows)
        return len(rows)

    def _refresh_plan(self, today: date, years_back: int) -> tuple[dict, list[tuple[Scope, list[int]]]]:
        """Scope names, and each municipality and region with the years to refresh (recent and planned)."""
        facts = self.facts
        with facts.lock:
            names = facts.names()
            plan = []
            for kind in ("municipality", "region"):
                for scope_id in facts.scopes(kind):
                    years = set(range(today.year - years_back, today.year + 1))
                    if kind == "municipality":
                        years |= {y for by_year in facts.target_years(scope_id).values() for y in by_year
                                  if y <= today.year}
                    plan.append((Scope(kind, scope_id), sorted(years)))
        return names, plan

    async def add(self, records: list) -> None:
        """Add records to the facts, holding their lock (computations in other threads read them)."""
        facts = self.facts
        await asyncio.to_thread(facts.lock.acquire)
        try:
            for record in records:
                facts.add(record)
        finally:
            facts.lock.release()

    async def keep_warm(self, stop: asyncio.Event, seconds: float, duty: float = 0.5) -> None:
        """Recompute recently asked answers soon after the facts change, off the request path,
        taking at most ``duty`` of the time."""
        seen, wait = None, seconds
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            wait = seconds
            if self.loaded.is_set() and (self.facts.version, id(self.facts)) != seen:
                seen = (self.facts.version, id(self.facts))
                started = time.monotonic()
                try:
                    await asyncio.to_thread(self.answers.warm)
                except Exception as error:  # noqa: BLE001 - warming is an optimisation; the next round retries
                    log.warning("warming answers failed: %r", error)
                wait = max(seconds, (time.monotonic() - started) * (1 - duty) / duty)


CODES = {d.code for d in INDICATORS}
