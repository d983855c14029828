"""Each recorded fact is published as the very contract event it came in as."""

from __future__ import annotations

from pedgrowth.mentoring.translation import to_contract

from .helpers import attended, joined, left, mentor, new_app, pair, pair_end, record


def published(app) -> list:
    notifications = app.recorder.select_notifications(1, 1000)
    events = (to_contract(app.mapper.to_domain_event(n)) for n in notifications)
    return [e for e in events if e is not None]


def test_every_mentoring_fact_is_published_with_all_its_fields():
    app = new_app()
    facts = [mentor(), mentor("m-ext", person_id=None, external_organization="АО «Купол»"),
             pair(program="Адаптация молодого учителя"), pair_end(), joined(), left(), attended()]
    for fact in facts:
        record(app, fact)
    assert published(app) == facts


def test_internal_bookkeeping_is_not_published():
    app = new_app()
    record(app, mentor())
    record(app, pair())
    types = [type(e).__name__ for e in published(app)]
    assert types == ["MentorRegistered", "PairAssigned"]
