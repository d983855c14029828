"""Follows `registry.events` from the beginning into the workplaces index, on every start (as in mentoring)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry

from pedgrowth.contracts import REGISTRY_EVENTS, Fact
from pedgrowth.kit.follower import TopicFollower

from .workplaces import Workplaces


class RegistryFollower(TopicFollower):
    """A background task of the training service: registry facts into the workplaces index."""

    def __init__(self, workplaces: Workplaces, bootstrap_servers: str | Mapping, registry: CollectorRegistry | None = None,
                 topic: str = REGISTRY_EVENTS):
        super().__init__("training", topic, bootstrap_servers, self.place, registry)
        self.workplaces = workplaces

    def place(self, fact: Fact) -> None:
        self.workplaces.apply(fact.data)
