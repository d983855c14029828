"""The registry on PostgreSQL, as in production: encrypted events, the directory rebuilt by a new process."""

from datetime import date

import pytest
from eventsourcing.cipher import AESCipher

from pedgrowth.kit.store import ensure_postgres_schema
from pedgrowth.registry.application import RegistryApplication
from pedgrowth.registry.bootstrap import application_env
from pedgrowth.registry.config import RegistrySettings
from tests.registry.builders import hire, record, with_school

pytestmark = pytest.mark.postgres

NAME = "Иванова Мария Петровна"


def start(postgres: str, key: str, tmp_path) -> RegistryApplication:
    env = application_env(RegistrySettings(data_dir=tmp_path, database_url=postgres, cipher_key=key))
    ensure_postgres_schema(env)
    return RegistryApplication(env=env, today=lambda: date(2024, 9, 2))


def test_an_encrypted_registry_on_postgres_reads_back_in_a_new_process(postgres, tmp_path):
    key = AESCipher.create_key(32)
    first = with_school(start(postgres, key, tmp_path))
    record(first, hire())
    first.record_details("p-1", NAME)
    stored = [bytes(n.state) for n in first.recorder.select_notifications(1, 100)]
    first.close()
    assert stored and all(NAME.encode() not in state for state in stored)
    second = start(postgres, key, tmp_path)
    assert second.staff("sch-1", date(2024, 1, 1))[0]["full_name"] == NAME
    second.close()
