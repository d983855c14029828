"""Shared fixtures: the real broker and databases, chosen as DEVELOPERS.md says."""

from __future__ import annotations

import uuid

import pytest

from tests.support import infra


def pytest_report_header(config) -> list[str]:
    return ["pedgrowth: brokers and databases are chosen env → testcontainers → local (see DEVELOPERS.md)"]


@pytest.fixture(scope="session")
def kafka():
    """A real Kafka-protocol broker for the whole session: (bootstrap, description, idempotence)."""
    with infra.kafka_bootstrap() as found:
        yield found


@pytest.fixture
def own_kafka(kafka):
    """A broker only this test uses, where one can be had (Tansu); else the session's broker.

    For tests that look at whole topics, e.g. a dashboard that offers every region it knows.
    """
    if "Tansu" not in kafka[1]:
        yield kafka
        return
    tansu = infra.Tansu(infra.free_port()).start()
    try:
        yield tansu.bootstrap, f"Tansu {tansu.bootstrap} (own)", False
    finally:
        tansu.stop()


@pytest.fixture(scope="session")
def postgres_base():
    with infra.postgres_url() as url:
        yield url


@pytest.fixture
def postgres(postgres_base):
    """A PostgreSQL URL with a fresh schema of its own, dropped afterwards."""
    if postgres_base is None:
        pytest.skip("no PostgreSQL reachable (DATABASE_URL unset, no Docker, nothing on 127.0.0.1:5432)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield infra.with_schema(postgres_base, schema)
    infra.drop_schema(postgres_base, schema)


@pytest.fixture(scope="session")
def mongo():
    url = infra.mongo_url()
    if url is None:
        pytest.skip("no MongoDB reachable (MONGO_URL unset, nothing on 127.0.0.1:27017)")
    return url
