"""Follows `registry.events` from the beginning into the directory, on every start."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from pedgrowth.contracts import REGISTRY_EVENTS
from pedgrowth.kit.follower import TopicFollower

from .directory import Directory


class RegistryFeed(TopicFollower):
    """A background task of the mentoring service: registry facts into the directory."""

    def __init__(self, directory: Directory, bootstrap_servers: str, topic: str = REGISTRY_EVENTS,
                 registry: CollectorRegistry | None = None):
        super().__init__("mentoring", topic, bootstrap_servers, directory.apply, registry)
        self.directory = directory
