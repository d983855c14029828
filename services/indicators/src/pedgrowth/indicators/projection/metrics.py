"""The projection's own Prometheus metrics, registered on the service's registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ProjectionMetrics:
    """Lag per partition, apply latency, events applied / duplicate / ignored, indicator values."""

    def __init__(self, registry: CollectorRegistry | None = None, max_scopes: int = 50):
        r = registry or CollectorRegistry()
        self.max_scopes = max_scopes
        self.lag = Gauge("pedgrowth_projection_lag", "Messages on the topic partition not yet applied",
                         ["topic", "partition"], registry=r)
        self.apply_seconds = Histogram(
            "pedgrowth_projection_apply_seconds", "Time to apply one batch (decode, store, index)", registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.events = Counter("pedgrowth_projection_events", "Events read by the projection, by outcome "
                              "(applied, duplicate, ignored)", ["outcome"], registry=r)
        self.held = Gauge("pedgrowth_projection_events_held", "Events the read model holds", registry=r)
        self.log_lag = Gauge("pedgrowth_projection_log_lag", "Facts of the shared log (INDICATORS_SHARDS) this "
                             "instance has not applied yet", registry=r)
        self.shards = Gauge("pedgrowth_projection_shards", "Shards this instance computes (INDICATORS_SHARDS)",
                            registry=r)
        self.indicator_value = Gauge(
            "pedgrowth_indicator_value", "Current value of an indicator for a municipality or region scope",
            ["scope", "indicator"], registry=r)
        self._scopes: set[str] = set()

    def set_indicator(self, scope: str, indicator: str, value: float | None) -> None:
        """Set a gauge; at most ``max_scopes`` scopes get gauges, so the cardinality stays bounded."""
        if scope not in self._scopes:
            if len(self._scopes) >= self.max_scopes:
                return
            self._scopes.add(scope)
        if value is None:
            self.indicator_value.labels(scope, indicator).set(float("nan"))
        else:
            self.indicator_value.labels(scope, indicator).set(value)
