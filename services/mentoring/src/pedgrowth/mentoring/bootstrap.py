"""The composition root of the mentoring service."""

from __future__ import annotations

from fastapi import FastAPI

from pedgrowth.kit.errors import REJECTIONS
from pedgrowth.kit.http import create_app
from pedgrowth.kit.imports import body_limit
from pedgrowth.kit.kafka import client_options
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.service import Parts, Service
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env

from .access import Access
from .adapters.directory import Directory
from .adapters.registry_follower import RegistryFollower
from .application import MentoringApplication
from .config import MentoringSettings
from .entrypoints.http import IMPORT_PATH, router
from .translation import to_contract


def build(settings: MentoringSettings | None = None, application: MentoringApplication | None = None,
          directory: Directory | None = None) -> FastAPI:
    """Wire the mentoring service; tests pass settings (and may pass an application or a directory)."""
    settings = settings or MentoringSettings()
    if application is None:
        env = eventsourcing_env(settings)
        ensure_postgres_schema(env)
        env["MENTORING_MAX_MENTEES"] = str(settings.max_mentees)
        application = MentoringApplication(env=env)
    directory = directory or Directory()
    access = Access(directory, application)
    metrics = Metrics()
    follower = RegistryFollower(directory, client_options(settings), registry=metrics.registry)
    parts = Parts(
        settings=settings, application=application, translate=to_contract, rejections=dict(REJECTIONS),
        routers=[router], authorize_write=access.authorize_write, background=[follower],
        body_limits={IMPORT_PATH: body_limit(settings)},
        title="pedgrowth mentoring",
        description="Mentors and mentees (базы наставников и наставляемых), mentor–mentee pairs, professional "
                    "communities and methodical associations, support events; bulk import of pairs and "
                    "attendance lists.",
    )
    service = Service(parts, metrics)
    app = create_app(service)
    app.state.directory = directory
    app.state.access = access
    app.state.registry_follower = follower
    return app
