"""Following `registry.events` into the workplaces index (training's only consumer of another service)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pedgrowth.contracts import REGISTRY_EVENTS, Fact
from pedgrowth.kit.config import ServiceSettings
from pedgrowth.kit.follower import TopicFollower

from ..adapters.workplaces import Workplaces


class RegistryFollower(TopicFollower):
    """Reads `registry.events` from the beginning on every start into the in-memory workplaces index."""

    def __init__(self, workplaces: Workplaces, settings: ServiceSettings, registry: CollectorRegistry):
        super().__init__("training", REGISTRY_EVENTS, settings.kafka_bootstrap_servers, self.place, registry)
        self.workplaces = workplaces

    def place(self, fact: Fact) -> None:
        self.workplaces.apply(fact.data)

    run = TopicFollower.__call__
    apply = TopicFollower.take
