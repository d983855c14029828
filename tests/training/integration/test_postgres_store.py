"""The training store on PostgreSQL: what one application records, a new one reads back."""

from __future__ import annotations

from datetime import date

import pytest

from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env
from pedgrowth.training.application import TrainingApplication
from pedgrowth.training.config import TrainingSettings
from tests.training import facts

pytestmark = pytest.mark.postgres


def test_facts_recorded_on_postgresql_are_read_back_by_a_new_application(postgres, tmp_path):
    env = eventsourcing_env(TrainingSettings(data_dir=tmp_path, database_url=postgres))
    ensure_postgres_schema(env)
    first = TrainingApplication(env=env)
    try:
        for data in (facts.provider(), facts.programme(), facts.diagnostics(),
                     facts.course(addresses_deficits=["D-METH-01"]), facts.attestation(person_id="p-1")):
            assert facts.record(first, data) == "accepted"
        assert facts.record(first, facts.course(addresses_deficits=["D-METH-01"]), source="/again") == "duplicate"
    finally:
        first.close()
    second = TrainingApplication(env=env)
    try:
        transcript = second.transcript("p-1", date(2024, 1, 1))
        assert [c["program_id"] for c in transcript["courses"]] == ["prog-1"]
        assert transcript["diagnostics"][0]["deficits"][0]["addressed"] is True
        assert transcript["current_category"]["category"] == "highest"
        assert [p["program_id"] for p in second.programmes(kind="advanced_training")] == ["prog-1"]
    finally:
        second.close()
