"""Metric names the services expose, and the names the alert rules and the dashboard use."""

from __future__ import annotations

import re
from functools import cache

from pedgrowth.kit.metrics import Metrics
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.parser import text_string_to_metric_families

from .support import ROOT

# Metrics of the Kafka exporter in docker-compose.yml (danielqsj/kafka-exporter), and Prometheus' own `up`.
EXPORTER = {
    "up",
    "kafka_consumergroup_lag", "kafka_consumergroup_lag_sum",
    "kafka_consumergroup_current_offset", "kafka_consumergroup_current_offset_sum",
    "kafka_topic_partition_current_offset", "kafka_topic_partition_oldest_offset",
}
# Families only the indicators service defines (projection, indicator gauges).
INDICATORS_FAMILIES = ("pedgrowth_projection_", "pedgrowth_indicator_")


def touched(metrics: Metrics) -> CollectorRegistry:
    """The registry with one child of every metric set once, so each family shows its samples."""
    for metric in vars(metrics).values():
        if not isinstance(metric, MetricWrapperBase):
            continue
        labels = metric._labelnames
        child = metric.labels(*["x"] * len(labels)) if labels else metric
        if metric._type == "counter":
            child.inc()
        elif metric._type == "gauge":
            child.set(1)
        else:
            child.observe(0.01)
    return metrics.registry


@cache
def kit_exposition() -> str:
    return generate_latest(touched(Metrics())).decode()


def sample_names(exposition: str) -> set[str]:
    return {sample.name for family in text_string_to_metric_families(exposition) for sample in family.samples}


@cache
def indicators_names() -> set[str]:
    """Names the indicators service's source defines (literal metric names), with their sample suffixes."""
    names = set()
    for path in (ROOT / "services" / "indicators" / "src").rglob("*.py"):
        for name in re.findall(r"[\"'](pedgrowth_[a-z0-9_]+)[\"']", path.read_text()):
            base = name.removesuffix("_total")
            names |= {base, f"{base}_total", f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return names


def known_names() -> set[str]:
    return sample_names(kit_exposition()) | EXPORTER | indicators_names()


FUNCTIONS_AND_KEYWORDS = {
    "sum", "min", "max", "avg", "count", "rate", "irate", "increase", "delta", "deriv", "histogram_quantile",
    "by", "without", "on", "ignoring", "and", "or", "unless", "group_left", "group_right", "offset",
    "topk", "bottomk", "abs", "clamp_min", "clamp_max", "label_replace", "vector", "time", "bool",
}


def referenced_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (label names, functions and durations left out)."""
    without_labels = re.sub(r"\{[^}]*\}", "{}", expr)
    without_groupings = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", without_labels)
    without_ranges = re.sub(r"\[[^\]]*\]", "[]", without_groupings)
    without_strings = re.sub(r"\"[^\"]*\"", "\"\"", without_ranges)
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_strings))
    return {w for w in words if w not in FUNCTIONS_AND_KEYWORDS and not re.fullmatch(r"\d+[smhdwy]", w)}
