"""The composition root of the indicators service."""

from __future__ import annotations

from fastapi import FastAPI

from pedgrowth.kit.errors import REJECTIONS
from pedgrowth.kit.http import create_app
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.service import Parts, Service
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env

from .access import Access
from .application import IndicatorsApplication
from .config import IndicatorsSettings
from .engine.collector import pace_collector
from .entrypoints import api, cycle, dashboard, members, pages, planning, plans, uploads
from .projection.wiring import projection_parts
from .translation import to_contract


def build(settings: IndicatorsSettings | None = None, application: IndicatorsApplication | None = None) -> FastAPI:
    """Wire the indicators service; tests pass settings (and may pass an application)."""
    settings = settings or IndicatorsSettings()
    pace_collector()  # the engine's millions of long-lived objects: full collections were a fifth of its time
    if application is None:
        env = eventsourcing_env(settings)
        ensure_postgres_schema(env)
        application = IndicatorsApplication(env=env)
    metrics = Metrics()
    read_model, background = projection_parts(settings, metrics.registry)
    access = Access(application, placement=lambda scope: read_model.answers.placement(scope))
    parts = Parts(
        settings=settings, application=application, translate=to_contract, rejections=dict(REJECTIONS),
        routers=[plans.router, cycle.router, pages.router, uploads.router, planning.router, members.router, dashboard.router,
                 api.router(read_model, access)],
        authorize_write=access.authorize_write, background=background,
        title="pedgrowth indicators",
        description="",
    )
    app = create_app(Service(parts, metrics))
    app.state.read_model = read_model
    app.state.access = access
    return app
