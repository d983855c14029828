"""Settings every service reads; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .auth import check_dev_token


def shared(name: str, default):
    """A setting read from one unprefixed variable shared by all services."""
    return Field(default, validation_alias=AliasChoices(name, name.lower()))


class ServiceSettings(BaseSettings):
    """Settings common to the four services.

    Prefixed ones (``REGISTRY_DATA_DIR``…) belong to one service; the Kafka and
    token ones are shared so one environment configures the whole system.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    data_dir: Path = Path("var")
    database_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8000

    kafka_bootstrap_servers: str = shared("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    kafka_enable_idempotence: bool = shared("KAFKA_ENABLE_IDEMPOTENCE", True)
    kafka_topic_partitions: int = shared("KAFKA_TOPIC_PARTITIONS", 3)
    kafka_replication_factor: int = shared("KAFKA_REPLICATION_FACTOR", 1)
    # A consumer joining a group waits about half of this on Tansu; Apache Kafka's minimum is 6000.
    kafka_session_timeout_ms: int = shared("KAFKA_SESSION_TIMEOUT_MS", 10_000)
    # How long a fetch may wait for data: Apache Kafka answers as soon as data arrives, Tansu only then.
    kafka_fetch_max_wait_ms: int = shared("KAFKA_FETCH_MAX_WAIT_MS", 50)
    # Kafka access (docs/operations.md): PLAINTEXT for Tansu; docker-compose uses SASL_PLAINTEXT with SCRAM.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = shared(
        "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = shared(
        "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    kafka_sasl_username: str | None = shared("KAFKA_SASL_USERNAME", None)
    kafka_sasl_password: SecretStr | None = shared("KAFKA_SASL_PASSWORD", None)

    token_secret: str | None = shared("PEDGROWTH_TOKEN_SECRET", None)
    dev_token: str | None = shared("PEDGROWTH_DEV_TOKEN", None)
    environment: str = shared("PEDGROWTH_ENV", "development")

    # Request limits (docs/architecture.md, "Bad input"): checked while the body is read, before parsing.
    max_json_bytes: int = shared("PEDGROWTH_MAX_JSON_BYTES", 5 * 1024 * 1024)
    max_upload_bytes: int = shared("PEDGROWTH_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    max_events_per_request: int = shared("PEDGROWTH_MAX_EVENTS_PER_REQUEST", 5_000)

    # Imports (kit/imports.py, kit/tables.py; prefixed: REGISTRY_IMPORT_MAX_ROWS...): a file over a bound is refused.
    import_max_bytes: int = 10 * 1024 * 1024
    import_max_rows: int = 50_000
    import_max_columns: int = 64
    import_max_cells: int = 2_000_000
    import_max_unpacked_bytes: int = 256 * 1024 * 1024
    import_workers: int = 2
    """Imports read and recorded at once, on threads of their own."""
    import_queue: int = 4
    """Imports admitted to wait for a worker; past that an import is 503 with Retry-After."""

    relay_batch_size: int = 500
    relay_poll_seconds: float = 0.05
    inbox_max_attempts: int = 3
    inbox_batch_size: int = 500
    # A fact whose reference is not recorded waits this long before its dead letter (unresolved_reference).
    waiting_max_age_seconds: float = 7 * 24 * 3600.0
    # How often waiting facts are checked: overdue ones refused, gauges refreshed, refusals dead-lettered.
    waiting_sweep_seconds: float = 5.0

    @model_validator(mode="after")
    def _dev_token_allowed(self) -> "ServiceSettings":
        # Refuse to start with a guessable admin backdoor, or with any in production.
        self.dev_token = check_dev_token(self.dev_token, self.environment)
        return self

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> "ServiceSettings":
        if self.kafka_security_protocol.startswith("SASL_") and not (
                self.kafka_sasl_username and self.kafka_sasl_password and self.kafka_sasl_password.get_secret_value()):
            raise ValueError(f"KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with "
                             f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol}")
        return self

    @property
    def consumer_group_timeouts(self) -> dict[str, int]:
        """Session, heartbeat and rebalance timeouts for every consumer group of the service."""
        session = self.kafka_session_timeout_ms
        return {"session_timeout_ms": session, "heartbeat_interval_ms": max(100, session // 4),
                "rebalance_timeout_ms": session}

    @property
    def service(self) -> str:
        """The service's name, taken from the env prefix."""
        return self.model_config["env_prefix"].rstrip("_").lower()
