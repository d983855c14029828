"""Mentoring's facts on the real stores: reopened, the rules and the read model see the same history."""

from __future__ import annotations

import pytest

from pedgrowth.kit.errors import Conflict
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env
from pedgrowth.mentoring.application import MentoringApplication
from pedgrowth.mentoring.config import MentoringSettings
from tests.mentoring.unit.helpers import day, joined, mentor, pair, record


def open_app(settings: MentoringSettings) -> MentoringApplication:
    env = eventsourcing_env(settings)
    ensure_postgres_schema(env)
    return MentoringApplication(env=env)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path):
    if request.param == "sqlite":
        return MentoringSettings(data_dir=tmp_path)
    return MentoringSettings(data_dir=tmp_path, database_url=request.getfixturevalue("postgres"))


def test_a_reopened_store_keeps_the_rules_and_rebuilds_the_read_model(settings):
    app = open_app(settings)
    record(app, mentor())
    record(app, pair(on="2024-09-02"))
    record(app, joined(on="2024-09-03"))
    app.close()
    reopened = open_app(settings)
    try:
        with pytest.raises(Conflict):
            record(reopened, pair("pair-2", on="2024-10-01"))
        started = reopened.query(lambda rm: rm.pairs["pair-1"]["started_on"])
        members = reopened.query(lambda rm: [m["person_id"] for m in rm.members("mo-1", day("2024-12-31"))])
    finally:
        reopened.close()
    assert (started, members) == (day("2024-09-02"), ["p-1"])
