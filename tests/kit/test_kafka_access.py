"""Signing in to Kafka: PLAINTEXT by default (Tansu), SASL/SCRAM when configured, refused without credentials."""

from __future__ import annotations

import ssl

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from pedgrowth.kit.kafka import as_client_options, client_options, probe_consumer, relay_producer
from pedgrowth.training.config import TrainingSettings

SASL = {"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_USERNAME": "training",
        "KAFKA_SASL_PASSWORD": "pw-training-0123456789"}


def settings(monkeypatch, tmp_path, **env) -> TrainingSettings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return TrainingSettings(data_dir=tmp_path)


def test_the_default_is_plaintext_with_no_credentials(monkeypatch, tmp_path):
    options = client_options(settings(monkeypatch, tmp_path, KAFKA_BOOTSTRAP_SERVERS="broker:9092"))
    assert options == {"bootstrap_servers": "broker:9092", "security_protocol": "PLAINTEXT"}


async def test_sasl_settings_reach_every_client_the_kit_makes(monkeypatch, tmp_path):
    configured = settings(monkeypatch, tmp_path, **SASL)
    options = client_options(configured)
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("training", "pw-training-0123456789")
    assert "pw-training" not in repr(configured), "the password is kept out of logs and reprs"
    producer, consumer = relay_producer(configured), probe_consumer(configured)
    for client in (producer.client, consumer._client):  # noqa: SLF001 - what the connections will use
        assert (client._security_protocol, client._sasl_mechanism) == ("SASL_PLAINTEXT", "SCRAM-SHA-512")
        assert client._sasl_plain_username == "training"
    AIOKafkaAdminClient(**options)  # the admin client (ensure_topics) takes the same options


async def test_sasl_ssl_verifies_the_broker_with_a_certificate_context(monkeypatch, tmp_path):
    options = client_options(settings(monkeypatch, tmp_path, **{**SASL, "KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}))
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    AIOKafkaConsumer(**options)


@pytest.mark.parametrize("missing", ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"])
def test_sasl_without_a_username_or_password_is_refused_at_start(monkeypatch, tmp_path, missing):
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required"):
        settings(monkeypatch, tmp_path, **{k: v for k, v in SASL.items() if k != missing})


def test_an_unknown_protocol_or_mechanism_is_refused(monkeypatch, tmp_path):
    with pytest.raises(ValidationError, match="kafka_security_protocol|KAFKA_SECURITY_PROTOCOL"):
        settings(monkeypatch, tmp_path, KAFKA_SECURITY_PROTOCOL="SASL")
    monkeypatch.delenv("KAFKA_SECURITY_PROTOCOL")
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism|KAFKA_SASL_MECHANISM"):
        settings(monkeypatch, tmp_path, **SASL, KAFKA_SASL_MECHANISM="GSSAPI")


async def test_a_plain_address_still_makes_plaintext_options_for_tests_and_tansu():
    assert as_client_options("127.0.0.1:9092") == {"bootstrap_servers": "127.0.0.1:9092"}
    assert AIOKafkaProducer(**as_client_options("127.0.0.1:9092")).client._security_protocol == "PLAINTEXT"  # noqa: SLF001
