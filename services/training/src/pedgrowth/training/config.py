"""Training settings (prefix TRAINING_)."""

from pydantic_settings import SettingsConfigDict

from pedgrowth.kit.config import ServiceSettings


class TrainingSettings(ServiceSettings):
    """Settings of the training service."""

    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore", populate_by_name=True)

    http_port: int = 8002
    follow_registry: bool = True
    """Read registry.events into the workplaces index that scopes reports to a municipality."""
