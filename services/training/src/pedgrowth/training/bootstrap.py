"""The composition root of the training service."""

from __future__ import annotations

from fastapi import FastAPI

from pedgrowth.kit.http import create_app
from pedgrowth.kit.service import Parts, Service
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env

from .application import TrainingApplication
from .config import TrainingSettings
from .domain.errors import Conflict, RuleViolation, UnknownReference
from .entrypoints.http import router
from .translation import to_contract

REJECTIONS = {RuleViolation: 422, UnknownReference: 422, Conflict: 409}


def build(settings: TrainingSettings | None = None, application: TrainingApplication | None = None) -> FastAPI:
    """Wire the training service; tests pass settings (and may pass an application)."""
    settings = settings or TrainingSettings()
    if application is None:
        env = eventsourcing_env(settings)
        ensure_postgres_schema(env)
        application = TrainingApplication(env=env)
    parts = Parts(
        settings=settings, application=application, translate=to_contract, rejections=REJECTIONS,
        routers=[router], title="pedgrowth training",
        description="Providers, programmes (ДПП), course completions, diagnostics, routes (ИОМ), "
                    "attestation, competitions, independent qualification assessment.",
    )
    return create_app(Service(parts))
