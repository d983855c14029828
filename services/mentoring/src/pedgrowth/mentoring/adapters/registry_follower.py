"""Follows `registry.events` from the beginning into the directory, on every start (as in training)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry

from pedgrowth.contracts import REGISTRY_EVENTS
from pedgrowth.kit.follower import TopicFollower

from .directory import Directory


class RegistryFollower(TopicFollower):
    """A background task of the mentoring service: registry facts into the directory."""

    def __init__(self, directory: Directory, bootstrap_servers: str | Mapping,
                 registry: CollectorRegistry | None = None, topic: str = REGISTRY_EVENTS):
        super().__init__("mentoring", topic, bootstrap_servers, directory.apply, registry)
        self.directory = directory
