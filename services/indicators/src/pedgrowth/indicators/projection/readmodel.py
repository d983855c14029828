"""The live read model: the store, the engine loaded from it, and the answers over the engine."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

from pedgrowth.contracts.scope import Scope

from ..definitions import CODES
from ..engine import Engine
from ..indicators.answers import Answers, year_end
from ..readmodel.base import ReadModelStore, ValueRow
from .metrics import ProjectionMetrics

log = logging.getLogger(__name__)


class ReadModel:
    """What the API reads: the engine (kept by the projection) and the store its facts persist in."""

    def __init__(self, store: ReadModelStore, metrics: ProjectionMetrics | None = None,
                 survey_names: dict | None = None):
        self.store = store
        self.metrics = metrics or ProjectionMetrics()
        self.survey_names = survey_names or {}
        self.engine = Engine()
        self.answers = Answers(self.engine, survey_names=self.survey_names)
        self.generation: str | None = None
        self.loaded = asyncio.Event()
        self.positions: dict[tuple[str, int], int] = {}  # the bus positions the engine's facts reach

    async def load(self) -> int:
        """Open the store and feed every fact it holds into a fresh engine, then answer from it."""
        await self.store.open()
        engine = Engine()
        loader, count = engine.loader(), 0
        async for batch in self.store.records():
            await asyncio.to_thread(loader.feed, batch)
            count += len(batch)
        await asyncio.to_thread(loader.finish)  # every entity evaluated once, the sums published once
        self.engine = engine
        self.answers = Answers(engine, survey_names=self.survey_names)
        self.positions = await self.store.positions()
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

    def is_new(self, record) -> bool:
        return self.engine.is_new(record)

    async def add(self, records: list, positions: dict[tuple[str, int], int] | None = None) -> None:
        """Feed a batch to the engine in a worker thread (readers keep answering from the published sums);
        ``positions``: where on the bus the batch ends (a frozen report names them)."""
        await asyncio.to_thread(self.engine.apply, records)
        if positions:
            self.positions = {**self.positions, **positions}  # replaced, never changed: readers copy nothing

    async def refresh_values(self, today: date | None = None, years_back: int = 5) -> int:
        """Recompute the persisted yearly values of every municipality and region, and the gauges."""
        today = today or date.today()
        answers, rows = self.answers, []
        stamp = datetime.now(UTC).isoformat()
        names = answers.names()
        for scope, years in self._refresh_plan(today, years_back):
            for year in years:
                as_of = year_end(year, today)
                for answer in answers.indicators(scope, as_of):
                    rows.append(ValueRow(
                        str(scope), answer["code"], year, as_of.isoformat(), answer["value"], answer["numerator"],
                        answer["denominator"], answer["target"], answer["status"], stamp, scope.kind,
                        names.get(str(scope), scope.id)))
                    if year == today.year and answer["code"] in CODES:
                        self.metrics.set_indicator(str(scope), answer["code"], answer["value"])
            await asyncio.sleep(0)
        await self.store.save_values(rows)
        return len(rows)

    def _refresh_plan(self, today: date, years_back: int) -> list[tuple[Scope, list[int]]]:
        """Each municipality and region with the years to refresh (recent ones and those with targets)."""
        plan = []
        for kind in ("municipality", "region"):
            for scope_id in self.answers.scopes(kind):
                years = set(range(today.year - years_back, today.year + 1))
                if kind == "municipality":
                    years |= {y for by_year in self.engine.plans.target_years(scope_id).values() for y in by_year
                              if y <= today.year}
                plan.append((Scope(kind, scope_id), sorted(years)))
        return plan
