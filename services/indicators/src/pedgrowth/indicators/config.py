"""Indicators settings (prefix INDICATORS_)."""

from pedgrowth.contracts import PROJECTION_GROUP
from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from pedgrowth.kit.config import ServiceSettings


class IndicatorsSettings(ServiceSettings):
    """Settings of the indicators service."""

    model_config = SettingsConfigDict(env_prefix="INDICATORS_", extra="ignore", populate_by_name=True)

    http_port: int = 8000

    # the projection and the read model (see docs/indicators.md)
    read_model_url: str | None = None  # sqlite:///…, postgresql://…?schema=…, mongodb://…/db; default SQLite in data_dir
    projection_batch_size: int = 2000
    projection_group: str = PROJECTION_GROUP  # the consumer group the projection's instances form
    shards: int = 0  # > 0: instances share the partitions and one PostgreSQL read model, computing this many shards
    values_refresh_seconds: float = 10.0  # how often the persisted yearly values are recomputed
    indicator_gauge_scopes: int = 50  # at most this many scopes get pedgrowth_indicator_value gauges

    # the other services, for the operator's pages (uploads go to the owning service, names come from the registry)
    registry_url: str = "http://127.0.0.1:8001"
    training_url: str = "http://127.0.0.1:8002"
    mentoring_url: str = "http://127.0.0.1:8003"
    peer_timeout_seconds: float = 120.0

    @model_validator(mode="after")
    def _shards_need_postgres(self):
        if self.shards < 0:
            raise ValueError("INDICATORS_SHARDS: must be 0 (one writer per store) or the number of shards")
        if self.shards and not (self.read_model_url or "").startswith(("postgresql://", "postgres://")):
            raise ValueError("INDICATORS_SHARDS: instances share their work through a PostgreSQL read model; "
                             "set INDICATORS_READ_MODEL_URL=postgresql://… (or INDICATORS_SHARDS=0)")
        return self
