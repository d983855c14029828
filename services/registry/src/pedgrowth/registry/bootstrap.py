"""The composition root of the registry service."""

from __future__ import annotations

from fastapi import FastAPI

from pedgrowth.kit.http import create_app
from pedgrowth.kit.service import Parts, Service
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env

from .application import RegistryApplication
from .config import RegistrySettings
from .domain.errors import Conflict, RuleViolation, UnknownReference
from .translation import to_contract

REJECTIONS = {RuleViolation: 422, UnknownReference: 422, Conflict: 409}


def build(settings: RegistrySettings | None = None, application: RegistryApplication | None = None) -> FastAPI:
    """Wire the registry service; tests pass settings (and may pass an application)."""
    settings = settings or RegistrySettings()
    if application is None:
        env = eventsourcing_env(settings)
        ensure_postgres_schema(env)
        application = RegistryApplication(env=env)
    parts = Parts(
        settings=settings, application=application, translate=to_contract, rejections=REJECTIONS,
        routers=[], title="pedgrowth registry",
        description="",
    )
    return create_app(Service(parts))
