"""The indicators engine: events in, any scope's numbers at any day out, in the time of a lookup.

``apply`` takes a batch of events. For each entity an event touches (a person, a mentor, a
vacancy, an organisation) the contribution it had is taken from what was kept when it was last
computed (or computed before the event changes its facts), the one it has after the batch is
computed, and only the difference goes into the scope sums (SPEC §4.3). The changed sums are
staged, handed to ``persist`` (the store writes them with the batch) and then published at once.
Readers (``numbers``) look up published sums and never wait for a batch; materialising a variant
nobody used before, and listing members, take the engine's write lock.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from sys import intern
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from pedgrowth.contracts import add_years
from pedgrowth.contracts.scope import Scope

from ..definitions import BY_CODE, INDICATORS, Indicator, Variant
from ..records import Order, Record
from .contributions import (
    PersonView,
    Spec,
    World,
    mentor_contribution,
    org_contribution,
    person_contribution,
    request_contribution,
    vacancy_contribution,
)
from .days import Intervals, covers, ordinal
from .entities import (
    Attended,
    Attestation,
    Change,
    Course,
    Diagnosis,
    Job,
    Mentor,
    Opening,
    Organization,
    Pair,
    Person,
    Profile,
    Programme,
    Request,
    Route,
    Spans,
    Start,
    Vacancy,
    earliest,
    latest,
    with_id,
    writable,
)
from .kept import Kept
from .plans import Plans
from .seen import Seen
from .shards import Shards, ShardStep
from .sums import EMPTY_STEP, Step, Sums

log = logging.getLogger(__name__)

Parts = dict[tuple, Intervals]
"""(spec id, part, scope) → days: one entity's whole contribution to the series of some specs."""


class Loading(RuntimeError):
    """Asked for what needs every fact (members, a new variant) while a load still feeds them."""


@lru_cache(maxsize=1 << 16)
def day(text: str | None) -> int | None:
    """A date's ordinal; one int object per distinct day (the facts of a region share a few thousand)."""
    return date.fromisoformat(text).toordinal() if text else None


def interned(data: dict) -> dict:
    """The event's data with its strings interned: the indexes keep ids and kinds, and a million facts
    hold a few hundred thousand distinct ones (each parsed string is its own object otherwise)."""
    return {key: intern(value) if type(value) is str else value for key, value in data.items()}


@dataclass(frozen=True, slots=True)
class Changes:
    """What a batch changed, for the store to hold with it: the specs it must now list, the steps of
    (spec, part, scope) to write; ``saved`` is called once they are written. A sharded engine's changes
    are by shard (``shards``: shard → its changed steps; ``specs`` listed for each of them)."""

    specs: list[Spec]
    steps: list[tuple[Spec, str, str, Step]]
    saved: Callable[[], None]
    shards: dict[int, list[tuple[Spec, str, str, Step]]] | None = None


Persist = Callable[[Changes], None]
"""Writes a batch's changes with its events and offsets, in one transaction; raises when it cannot."""


@dataclass(frozen=True, slots=True)
class Numbers:
    """One indicator's numbers for a scope and a day, and the variant they were computed with."""

    indicator: Indicator
    variant: Variant
    numerator: int | None
    denominator: int | None


class Batch:
    """The entities one batch touches, each with the contribution it had before the batch.

    An entity is touched by an event of some kind; only the series whose indicator depends on that
    kind (``Indicator.depends_on``) can change, so only their contributions are computed, once
    before the first such event and once after the batch.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.kind = ""  # the kind of the event being applied
        self.plans: list[str] = []
        self.persons: dict[str, dict[int, Parts]] = {}
        self.mentors: dict[str, dict[int, Parts]] = {}
        self.vacancies: dict[str, dict[int, Parts]] = {}
        self.orgs: dict[str, dict[int, Parts]] = {}
        self.requests: dict[str, dict[int, Parts]] = {}
        self._visited: set[tuple[str, str, str]] = set()

    def _missing(self, touched: dict, entity_id: str, entity: str) -> list[Spec]:
        """The specs an event of this kind can change whose "before" the batch has not yet, once per entity
        and kind (an entity of another instance's shard has only its local specs recorded)."""
        visit = (entity, entity_id, self.kind)
        if visit in self._visited:
            return []
        self._visited.add(visit)
        old = touched.setdefault(entity_id, {})
        return [s for s in self.engine.relevant(entity, self.kind) if s.id not in old]

    def _before(self, touched: dict, kind: str, entity_id: str, missing: list[Spec]) -> None:
        """Record the entity's contribution to ``missing`` before the batch, for the specs this instance
        computes for it (all, unless it belongs to another instance's shard: then only the local ones)."""
        specs = self.engine.computed(entity_id, missing)
        if specs:
            touched[entity_id].update(self.engine.before(kind, entity_id, specs))

    def person(self, person_id: str) -> None:
        missing = self._missing(self.persons, person_id, "person")
        if not missing:
            return
        engine = self.engine
        self._before(self.persons, "person", person_id, missing)
        person = engine.world.persons.get(person_id)
        if person is not None:
            for pair_id in person.mentee_pairs:
                pair = engine.world.pairs.get(pair_id)
                if pair is not None:
                    self.mentor(pair.mentor)
            for org in person.jobs:
                self.org(org)
            for request_id in person.requests:
                self.request(request_id)

    def mentor(self, mentor_id: str) -> None:
        missing = self._missing(self.mentors, mentor_id, "mentor")
        if missing:
            self._before(self.mentors, "mentor", mentor_id, missing)

    def vacancy(self, vacancy_id: str) -> None:
        missing = self._missing(self.vacancies, vacancy_id, "vacancy")
        if missing:
            self._before(self.vacancies, "vacancy", vacancy_id, missing)
            vacancy = self.engine.world.vacancies.get(vacancy_id)
            if vacancy is not None:
                self.org(vacancy.org)

    def org(self, org_id: str) -> None:
        missing = self._missing(self.orgs, org_id, "organization")
        if missing:
            self._before(self.orgs, "organization", org_id, missing)

    def request(self, request_id: str) -> None:
        missing = self._missing(self.requests, request_id, "request")
        if missing:
            self._before(self.requests, "request", request_id, missing)


class FactsOnly(Batch):
    """A batch that only indexes facts: the sums were loaded from the store, nothing is recomputed."""

    def person(self, person_id: str) -> None:
        pass

    def mentor(self, mentor_id: str) -> None:
        pass

    def vacancy(self, vacancy_id: str) -> None:
        pass

    def org(self, org_id: str) -> None:
        pass

    def request(self, request_id: str) -> None:
        pass


class Loader:
    """Batches fed as one: the facts go in as they come, the sums are computed once by ``finish``
    (or, with ``facts_only``, not at all: the store's sums are installed instead)."""

    def __init__(self, engine: Engine, facts_only: bool = False):
        self.engine, self.fresh = engine, set()
        self.batch = FactsOnly(engine) if facts_only else Batch(engine)

    def feed(self, records: Iterable[Record]) -> None:
        with self.engine._write:
            self.engine._feed(self.batch, records, self.fresh)

    def finish(self, persist: Persist | None = None) -> int:
        with self.engine._write:
            return self.engine._finish(self.batch, self.fresh, persist)


class Engine:
    """Facts in small indexes, and the published sums every answer is looked up in."""

    def __init__(self, shards: Shards | None = None) -> None:
        self.shards = shards  # None: this instance computes every entity (one writer per store)
        self.shard_sums = [Sums() for _ in range(shards.count)] if shards is not None else []
        self._local: set[int] = set()  # specs computed here for every entity and never written (sharded)
        self.world = World()
        self.plans = Plans()
        self.sums = Sums()
        self.seen = Seen()
        self.version = 0
        self.unusable = 0
        self.evaluations = 0  # contributions computed (one entity, one series): what a load from sums avoids
        self._write = threading.Lock()
        self._specs: dict[tuple[str, Variant], Spec] = {}
        self._by_id: dict[int, Spec] = {}
        self._relevant: dict[tuple[str, str], list[Spec]] = {}
        self._adhoc: dict[tuple[str, Variant], Spec] = {}  # local series of variants asked for (sharded)
        self._waiting: dict[tuple[str, str], list[ShardStep]] = {}  # other shards' steps of a series not
        # materialised here yet, by (code, definition)
        self.unsaved: set[int] = set()  # specs whose series the store does not hold whole yet
        self.kept = Kept()
        self.indexed = threading.Event()  # every fact is in the indexes (cleared while a load feeds them)
        self.indexed.set()
        for indicator in INDICATORS:
            self._add_spec(indicator, indicator.default)
        staffed, vacant = BY_CODE["staffing_ratio"], BY_CODE["open_vacancies"]
        if shards is not None:  # the organisations' inputs count every person and vacancy, whoever owns them
            staffed_spec, vacant_spec = (self._add_local(i, i.default) for i in (staffed, vacant))
        else:
            staffed_spec, vacant_spec = (self._specs[(i.code, i.default)] for i in (staffed, vacant))
        self._staffed, self._vacant = (staffed_spec.id, "num"), (vacant_spec.id, "num")
        self.handlers: dict[str, Callable[[dict, Order, Batch], None]] = {
            "organization_registered": self._on_organization_registered,
            "employment_started": self._on_employment_started,
            "employment_ended": self._on_employment_ended,
            "position_changed": self._on_position_changed,
            "education_profile_recorded": self._on_education_profile_recorded,
            "vacancy_opened": self._on_vacancy_opened,
            "vacancy_closed": self._on_vacancy_closed,
            "reserve_enrolled": self._on_reserve_enrolled,
            "reserve_left": self._on_reserve_left,
            "program_published": self._on_program_published,
            "course_completed": self._on_course_completed,
            "diagnostics_completed": self._on_diagnostics_completed,
            "route_started": self._on_route_started,
            "route_completed": self._on_route_completed,
            "attestation_passed": self._on_attestation_passed,
            "competition_participated": self._on_competition_participated,
            "independent_assessment_passed": self._on_independent_assessment_passed,
            "support_event_attended": self._on_support_event_attended,
            "mentor_registered": self._on_mentor_registered,
            "pair_assigned": self._on_pair_assigned,
            "pair_ended": self._on_pair_ended,
            "community_joined": self._on_community_joined,
            "community_left": self._on_community_left,
            "plan_adopted": self._on_plan_adopted,
            "target_set": self._on_target_set,
            "baseline_set": self._on_baseline_set,
            "value_reported": self._on_value_reported,
            "pd_request_submitted": self._on_pd_request_submitted,
            "pd_request_met": self._on_pd_request_met,
            "expert_role_started": self._on_expert_role_started,
            "expert_role_ended": self._on_expert_role_ended,
            "asset_joined": self._on_asset_joined,
            "asset_left": self._on_asset_left,
            "project_enrolled": self._on_project_enrolled,
            "project_left": self._on_project_left,
            "curator_appointed": self._on_curator_appointed,
            "curator_released": self._on_curator_released,
        }

    # -- applying events -----------------------------------------------------------------------

    def is_new(self, record: Record) -> bool:
        return record.key not in self.seen

    def apply(self, records: Iterable[Record], persist: Persist | None = None) -> int:
        """Take in a batch (duplicates by (source, id) change nothing); how many were new.

        ``persist`` is called with what changed (``Changes``) before anything is published; when it
        raises, nothing of the batch is published and the engine is ``broken`` (its facts hold the
        batch): load a new one from the store.
        """
        with self._write:
            batch = Batch(self)
            fresh: set[int] = set()
            self._feed(batch, records, fresh)
            return self._finish(batch, fresh, persist)

    def loader(self, facts_only: bool = False) -> Loader:
        """Feed many batches as one (a load from the store): each entity is evaluated once at the end,
        or never with ``facts_only`` (the sums come from the store: ``restore``)."""
        return Loader(self, facts_only)

    def _feed(self, batch: Batch, records: Iterable[Record], fresh: set[int]) -> None:
        for record in records:
            if record.key in self.seen or record.key in fresh:
                continue
            fresh.add(record.key)
            handler = self.handlers.get(record.kind)
            if handler is None:
                continue
            batch.kind = record.kind
            try:
                handler(interned(record.data), record.order, batch)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                self.unusable += 1  # validated events never get here; a bad one must not stop the projection
                log.warning("event %s %s from %s is unusable: %r", record.type, record.id, record.source, error)

    def _finish(self, batch: Batch, fresh: set[int], persist: Persist | None = None) -> int:
        self._settle(batch)
        for plan_id in batch.plans:
            self._materialise_plan(plan_id, publish=False)
        if persist is not None:
            try:
                persist(self.changes(fresh))
            except BaseException:
                self.sums.discard()
                for sums in self.shard_sums:
                    sums.discard()
                self.broken = True
                raise
        self.sums.publish()
        for sums in self.shard_sums:
            sums.publish()
        self.seen |= fresh  # only now: who sees an event as held finds its effect published
        self.version += len(fresh)
        return len(fresh)

    broken = False
    """A batch's facts went in but its sums were never published (the store refused it)."""

    def _settle(self, batch: Batch) -> None:
        """Apply the touched entities' differences, stage them, then the organisations' (which read the sums)."""
        for kind, touched in (("person", batch.persons), ("mentor", batch.mentors), ("vacancy", batch.vacancies),
                              ("request", batch.requests)):
            self._settle_entities(kind, touched)
        self.sums.stage()
        self._settle_entities("organization", batch.orgs)
        self.sums.stage()

    def _settle_entities(self, kind: str, touched: dict[str, dict[int, Parts]]) -> None:
        parts_of, shards, local = self._parts_of(kind), self.shards, self._local
        for entity_id, old in touched.items():
            if not old:
                continue  # another instance's: nothing of it is computed here
            new = parts_of(entity_id, [self._by_id[spec_id] for spec_id in old])
            shard = shards.of(entity_id) if shards is not None else None
            for spec_id, parts in old.items():
                self._change(parts, new.get(spec_id, {}), None if spec_id in local else shard)
            self.kept.put((kind, entity_id), new)

    def computed(self, entity_id: str, specs: list[Spec]) -> list[Spec]:
        """Of ``specs``, those this instance computes for the entity: all of them, unless the entity is of a
        shard another instance owns (then only the local ones)."""
        if self.shards is None or self.shards.owns(entity_id):
            return specs
        return [spec for spec in specs if spec.id in self._local]

    def before(self, kind: str, entity_id: str, specs: list[Spec]) -> dict[int, Parts]:
        """An entity's contribution to ``specs`` before a batch: as kept since it was last computed, the
        specs not kept (never computed since the start, or built since) computed from the facts."""
        kept = self.kept.get((kind, entity_id), [spec.id for spec in specs])
        found = {spec.id: kept[spec.id] for spec in specs if spec.id in kept}
        if len(found) < len(specs):
            found.update(self._parts_of(kind)(entity_id, [spec for spec in specs if spec.id not in kept]))
        return found

    # -- what the store keeps ------------------------------------------------------------------------

    def changes(self, fresh: set[int] = frozenset()) -> Changes:
        """What the store must hold after this batch: the changed steps, and the whole series of every
        spec it does not hold yet (with that spec listed), so that its sums equal the engine's."""
        if self.shards is not None:
            return self._shard_changes()
        steps = dict(self.sums.staged())
        unsaved = set(self.unsaved)
        if unsaved:
            for key, step in self.sums.published().items():
                if key[0] in unsaved and key not in steps:
                    steps[key] = step
        specs = [self._by_id[i] for i in sorted(unsaved)]
        return Changes(specs, [(self._by_id[key[0]], key[1], key[2], step) for key, step in steps.items()],
                       self._saved(unsaved))

    def _shard_changes(self) -> Changes:
        """``changes`` of a sharded engine: the owned shards' changed steps (and whole series not yet held)."""
        unsaved = set(self.unsaved)
        by_shard = {}
        for shard in sorted(self.shards.owned):
            sums = self.shard_sums[shard]
            sums.stage()
            steps = dict(sums.staged())
            if unsaved:
                for key, step in sums.published().items():
                    if key[0] in unsaved and key not in steps:
                        steps[key] = step
            by_shard[shard] = [(self._by_id[key[0]], key[1], key[2], step) for key, step in steps.items()]
        specs = [self._by_id[i] for i in sorted(unsaved)]
        return Changes(specs, [], self._saved(unsaved), by_shard)

    # -- shards: several instances, each computing the entities of its shards ---------------------------

    def restore_shards(self, variants: dict[tuple[str, str], Variant], steps: Iterable[ShardStep]) -> None:
        """Install what the store holds of every shard (their sum is what answers read); nothing is computed.
        ``variants``: (code, definition) of the series stored → the variant. The shards this instance will
        compute are taken afterwards (``own``)."""
        with self._write:
            for (code, _), variant in variants.items():
                if code in BY_CODE and (code, variant) not in self._specs:
                    self._add_spec(BY_CODE[code], variant)
            self._relevant = {}
            self.unsaved = set()
            for found in steps:
                variant = variants.get((found.indicator, found.definition))
                spec = self._specs.get((found.indicator, variant)) if variant is not None else None
                if spec is not None and found.shard < len(self.shard_sums):
                    self.shard_sums[found.shard].install((spec.id, found.part, found.scope), found.step)

    def build_local(self) -> None:
        """Compute the local series (the organisations' inputs) from every entity: after a load, which
        indexes the facts without computing anything."""
        with self._write:
            for spec_id in sorted(self._local):
                self._build(self._by_id[spec_id])
            self.sums.publish()

    def take_steps(self, steps: Iterable[ShardStep]) -> int:
        """Other instances' newly written steps, each replacing its shard's (the total is their sum); a
        series not materialised here yet waits for it. How many were taken."""
        taken = 0
        with self._write:
            for found in steps:
                if self.shards is not None and found.shard in self.shards.owned:
                    continue  # this instance computes that shard: its own steps are what counts
                try:
                    spec = self._specs.get((found.indicator, Variant.from_key(found.definition)))
                except (TypeError, ValueError):
                    continue  # a dimension this version does not know
                if spec is None:
                    self._waiting.setdefault((found.indicator, found.definition), []).append(found)
                    continue
                self.shard_sums[found.shard].install((spec.id, found.part, found.scope), found.step)
                taken += 1
        return taken

    def _take_waiting(self, spec: Spec) -> None:
        for found in self._waiting.pop((spec.indicator.code, spec.variant.key()), ()):
            if self.shards is None or found.shard not in self.shards.owned:
                self.shard_sums[found.shard].install((spec.id, found.part, found.scope), found.step)

    def own(self, shard: int, adopt: bool) -> list[tuple[Spec, str, str, Step]]:
        """Compute ``shard`` from now on. ``adopt``: the store's steps of it (installed) are those of exactly
        the facts here, so they are kept; else they are computed again from every entity of the shard and
        replace them. The shard's whole steps, for the store."""
        with self._write:
            self.kept.drop(lambda entity: self.shards.of(entity[1]) == shard)  # what another computed since
            self.shards.owned = self.shards.owned | {shard}
            if not adopt:
                fresh = Sums()
                for entity in ("person", "mentor", "vacancy", "request", "organization"):
                    specs = [spec for spec in self.specs() if spec.indicator.entity == entity]
                    parts_of = self._parts_of(entity)
                    for entity_id in self._entity_ids(entity):
                        if self.shards.of(entity_id) == shard:
                            parts = parts_of(entity_id, specs)
                            for by_spec in parts.values():
                                for key, days in by_spec.items():
                                    fresh.add(key, days, +1)
                            self.kept.put((entity, entity_id), parts)
                fresh.publish()
                steps = fresh.published()
                for key in set(steps) | set(self.shard_sums[shard].published()):
                    self.shard_sums[shard].install(key, steps.get(key, EMPTY_STEP))
            return [(self._by_id[key[0]], key[1], key[2], step)
                    for key, step in self.shard_sums[shard].published().items() if key[0] in self._by_id]

    def disown(self, shards: Iterable[int]) -> None:
        """Stop computing ``shards`` (another instance took them): their steps now come from the store."""
        with self._write:
            self.shards.owned = self.shards.owned - set(shards)

    def _saved(self, unsaved: set[int]) -> Callable[[], None]:
        def saved() -> None:
            self.unsaved -= unsaved
        return saved

    def all_changes(self) -> Changes:
        """Every spec and every published series: what a fresh store needs."""
        self.unsaved |= {spec.id for spec in self.specs()}
        return self.changes()

    def restore(self, specs: Iterable[tuple[str, Variant]], series: Iterable[tuple[str, Variant, str, str, Step]]
                ) -> None:
        """Install the specs and published sums a store holds (nothing is recomputed). A spec of an
        indicator this version no longer has is left out; the default specs the store lacks (an indicator
        added since it was written) are ``unsaved``: ``fill`` computes them once the facts are in."""
        with self._write:
            stored = set()
            for code, variant in specs:
                if code in BY_CODE:
                    stored.add((code, variant))
                    if (code, variant) not in self._specs:
                        self._add_spec(BY_CODE[code], variant)
            for code, variant, part, scope, step in series:
                spec = self._specs.get((code, variant))
                if spec is not None and (code, variant) in stored:
                    self.sums.install((spec.id, part, scope), step)
            self.unsaved = {spec.id for key, spec in self._specs.items() if key not in stored}
            self._relevant = {}

    def fill(self) -> list[Spec]:
        """Compute the series of the specs the store did not hold (``unsaved`` after ``restore``), from every
        entity; they are written whole with the next batch. Which ones."""
        with self._write:
            missing = [self._by_id[i] for i in sorted(self.unsaved)]
            for spec in missing:
                self._build(spec)
            self.sums.publish()
            return missing

    def _change(self, old: Parts, new: Parts, shard: int | None = None) -> None:
        """Take an entity's ``old`` parts out of the sums and put its ``new`` ones in (its shard's, when
        sharded and the series is not local)."""
        if old == new:
            return
        sums = self.sums if shard is None else self.shard_sums[shard]
        for key, days in old.items():
            if new.get(key) != days:
                sums.add(key, days, -1)
        for key, days in new.items():
            if old.get(key) != days:
                sums.add(key, days, +1)

    def _at(self, key: tuple, at: int) -> int:
        """A series' total at a day: when sharded, the sum of the shards' (a local series is whole here)."""
        if not self.shard_sums or key[0] in self._local:
            return self.sums.at(key, at)
        return sum(sums.at(key, at) for sums in self.shard_sums)

    # -- contributions -----------------------------------------------------------------------------

    def relevant(self, entity: str, kind: str) -> list[Spec]:
        """The series of an entity kind that an event of ``kind`` can change."""
        key = (entity, kind)
        found = self._relevant.get(key)
        if found is None:
            found = self._relevant[key] = [s for s in list(self._by_id.values()) if s.indicator.entity == entity
                                           and kind in s.indicator.depends_on]
        return found

    def _keyed(self, spec: Spec, out: dict) -> Parts:
        self.evaluations += 1
        spec_id = spec.id
        return {(spec_id, part, scope): days for (part, scope), days in out.items()}

    def person_parts(self, person_id: str, specs: list[Spec]) -> dict[int, Parts]:
        """Spec id → the person's (spec id, part, scope) → days, for each of ``specs``."""
        person = self.world.persons.get(person_id)
        if person is None:
            return {spec.id: {} for spec in specs}
        view = PersonView(person_id, person, self.world)
        found = {}
        for spec in specs:
            out: dict = {}
            person_contribution(view, spec, out)
            found[spec.id] = self._keyed(spec, out)
        return found

    def mentor_parts(self, mentor_id: str, specs: list[Spec]) -> dict[int, Parts]:
        found = {}
        for spec in specs:
            out: dict = {}
            mentor_contribution(mentor_id, self.world, spec, out)
            found[spec.id] = self._keyed(spec, out)
        return found

    def vacancy_parts(self, vacancy_id: str, specs: list[Spec]) -> dict[int, Parts]:
        found = {}
        for spec in specs:
            out: dict = {}
            vacancy_contribution(vacancy_id, self.world, spec, out)
            found[spec.id] = self._keyed(spec, out)
        return found

    def org_parts(self, org_id: str, specs: list[Spec]) -> dict[int, Parts]:
        scope = f"organization:{org_id}"
        staffed = self.sums.step((*self._staffed, scope)).positive()
        vacant = self.sums.step((*self._vacant, scope)).positive()
        found = {}
        for spec in specs:
            out: dict = {}
            org_contribution(org_id, self.world, staffed, vacant, out, spec)
            found[spec.id] = self._keyed(spec, out)
        return found

    def request_parts(self, request_id: str, specs: list[Spec]) -> dict[int, Parts]:
        found = {}
        for spec in specs:
            out: dict = {}
            request_contribution(request_id, self.world, spec, out)
            found[spec.id] = self._keyed(spec, out)
        return found

    def _parts_of(self, entity: str):
        return {"person": self.person_parts, "mentor": self.mentor_parts, "vacancy": self.vacancy_parts,
                "organization": self.org_parts, "request": self.request_parts}[entity]

    def _add_spec(self, indicator: Indicator, variant: Variant) -> Spec:
        spec = Spec(indicator, variant, len(self._by_id) + 1)
        self._specs[spec.key] = spec
        self._by_id[spec.id] = spec
        return spec

    def _add_local(self, indicator: Indicator, variant: Variant) -> Spec:
        """A series this instance computes from every entity for itself (never written, never answered
        from the shards): the organisations' inputs, and variants asked for ad hoc, when sharded."""
        spec = Spec(indicator, variant, len(self._by_id) + 1)
        self._by_id[spec.id] = spec
        self._local.add(spec.id)
        self._relevant = {}
        return spec

    def specs(self) -> list[Spec]:
        """The series the store keeps (a sharded instance's local ones are not)."""
        return [spec for spec in self._by_id.values() if spec.id not in self._local]

    def spec(self, indicator: Indicator, variant: Variant) -> Spec:
        """The series of an indicator under a variant, materialised from every entity the first time."""
        key = (indicator.code, variant)
        found = self._specs.get(key) or self._adhoc.get(key)
        if found is not None:
            return found
        if not self.indexed.is_set():
            raise Loading("the facts are still being loaded: a new variant cannot be built yet")
        with self._write:
            found = self._specs.get(key) or self._adhoc.get(key)
            if found is None:
                found = self._materialise(indicator, variant, local=self.shards is not None)
        return found

    def _materialise_plan(self, plan_id: str, publish: bool = True) -> None:
        """Build the series of the variants a plan chooses now, so its answers are lookups from the start."""
        plan = self.plans.plans.get(plan_id)
        for code in plan.definitions if plan is not None else ():
            variant = plan.variant(code)
            if variant is not None and (code, variant) not in self._specs:
                self._materialise(BY_CODE[code], variant, publish)

    def _materialise(self, indicator: Indicator, variant: Variant, publish: bool = True, local: bool = False
                     ) -> Spec:
        """A new series from every entity, staged (and published unless a batch publishes it); the store
        gets it whole with the next batch (``unsaved``). A ``local`` one (a variant asked for ad hoc on a
        sharded instance) is computed here from every entity and kept current here, never written."""
        if local:
            spec = self._adhoc[(indicator.code, variant)] = self._add_local(indicator, variant)
            self._build(spec)
        else:
            spec = Spec(indicator, variant, len(self._by_id) + 1)
            self._build(spec)
            self._specs[spec.key] = spec
            self._by_id[spec.id] = spec
            self.unsaved.add(spec.id)
            self._relevant = {}  # the new series is relevant to the kinds it depends on from now on
            self._take_waiting(spec)
        if publish:
            self.sums.publish()
        else:
            self.sums.stage()
        return spec

    def _entity_ids(self, entity: str) -> list[str]:
        world = self.world
        if entity == "person":
            return list(world.persons)
        if entity == "mentor":
            return list(world.mentor_pairs)
        if entity == "vacancy":
            return list(world.vacancies)
        if entity == "request":
            return list(world.requests)
        return sorted(set(world.orgs.people) | set(world.orgs.vacancies))

    def _build(self, spec: Spec) -> None:
        """Add every entity's contribution to a spec's series (pending, not staged); when sharded, only the
        owned entities' (every entity's for a local series)."""
        entity, shards = spec.indicator.entity, self.shards
        parts_of = self._parts_of(entity)
        sharded = shards is not None and spec.id not in self._local
        for entity_id in self._entity_ids(entity):
            if sharded and not shards.owns(entity_id):
                continue
            self._change({}, parts_of(entity_id, [spec])[spec.id], shards.of(entity_id) if sharded else None)

    # -- answers -----------------------------------------------------------------------------------

    def variant(self, indicator: Indicator, scope: Scope, d: date, chosen: dict[str, str] | None = None) -> Variant:
        """The variant an answer uses: a choice of the request, else the plan's (municipality and its
        organisations), else the default. Raises BadVariant for a value that does not exist."""
        base = indicator.default
        plan = self.plan_for(scope, d, indicator.code)
        if plan is not None:
            base = plan.variant(indicator.code) or base
        if chosen:
            base = base.choose(chosen, plan.period_start if plan is not None else None)
        return base

    def plan_for(self, scope: Scope, d: date, code: str | None = None):
        if scope.kind == "region":
            return None
        municipality = scope.id if scope.kind == "municipality" else self.municipality_of(scope.id)
        return None if municipality is None else self.plans.plan_for(municipality, d.year, code)

    def municipality_of(self, org_id: str) -> str | None:
        org = self.world.orgs.by_id.get(org_id)
        return None if org is None else org.municipality_id

    def numbers(self, scope: Scope, d: date, indicator: Indicator, variant: Variant) -> Numbers:
        """Numerator and denominator of one indicator: two lookups (three for staffing_ratio)."""
        if not indicator.applies_to(scope.kind):
            return Numbers(indicator, variant, None, None)
        spec = self.spec(indicator, variant)
        at, where = ordinal(d), str(scope)
        numerator = self._at((spec.id, "num", where), at)
        if indicator.unit == "count":
            return Numbers(indicator, variant, numerator, None)
        denominator = self._at((spec.id, "den", where), at)
        if indicator.denominator_adds:
            extra = self.spec_unlocked(BY_CODE[indicator.denominator_adds])
            denominator += self._at((extra.id, "num", where), at)
        return Numbers(indicator, variant, numerator, denominator)

    def all_numbers(self, scope: Scope, d: date, chosen: dict[str, str] | None = None) -> list[Numbers]:
        return [self.numbers(scope, d, i, self.variant(i, scope, d, chosen)) for i in INDICATORS]

    def members(self, scope: Scope, d: date, indicator: Indicator, variant: Variant
                ) -> tuple[list[str] | None, list[str] | None]:
        """The entities whose contributions cover D: numerator and denominator ids (None: not defined)."""
        if not indicator.applies_to(scope.kind):
            return None, None
        if not self.indexed.is_set():
            raise Loading("the facts are still being loaded: members cannot be listed yet")
        spec = self.spec(indicator, variant)
        with self._write:
            numerator, denominator = self._members(scope, ordinal(d), spec)
            if indicator.denominator_adds:
                extra = BY_CODE[indicator.denominator_adds]
                added, _ = self._members(scope, ordinal(d), self.spec_unlocked(extra))
                denominator = (denominator or []) + (added or [])
        return numerator, denominator

    def spec_unlocked(self, indicator: Indicator) -> Spec:
        return self._specs[(indicator.code, indicator.default)]

    def _members(self, scope: Scope, at: int, spec: Spec) -> tuple[list[str], list[str] | None]:
        where, spec_id = str(scope), spec.id
        num, den = [], []
        for entity, parts in self._candidates(scope, spec):
            if covers(parts.get((spec_id, "num", where), ()), at):
                num.append(entity)
            if covers(parts.get((spec_id, "den", where), ()), at):
                den.append(entity)
        return sorted(num), (sorted(den) if spec.indicator.unit == "share" else None)

    def _candidates(self, scope: Scope, spec: Spec):
        world, orgs = self.world, self.world.orgs.orgs_in(scope.kind, scope.id)
        entity = spec.indicator.entity
        if entity == "organization":
            return ((o, self.org_parts(o, [spec])[spec.id]) for o in sorted(orgs))
        if entity == "vacancy":
            return ((v, self.vacancy_parts(v, [spec])[spec.id]) for o in orgs for v in world.orgs.vacancies.get(o, ()))
        people = {p for o in orgs for p in world.orgs.people.get(o, ())}
        if entity == "request":
            requests = {r for p in people for r in world.persons[p].requests}
            return ((r, self.request_parts(r, [spec])[spec.id]) for r in requests)
        if entity == "mentor":
            mentors = {world.pairs[pair].mentor for p in people
                       for pair in world.persons[p].mentee_pairs if pair in world.pairs}
            return ((m, self.mentor_parts(m, [spec])[spec.id]) for m in mentors)
        if spec.indicator.condition == "reserve":
            municipalities = ({scope.id} if scope.kind == "municipality"
                              else world.orgs.municipalities_of(scope.id) if scope.kind == "region" else set())
            people |= {p for m in municipalities for p in world.municipality_reserve.get(m, ())}
        return ((p, self.person_parts(p, [spec])[spec.id]) for p in people)

    # -- handlers: one per event kind, each touching what the event changes before changing it -------

    def _person(self, person_id: str) -> Person:
        person = self.world.persons.get(person_id)
        if person is None:
            person = self.world.persons[person_id] = Person()
        return person

    def _job(self, d: dict, batch: Batch) -> Job:
        person_id, org = d["person_id"], d["org_id"]
        batch.person(person_id)
        batch.org(org)
        person = self._person(person_id)
        job = person.jobs.get(org)
        if job is None:
            job = person.jobs[org] = Job()
            self.world.orgs.people[org].add(person_id)
        return job

    def _on_organization_registered(self, d: dict, order: Order, batch: Batch) -> None:
        org_id, orgs = d["org_id"], self.world.orgs
        old = orgs.by_id.get(org_id)
        municipalities = {d["municipality_id"]} | ({old.municipality_id} if old else set())
        batch.org(org_id)
        for person_id in orgs.people.get(org_id, ()):
            batch.person(person_id)
        for vacancy_id in orgs.vacancies.get(org_id, ()):
            batch.vacancy(vacancy_id)
        for municipality in municipalities:  # the region of a municipality's reserve (asset) may change
            for person_id in self.world.municipality_reserve.get(municipality, ()):
                batch.person(person_id)
            for person_id in self.world.municipality_asset.get(municipality, ()):
                batch.person(person_id)
        orgs.register(Organization(org_id, d["name"], d["kind"], d["municipality_id"], d["municipality_name"],
                                   d["region_id"], d["region_name"], order))

    def _on_employment_started(self, d: dict, order: Order, batch: Batch) -> None:
        job = self._job(d, batch)
        job.starts += (Start(day(d["started_on"]), order, d["position"], bool(d.get("subjects")),
                             d.get("education_matches_profile")),)
        person = self.world.persons[d["person_id"]]
        since, born = day(d["pedagogical_experience_since"]), day(d.get("birth_date"))
        if person.experience_since is None or since < person.experience_since:
            person.experience_since = since
        if born is not None and (person.birth is None or born < person.birth):
            person.birth = born

    def _on_employment_ended(self, d: dict, order: Order, batch: Batch) -> None:
        self._job(d, batch).ends += (day(d["ended_on"]),)

    def _on_position_changed(self, d: dict, order: Order, batch: Batch) -> None:
        self._job(d, batch).changes += (Change(day(d["changed_on"]), order, d["position"]),)

    def _on_education_profile_recorded(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        self._person(d["person_id"]).profiles += (Profile(day(d["recorded_on"]), order, d["matches_profile"]),)

    def _on_vacancy_opened(self, d: dict, order: Order, batch: Batch) -> None:
        vacancy_id = d["vacancy_id"]
        batch.vacancy(vacancy_id)
        batch.org(d["org_id"])
        world = self.world
        world.vacancies[vacancy_id] = latest(world.vacancies.get(vacancy_id),
                                             Vacancy(d["org_id"], day(d["opened_on"]), order))
        world.orgs.vacancies[d["org_id"]].add(vacancy_id)

    def _on_vacancy_closed(self, d: dict, order: Order, batch: Batch) -> None:
        batch.vacancy(d["vacancy_id"])
        earliest(self.world.vacancy_closed, d["vacancy_id"], day(d["closed_on"]))

    def _reserve(self, d: dict, batch: Batch) -> Spans:
        batch.person(d["person_id"])
        person = self._person(d["person_id"])
        self.world.municipality_reserve[d["municipality_id"]].add(d["person_id"])
        reserve = person.reserve = writable(person.reserve)
        return reserve.setdefault(d["municipality_id"], Spans())

    def _on_reserve_enrolled(self, d: dict, order: Order, batch: Batch) -> None:
        self._reserve(d, batch).starts += (Opening(day(d["enrolled_on"]), order),)

    def _on_reserve_left(self, d: dict, order: Order, batch: Batch) -> None:
        self._reserve(d, batch).ends += (day(d["left_on"]),)

    def _on_program_published(self, d: dict, order: Order, batch: Batch) -> None:
        program = d["program_id"]
        for person_id in self.world.programme_people.get(program, ()):
            batch.person(person_id)
        self.world.programmes[program] = latest(self.world.programmes.get(program),
                                                Programme(d["kind"], d["format"], order))

    def _on_course_completed(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        self._person(d["person_id"]).courses += (
            Course(day(d["completed_on"]), d["program_id"], tuple(map(intern, d.get("addresses_deficits") or ()))),)
        self.world.programme_people[d["program_id"]].add(d["person_id"])

    def _on_diagnostics_completed(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        self._person(d["person_id"]).diagnoses += (
            Diagnosis(day(d["completed_on"]), tuple(dict.fromkeys(intern(x["code"]) for x in d["deficits"]))),)

    def _on_route_started(self, d: dict, order: Order, batch: Batch) -> None:
        route_id, world = d["route_id"], self.world
        old = world.routes.get(route_id)
        if old is not None:
            batch.person(old.person)
        batch.person(d["person_id"])
        world.routes[route_id] = latest(old, Route(d["person_id"], day(d["started_on"]), order))
        person = self._person(d["person_id"])
        person.routes = with_id(person.routes, route_id)

    def _on_route_completed(self, d: dict, order: Order, batch: Batch) -> None:
        route = self.world.routes.get(d["route_id"])
        if route is not None:
            batch.person(route.person)
        earliest(self.world.route_completed, d["route_id"], day(d["completed_on"]))

    def _on_attestation_passed(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        decided = date.fromisoformat(d["decided_on"])
        until = day(d.get("valid_until")) or add_years(decided, 5).toordinal()
        self._person(d["person_id"]).attestations += (Attestation(d["category"], decided.toordinal(), until),)

    def _on_competition_participated(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        self._person(d["person_id"]).competitions += (day(d["participated_on"]),)

    def _on_independent_assessment_passed(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        self._person(d["person_id"]).assessments += (day(d["passed_on"]),)

    def _on_support_event_attended(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        self._person(d["person_id"]).attended += (Attended(day(d["attended_on"]), d["kind"],
                                                           d.get("role") or "participant"),)

    def _on_mentor_registered(self, d: dict, order: Order, batch: Batch) -> None:
        batch.mentor(d["mentor_id"])
        self.world.mentors[d["mentor_id"]] = latest(self.world.mentors.get(d["mentor_id"]),
                                                    Mentor(d.get("external_organization") is not None, order))

    def _on_pair_assigned(self, d: dict, order: Order, batch: Batch) -> None:
        pair_id, world = d["pair_id"], self.world
        old = world.pairs.get(pair_id)
        if old is not None:
            batch.person(old.mentee)
            batch.mentor(old.mentor)
        batch.person(d["mentee_person_id"])
        batch.mentor(d["mentor_id"])
        world.pairs[pair_id] = latest(old, Pair(d["mentor_id"], d["mentee_person_id"], day(d["started_on"]), order))
        world.mentor_pairs[d["mentor_id"]].add(pair_id)
        mentee = self._person(d["mentee_person_id"])
        mentee.mentee_pairs = with_id(mentee.mentee_pairs, pair_id)

    def _on_pair_ended(self, d: dict, order: Order, batch: Batch) -> None:
        pair = self.world.pairs.get(d["pair_id"])
        if pair is not None:
            batch.person(pair.mentee)
            batch.mentor(pair.mentor)
        earliest(self.world.pair_ended, d["pair_id"], day(d["ended_on"]))

    def _membership(self, d: dict, batch: Batch) -> Spans:
        batch.person(d["person_id"])
        person = self._person(d["person_id"])
        memberships = person.memberships = writable(person.memberships)
        return memberships.setdefault(d["community_id"], Spans())

    def _on_community_joined(self, d: dict, order: Order, batch: Batch) -> None:
        self._membership(d, batch).starts += (Opening(day(d["joined_on"]), order, d["kind"]),)

    def _on_community_left(self, d: dict, order: Order, batch: Batch) -> None:
        self._membership(d, batch).ends += (day(d["left_on"]),)

    def _on_plan_adopted(self, d: dict, order: Order, batch: Batch) -> None:
        self.plans.adopt(d, order)
        batch.plans.append(d["plan_id"])

    def _on_target_set(self, d: dict, order: Order, batch: Batch) -> None:
        self.plans.set_target(d["plan_id"], d["indicator"], d["year"], d["value"], order)

    def _on_baseline_set(self, d: dict, order: Order, batch: Batch) -> None:
        self.plans.set_baseline(d["plan_id"], d["indicator"], d["year"], d["value"], order)

    def _on_value_reported(self, d: dict, order: Order, batch: Batch) -> None:
        self.plans.report(d, order)

    # -- the additions within v1 (SPEC §3): requests, expert roles, the asset, projects, curators ---------

    def _on_pd_request_submitted(self, d: dict, order: Order, batch: Batch) -> None:
        request_id, world = d["request_id"], self.world
        old = world.requests.get(request_id)
        if old is not None:
            batch.request(request_id)
        batch.person(d["person_id"])
        batch.request(request_id)
        world.requests[request_id] = latest(old, Request(d["person_id"], day(d["submitted_on"]), order))
        person = self._person(d["person_id"])
        person.requests = with_id(person.requests, request_id)

    def _on_pd_request_met(self, d: dict, order: Order, batch: Batch) -> None:
        batch.request(d["request_id"])
        earliest(self.world.request_met, d["request_id"], day(d["met_on"]))

    def _spell(self, spells: dict[str, Spans], key: str) -> Spans:
        return spells.setdefault(key, Spans())

    def _on_expert_role_started(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        person = self._person(d["person_id"])
        roles = person.expert_roles = writable(person.expert_roles)
        self._spell(roles, d["role_id"]).starts += (Opening(day(d["started_on"]), order),)

    def _on_expert_role_ended(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        person = self._person(d["person_id"])
        roles = person.expert_roles = writable(person.expert_roles)
        self._spell(roles, d["role_id"]).ends += (day(d["ended_on"]),)

    def _asset(self, d: dict, batch: Batch) -> Spans:
        batch.person(d["person_id"])
        self.world.municipality_asset[d["municipality_id"]].add(d["person_id"])
        person = self._person(d["person_id"])
        asset = person.asset = writable(person.asset)
        return self._spell(asset, d["municipality_id"])

    def _on_asset_joined(self, d: dict, order: Order, batch: Batch) -> None:
        self._asset(d, batch).starts += (Opening(day(d["joined_on"]), order),)

    def _on_asset_left(self, d: dict, order: Order, batch: Batch) -> None:
        self._asset(d, batch).ends += (day(d["left_on"]),)

    def _on_project_enrolled(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        self.world.project_names[d["project_id"]] = d["project_name"]
        person = self._person(d["person_id"])
        projects = person.projects = writable(person.projects)
        self._spell(projects, d["project_id"]).starts += (Opening(day(d["enrolled_on"]), order),)

    def _on_project_left(self, d: dict, order: Order, batch: Batch) -> None:
        batch.person(d["person_id"])
        person = self._person(d["person_id"])
        projects = person.projects = writable(person.projects)
        self._spell(projects, d["project_id"]).ends += (day(d["left_on"]),)

    def _curator(self, d: dict, batch: Batch) -> Spans:
        batch.org(d["org_id"])
        return self._spell(self.world.curators[d["org_id"]], d["person_id"])

    def _on_curator_appointed(self, d: dict, order: Order, batch: Batch) -> None:
        self._curator(d, batch).starts += (Opening(day(d["appointed_on"]), order),)

    def _on_curator_released(self, d: dict, order: Order, batch: Batch) -> None:
        self._curator(d, batch).ends += (day(d["released_on"]),)
