"""The composition root of the registry service."""

from __future__ import annotations

from fastapi import FastAPI

from pedgrowth.kit.errors import REJECTIONS
from pedgrowth.kit.http import create_app
from pedgrowth.kit.imports import body_limit
from pedgrowth.kit.service import Parts, Service
from pedgrowth.kit.store import ensure_postgres_schema, eventsourcing_env

from .access import Access
from .application import RegistryApplication
from .config import RegistrySettings
from .entrypoints.http import IMPORT_PATH, router
from .translation import to_contract


def application_env(settings: RegistrySettings) -> dict[str, str]:
    """The event store (encrypted when a key is set) and the registry's own knobs."""
    env = eventsourcing_env(settings, cipher_key=settings.cipher_key)
    env["FUTURE_TOLERANCE_DAYS"] = str(settings.future_tolerance_days)
    return env


def build(settings: RegistrySettings | None = None, application: RegistryApplication | None = None) -> FastAPI:
    """Wire the registry service; tests pass settings (and may pass an application)."""
    settings = settings or RegistrySettings()
    if application is None:
        env = application_env(settings)
        ensure_postgres_schema(env)
        application = RegistryApplication(env=env)
    access = Access(application)
    parts = Parts(
        settings=settings, application=application, translate=to_contract, rejections=dict(REJECTIONS),
        routers=[router], authorize_write=access.authorize_write, title="pedgrowth registry",
        body_limits={IMPORT_PATH: body_limit(settings)},
        description="The municipal staff register (кадровый реестр): organisations, employments of pedagogical "
                    "staff, education profile, vacancies, managers' reserve; bulk import of staff lists "
                    "(CSV, XLSX) and XLSX export.",
    )
    app = create_app(Service(parts))
    app.state.access = access
    return app
