"""Events for indicator tests: contract-checked data, wrapped as the projection keeps them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from pedgrowth.contracts import EVENT_MODELS, decode, new_event
from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import BY_CODE, INDICATORS, Variant
from pedgrowth.indicators.engine import Engine
from pedgrowth.indicators.records import Record

from tests.indicators import oracle

SERVICE_OF = {model.type_suffix: model.service for model in EVENT_MODELS.values()}
_counter = itertools.count()
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def event(kind: str, /, source: str | None = None, id: str | None = None, time: datetime | None = None, **data) -> dict:
    """A checked CloudEvent (JSON dict) of ``kind`` with ``data``."""
    model = next(m for m in EVENT_MODELS.values() if m.type_suffix == kind)
    n = next(_counter)
    envelope = new_event(model(**data), source=source or f"/pedgrowth/{SERVICE_OF[kind]}",
                         id=id or f"ev-{n}", time=time or T0 + timedelta(seconds=n))
    return envelope.to_json()


def record(kind: str, /, **kw) -> Record:
    return Record.from_fact(decode(event(kind, **kw)))


class Stream(list):
    """The events of a test, in the order they arrive."""

    def add(self, record: Record) -> None:
        self.append(record)


def facts_of(*records: Record) -> Stream:
    return Stream(records)


def engine_of(records) -> Engine:
    """An engine fed the events one batch each (every event a batch of its own)."""
    engine = Engine()
    for r in records:
        engine.apply([r])
    return engine


def evaluate(stream, scope: Scope, d, variants: dict[str, Variant] | None = None) -> dict[str, oracle.Outcome]:
    """The oracle's outcomes for the events, after checking that the engine gives the same numbers and members."""
    expected = oracle.evaluate(oracle.World(list(stream)), scope, d, variants)
    engine = engine_of(stream)
    for indicator in INDICATORS:
        variant = (variants or {}).get(indicator.code, indicator.default)
        got = engine.numbers(scope, d, indicator, variant)
        want = expected[indicator.code]
        assert (got.numerator, got.denominator) == (want.numerator_count, want.denominator_count), indicator.code
        numerator, _ = engine.members(scope, d, BY_CODE[indicator.code], variant)
        assert numerator == (None if want.numerator is None else sorted(want.numerator)), indicator.code
    return expected


def org(org_id="sch-1", municipality="mun-1", region="reg-1", org_kind="school", **kw) -> Record:
    return record("organization_registered", org_id=org_id, name=f"Школа {org_id}", kind=org_kind,
                  municipality_id=municipality, municipality_name=f"МО {municipality}", region_id=region,
                  region_name=f"Регион {region}", **kw)


def hired(person, on, org_id="sch-1", position="teacher", since=None, **kw) -> Record:
    return record("employment_started", person_id=person, org_id=org_id, position=position, started_on=on,
                  pedagogical_experience_since=since or "2000-09-01", **kw)


def left(person, on, org_id="sch-1", reason="resignation", **kw) -> Record:
    return record("employment_ended", person_id=person, org_id=org_id, ended_on=on, reason=reason, **kw)


def program(program_id="prog-1", kind="advanced_training", format="in_person", **kw) -> Record:
    return record("program_published", program_id=program_id, provider_id="prov-1", title="ДПП",
                  kind=kind, hours=36 if kind == "advanced_training" else 300, format=format,
                  in_federal_registry=True, **kw)


def course(person, on, program_id="prog-1", **kw) -> Record:
    return record("course_completed", person_id=person, program_id=program_id, completed_on=on, **kw)
