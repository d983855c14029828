"""Indicators settings (prefix INDICATORS_)."""

from pydantic_settings import SettingsConfigDict

from pedgrowth.kit.config import ServiceSettings


class IndicatorsSettings(ServiceSettings):
    """Settings of the indicators service."""

    model_config = SettingsConfigDict(env_prefix="INDICATORS_", extra="ignore", populate_by_name=True)

    http_port: int = 8000
