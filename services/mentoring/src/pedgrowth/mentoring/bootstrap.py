"""The composition root of the mentoring service."""

from __future__ import annotations

from fastapi import FastAPI

from pedgrowth.kit.http import create_app
from pedgrowth.kit.service import Parts, Service
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env

from .application import MentoringApplication
from .config import MentoringSettings
from .domain.errors import Conflict, RuleViolation, UnknownReference
from .translation import to_contract

REJECTIONS = {RuleViolation: 422, UnknownReference: 422, Conflict: 409}


def build(settings: MentoringSettings | None = None, application: MentoringApplication | None = None) -> FastAPI:
    """Wire the mentoring service; tests pass settings (and may pass an application)."""
    settings = settings or MentoringSettings()
    if application is None:
        env = eventsourcing_env(settings)
        ensure_postgres_schema(env)
        application = MentoringApplication(env=env)
    parts = Parts(
        settings=settings, application=application, translate=to_contract, rejections=REJECTIONS,
        routers=[], title="pedgrowth mentoring",
        description="",
    )
    return create_app(Service(parts))
