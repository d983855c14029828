"""Prometheus metrics of one service process; a registry per service object, nothing global."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """The metrics every service exposes on /metrics; labels stay low-cardinality."""

    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events_recorded = Counter(
            "pedgrowth_events_recorded", "Inbound facts recorded in the event store",
            ["service", "type"], registry=r)
        self.events_published = Counter(
            "pedgrowth_events_published", "Contract events published to <service>.events by the relay",
            ["service"], registry=r)
        self.relay_backlog = Gauge(
            "pedgrowth_relay_backlog",
            "Contract events recorded but not yet published (receipts and other internal events are not counted)",
            ["service"], registry=r)
        self.relay_position = Gauge(
            "pedgrowth_relay_position", "Last notification id the broker acknowledged",
            ["service"], registry=r)
        self.relay_leader = Gauge(
            "pedgrowth_relay_leader", "1 in the replica whose relay publishes (holds the lease)",
            ["service"], registry=r)
        self.inbox_messages = Counter(
            "pedgrowth_inbox_messages", "Inbound events by outcome (accepted, duplicate, rejected)",
            ["service", "channel", "outcome"], registry=r)
        self.inbox_rejected = Counter(
            "pedgrowth_inbox_rejected", "Inbound events rejected, by reason",
            ["service", "channel", "reason"], registry=r)
        self.dlq_published = Counter(
            "pedgrowth_dlq_published", "Messages sent to <service>.inbox.dlq",
            ["service"], registry=r)
        self.waiting_facts = Gauge(
            "pedgrowth_waiting_facts", "Facts kept until the fact they refer to is recorded",
            ["service"], registry=r)
        self.waiting_oldest = Gauge(
            "pedgrowth_waiting_oldest_seconds", "Age of the oldest waiting fact (0 when none waits)",
            ["service"], registry=r)
        self.ready = Gauge(
            "pedgrowth_ready", "1 when the store and the broker answer", ["service"], registry=r)
        self.http_requests = Counter(
            "pedgrowth_http_requests", "HTTP requests by route and status class",
            ["service", "method", "route", "status"], registry=r)
        self.http_latency = Histogram(
            "pedgrowth_http_request_duration_seconds", "HTTP request latency",
            ["service", "method", "route"], registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
