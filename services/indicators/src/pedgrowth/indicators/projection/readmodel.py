"""The live read model: the store, the engine loaded from it, and the answers over the engine.

A load installs the sums the store holds (written with each batch) and indexes the facts without
evaluating any contribution: first the organisations and plans, after which answers are served,
then every other event, after which members, new variants and the projection carry on. A store
without sums (written before they were kept, or fresh) is computed once and its sums written.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime

from pedgrowth.contracts.scope import Scope

from pedgrowth.contracts import EVENT_MODELS

from ..definitions import CODES, Variant
from ..engine import Changes, Engine
from ..engine.sums import Step
from ..indicators.answers import Answers, year_end
from ..readmodel.base import ReadModelStore, SumChanges, SumRow, ValueRow, WriterClaimed
from ..records import Record
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
        self.answering = asyncio.Event()  # the sums and the organisations and plans are in: answers are served
        self.loaded = asyncio.Event()  # every fact is in: members, new variants and the projection go on
        self.positions: dict[tuple[str, int], int] = {}  # the bus positions the engine's facts reach
        self.writing = False  # this instance writes its batches into the store (claim_writer)
        self.applied_since_load = False

    async def load(self) -> int:
        """Open the store and load it into a fresh engine, then answer from it."""
        self.loaded.clear()
        await self.store.close()  # a no-op unless it was open (a reload); lets go of the writer's lock
        self.writing = self.applied_since_load = False
        await self.store.open()
        self.generation = await self.store.generation()
        self.positions = await self.store.positions()

        def answering(engine: Engine) -> None:
            self.engine = engine
            self.answers = Answers(engine, survey_names=self.survey_names)
            self.answering.set()

        count = await load_engine(self.store, answering)
        self.metrics.held.set(count)
        self.loaded.set()
        log.info("read model %s: %d events loaded", self.store.location, count)
        return count

    async def reload(self) -> int:
        """After a rebuild replaced the store (or refused a batch): reopen it and load again."""
        return await self.load()

    async def replaced(self) -> bool:
        return self.generation is not None and await self.store.generation() != self.generation

    def is_new(self, record) -> bool:
        return self.engine.is_new(record)

    async def add(self, records: list[Record], positions: dict[tuple[str, int], int]) -> int:
        """Apply a batch in a worker thread and write it to the store with the offsets and the sums it
        changed, in one transaction, before readers see it (they keep answering from the published sums).
        When the store refuses it, the engine (whose facts hold the batch) is replaced by a load.
        Only the instance holding the store's writer lock writes; the others apply in memory, and one
        that gets the lock later loads the store first (``WriterClaimed``).
        ``positions``: where on the bus the batch ends (a frozen report names them)."""
        engine = self.engine
        if not self.writing and await self.store.claim_writer():
            if self.applied_since_load:
                raise WriterClaimed(f"{self.store.location}: this instance writes from now on; loading the store")
            self.writing = True
        persist = persist_into(self.store, records, positions, self.generation) if self.writing else None
        try:
            applied = await asyncio.to_thread(engine.apply, records, persist)
        except BaseException:
            if engine.broken:
                self.loaded.clear()  # the projection loads the store again before it goes on
            raise
        self.applied_since_load = True
        if positions:
            self.positions = {**self.positions, **positions}  # replaced, never changed: readers copy nothing
        return applied

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


FIRST = ("organization_registered", "plan_adopted", "target_set", "baseline_set", "value_reported")
"""The event kinds answers need besides the sums: where scopes lie, targets and variants."""
FIRST_TYPES = tuple(t for t in EVENT_MODELS if t.split(".")[2] in FIRST)


def stored_variants(series) -> dict[tuple[str, str], Variant]:
    """(indicator, definition) as stored → the variant; one naming a dimension this version does not know is
    left out (logged)."""
    found = {}
    for indicator, definition in series:
        try:
            found[(indicator, definition)] = Variant.from_key(definition)
        except (TypeError, ValueError):
            log.warning("read model: series %s %s names a dimension this version does not know; left out",
                        indicator, definition)
    return found


async def load_engine(store: ReadModelStore, answering=None) -> int:
    """A new engine from an open store; ``answering(engine)`` is called once it can answer. How many events.

    With sums in the store nothing is evaluated: the sums are installed and the facts indexed. Without
    (a store from before the sums were kept, or a rebuild's fresh store), every entity is evaluated once
    and the sums written, so the next load is the fast one."""
    engine, count = Engine(), 0
    series = await store.series()
    if not series:
        loader = engine.loader()
        async for batch in store.records():
            await asyncio.to_thread(loader.feed, batch)
            count += len(batch)
        engine.unsaved |= {spec.id for spec in engine.specs()}
        await asyncio.to_thread(loader.finish, persist_into(store, [], {}, None))
        if answering is not None:
            answering(engine)
        return count
    variants = stored_variants(series)
    specs = [(indicator, variant) for (indicator, _), variant in variants.items()]
    steps = []
    async for rows in store.sums():
        steps += [(r.indicator, variants[(r.indicator, r.definition)], r.part, r.scope, Step.from_bytes(r.days, r.totals))
                  for r in rows if (r.indicator, r.definition) in variants]
    engine.restore(specs, steps)
    del steps
    loader = engine.loader(facts_only=True)
    async for batch in store.records(types=FIRST_TYPES):
        await asyncio.to_thread(loader.feed, batch)
        count += len(batch)
    engine.indexed.clear()  # members and new variants wait for the other facts
    complete = not engine.unsaved  # else an indicator added since the store was written: computed below
    if answering is not None and complete:
        answering(engine)
    async for batch in store.records(other_than=FIRST_TYPES):
        await asyncio.to_thread(loader.feed, batch)
        count += len(batch)
    await asyncio.to_thread(loader.finish)
    if not complete:
        added = await asyncio.to_thread(engine.fill)
        log.info("read model: computed %s, which the store did not hold", ", ".join(s.indicator.code for s in added))
    engine.indexed.set()
    if answering is not None and not complete:
        answering(engine)
    return count


def definitions():
    """``spec → spec.variant.key()`` (the stored ``definition``), each spec's made once: a batch names the
    same few specs in thousands of rows."""
    keys: dict[int, str] = {}

    def key(spec) -> str:
        found = keys.get(spec.id)
        if found is None:
            found = keys[spec.id] = spec.variant.key()
        return found
    return key


def persist_into(store: ReadModelStore, records: list[Record], positions: dict, generation: str | None):
    """What ``Engine.apply`` calls from its worker thread, holding the engine's lock: the store's write of the
    batch, done in that thread (SQL), so that nothing waits for the event loop while the lock is held (a
    request that took the lock on the loop would otherwise wait for a thread that waits for the loop);
    a store with an asynchronous client only (MongoDB) writes on the loop."""
    loop = asyncio.get_running_loop()

    def persist(changes: Changes) -> None:
        key = definitions()
        sums = SumChanges([(spec.indicator.code, key(spec)) for spec in changes.specs],
                          [SumRow(spec.indicator.code, key(spec), part, scope, *step.to_bytes())
                           for spec, part, scope, step in changes.steps])
        if not store.write_now(records, positions, generation, sums):
            asyncio.run_coroutine_threadsafe(store.write(records, positions, generation, sums), loop).result()
        changes.saved()
    return persist
