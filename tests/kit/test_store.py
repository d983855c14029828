"""Persistence chosen by settings: SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import Tracking

from pedgrowth.contracts import decode, new_event
from pedgrowth.contracts.training import ProviderRegistered
from pedgrowth.kit.recording import Outcome
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env, postgres_env
from pedgrowth.training.application import TrainingApplication
from pedgrowth.training.config import TrainingSettings


def fact(provider_id: str = "prov-1", event_id: str = "e-1"):
    data = ProviderRegistered(provider_id=provider_id, name="ИРО", kind="other")
    return decode(new_event(data, source="/school/1", id=event_id))


def open_app(settings: TrainingSettings) -> TrainingApplication:
    env = eventsourcing_env(settings)
    ensure_postgres_schema(env)
    return TrainingApplication(env=env)


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path):
    if request.param == "sqlite":
        return TrainingSettings(data_dir=tmp_path)
    url = request.getfixturevalue("postgres")
    return TrainingSettings(data_dir=tmp_path, database_url=url)


def test_default_store_is_a_sqlite_file_in_the_data_dir(tmp_path):
    env = eventsourcing_env(TrainingSettings(data_dir=tmp_path))
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "training.sqlite")


def test_postgres_url_becomes_eventsourcing_settings():
    env = postgres_env("postgresql://u:p%40ss@db.example:6543/pedgrowth?schema=training")
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == ("db.example", "6543", "pedgrowth")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_SCHEMA"]) == ("u", "p@ss", "training")


def test_unsupported_database_url_is_refused():
    with pytest.raises(ValueError, match="database_url"):
        postgres_env("mysql://x/y")


def test_recorded_fact_survives_reopening_and_duplicates_are_ignored(settings):
    app = open_app(settings)
    assert app.record(fact()) is Outcome.ACCEPTED
    app.close()
    reopened = open_app(settings)
    assert reopened.record(fact()) is Outcome.DUPLICATE
    reopened.close()


def test_relay_position_is_durable(settings):
    app = open_app(settings)
    tracking = app.factory.tracking_recorder()
    tracking.insert_tracking(Tracking("training-relay", 7))
    app.close()
    reopened = open_app(settings)
    assert reopened.factory.tracking_recorder().max_tracking_id("training-relay") == 7
    reopened.close()


def test_a_batch_reads_which_receipts_are_stored_in_one_query_and_records_as_one_by_one(settings):
    """``look_up`` on SQLite and PostgreSQL: the stored ids among many, and a batch's duplicates still found."""
    from uuid import uuid4

    from pedgrowth.kit.recording import receipt_of, stored_among

    app = open_app(settings)
    try:
        assert app.record(fact("prov-1", "e-1")) is Outcome.ACCEPTED
        stored = receipt_of(fact("prov-1", "e-1"))
        others = [uuid4() for _ in range(1200)]  # more than one query's chunk
        assert stored_among(app.recorder, [*others, stored]) == {stored}
        selects = []
        select_events = app.recorder.select_events
        app.recorder.select_events = lambda *a, **kw: selects.append(a) or select_events(*a, **kw)
        batch = [fact("prov-1", "e-1"), fact("prov-2", "e-2"), fact("prov-2", "e-2"), fact("prov-3", "e-3")]
        with app.batch():
            app.look_up([receipt_of(f) for f in batch])
            outcomes = [app.record(f) for f in batch]
        assert outcomes == [Outcome.DUPLICATE, Outcome.ACCEPTED, Outcome.DUPLICATE, Outcome.ACCEPTED]
        assert not [a for a in selects if a and a[0] in {receipt_of(f) for f in batch}]  # no query per receipt
    finally:
        app.close()
