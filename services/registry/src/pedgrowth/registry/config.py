"""Registry settings (prefix REGISTRY_)."""

from pydantic_settings import SettingsConfigDict

from pedgrowth.kit.config import ServiceSettings


class RegistrySettings(ServiceSettings):
    """Settings of the registry service."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", populate_by_name=True)

    http_port: int = 8001
    future_tolerance_days: int = 1
    """Facts may be dated up to this many days after today (clock skew, time zones), not later."""
    cipher_key: str | None = None
    """Base64 AES key (16, 24 or 32 bytes): when set, stored events are encrypted at rest."""
