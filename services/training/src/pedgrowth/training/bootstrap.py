"""The composition root of the training service."""

from __future__ import annotations

from fastapi import FastAPI

from pedgrowth.kit.errors import REJECTIONS as DOMAIN_REJECTIONS
from pedgrowth.kit.http import create_app
from pedgrowth.kit.imports import body_limit
from pedgrowth.kit.kafka import client_options
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.service import Parts, Service
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env
from pedgrowth.kit.tables import TableError

from .access import Access
from .adapters.registry_follower import RegistryFollower
from .application import TrainingApplication
from .config import TrainingSettings
from .entrypoints.http import IMPORT_PATH, router
from .translation import to_contract


REJECTIONS = {**DOMAIN_REJECTIONS, TableError: 422}


def build(settings: TrainingSettings | None = None, application: TrainingApplication | None = None) -> FastAPI:
    """Wire the training service; tests pass settings (and may pass an application)."""
    settings = settings or TrainingSettings()
    if application is None:
        env = eventsourcing_env(settings)
        ensure_postgres_schema(env)
        application = TrainingApplication(env=env)
    access = Access(application.workplaces, request_person=application.request_person)
    metrics = Metrics()
    background = []
    if settings.follow_registry:
        background.append(RegistryFollower(application.workplaces, client_options(settings), metrics.registry))
    parts = Parts(
        settings=settings, application=application, translate=to_contract, rejections=dict(REJECTIONS),
        routers=[router], authorize_write=access.authorize_write, background=background, title="pedgrowth training",
        body_limits={IMPORT_PATH: body_limit(settings)},
        description="Providers, programmes (ДПП), course completions, diagnostics, routes (ИОМ), "
                    "attestation, competitions, independent qualification assessment.",
    )
    app = create_app(Service(parts, metrics))
    app.state.access = access
    return app
