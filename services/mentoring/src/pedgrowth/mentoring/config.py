"""Mentoring settings (prefix MENTORING_)."""

from pydantic_settings import SettingsConfigDict

from pedgrowth.kit.config import ServiceSettings


class MentoringSettings(ServiceSettings):
    """Settings of the mentoring service."""

    model_config = SettingsConfigDict(env_prefix="MENTORING_", extra="ignore", populate_by_name=True)

    http_port: int = 8003
    max_mentees: int = 5
    """A mentor has at most this many active mentees (MENTORING_MAX_MENTEES)."""
