"""Registry settings (prefix REGISTRY_)."""

from pydantic_settings import SettingsConfigDict

from pedgrowth.kit.config import ServiceSettings


class RegistrySettings(ServiceSettings):
    """Settings of the registry service."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", populate_by_name=True)

    http_port: int = 8001
