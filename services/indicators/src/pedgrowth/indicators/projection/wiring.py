"""How the projection plugs into the service: the read model and its background work."""

from __future__ import annotations

import asyncio
import logging

from pedgrowth.contracts import PROJECTION_TOPICS
from pedgrowth.kit.kafka import client_options, ensure_topics
from prometheus_client import CollectorRegistry

from ..config import IndicatorsSettings
from ..domain.plan import SURVEY_NAMES
from ..readmodel.factory import store_for
from ..readmodel.sql import PostgresStore
from .consumer import Projection, refresh_values_periodically
from .metrics import ProjectionMetrics
from .readmodel import ReadModel
from .shared import SharedProjection, SharedReadModel

log = logging.getLogger(__name__)


def projection_parts(settings: IndicatorsSettings, registry: CollectorRegistry | None = None):
    """The read model the API reads, and the background tasks that keep it current."""
    metrics = ProjectionMetrics(registry, settings.indicator_gauge_scopes)
    if settings.shards:  # several instances share the partitions (docs/operations.md)
        read_model = SharedReadModel(PostgresStore(settings.read_model_url, shared=True), settings.shards, metrics,
                                     survey_names=SURVEY_NAMES, batch_size=settings.projection_batch_size)
    else:
        read_model = ReadModel(store_for(settings.read_model_url, settings.data_dir), metrics,
                               survey_names=SURVEY_NAMES)

    async def project(_service, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    await ensure_topics(settings, list(PROJECTION_TOPICS), unlimited=set(PROJECTION_TOPICS))
                    break
                except Exception as error:  # noqa: BLE001 - the broker may come up after us
                    log.warning("projection: cannot create its topics yet (%r); retrying", error)
                    await asyncio.sleep(2)
            kind = SharedProjection if settings.shards else Projection
            projection = kind(read_model, client_options(settings), settings.projection_batch_size,
                              group=settings.projection_group)
            read_model.projection = projection
            await projection.run(stop)
        finally:
            await read_model.store.close()

    async def refresh(_service, stop: asyncio.Event) -> None:
        await refresh_values_periodically(read_model, stop, settings.values_refresh_seconds)

    return read_model, [project, refresh]
