"""Each recorded fact is published as the very contract event it came in as."""

from __future__ import annotations

from pedgrowth.mentoring.translation import to_contract

from pedgrowth.contracts import SERVICE_EVENT_TYPES
from pedgrowth.contracts import mentoring as m

from .helpers import (appointed, asset_in, asset_out, attended, enrolled, expert, expert_end, joined, left, mentor,
                      new_app, pair, pair_end, record, released, unenrolled)


def published(app) -> list:
    notifications = app.recorder.select_notifications(1, 1000)
    events = (to_contract(app.mapper.to_domain_event(n)) for n in notifications)
    return [e for e in events if e is not None]


def test_every_mentoring_fact_is_published_with_all_its_fields():
    app = new_app()
    speaker = m.SupportEventAttended(person_id="p-2", event_id="ev-2", event_name="Педагогические чтения",
                                     kind="conference", attended_on="2024-03-21", role="speaker")
    facts = [mentor(), mentor("m-ext", person_id=None, external_organization="АО «Купол»"),
             pair(program="Адаптация молодого учителя"), pair_end(), joined(), left(), attended(), speaker,
             expert(), expert_end(), asset_in(role="руководитель ГМО"), asset_out(), enrolled(), unenrolled(),
             appointed(), released()]
    for fact in facts:
        record(app, fact)
    assert published(app) == facts
    assert {f.event_type for f in facts} == set(SERVICE_EVENT_TYPES["mentoring"])


def test_internal_bookkeeping_is_not_published():
    app = new_app()
    record(app, mentor())
    record(app, pair())
    types = [type(e).__name__ for e in published(app)]
    assert types == ["MentorRegistered", "PairAssigned"]
