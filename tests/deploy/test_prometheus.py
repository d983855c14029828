"""Prometheus: the config and alert rules pass promtool, the alerts fire as intended, /metrics lints clean."""

from __future__ import annotations

import asyncio
import importlib
import subprocess

import pytest
import yaml

from tests.support.services import auth, running, settings_for

from .metric_names import kit_exposition, known_names, referenced_names
from .support import PROMETHEUS_DIR, SERVICES, promtool, settings_class

RULE_FILES = sorted((PROMETHEUS_DIR / "rules").glob("*.yml"))
REQUIRED_ALERTS = {"PedgrowthRelayStalled", "PedgrowthDeadLettersGrowing", "PedgrowthConsumerLagRising",
                   "PedgrowthServiceNotReady", "PedgrowthServiceDown"}


def run_promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([promtool(), *args], input=stdin, check=False, capture_output=True, text=True,
                          cwd=PROMETHEUS_DIR, timeout=60)


def alert_rules() -> list[dict]:
    return [rule for path in RULE_FILES for group in yaml.safe_load(path.read_text())["groups"]
            for rule in group["rules"] if "alert" in rule]


def test_alert_rules_pass_promtool_check_rules():
    assert RULE_FILES
    done = run_promtool("check", "rules", *map(str, RULE_FILES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_alerts_fire_and_stay_quiet_as_their_promtool_unit_tests_say():
    tests = sorted((PROMETHEUS_DIR / "tests").glob("*.test.yml"))
    assert tests
    done = run_promtool("test", "rules", *map(str, tests))
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_has_a_unit_test():
    tested = set()
    for path in (PROMETHEUS_DIR / "tests").glob("*.test.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            tested |= {check["alertname"] for check in case.get("alert_rule_test", []) if check.get("exp_alerts")}
    assert {rule["alert"] for rule in alert_rules()} <= tested


def test_prometheus_config_passes_promtool_check_config():
    done = run_promtool("check", "config", "prometheus.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_alerts_the_operators_need_are_there_with_severity_and_summary():
    rules = alert_rules()
    assert REQUIRED_ALERTS <= {rule["alert"] for rule in rules}
    for rule in rules:
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


def test_alert_rules_use_only_metrics_that_exist():
    unknown = {rule["alert"]: referenced_names(rule["expr"]) - known_names() for rule in alert_rules()}
    assert {alert: names for alert, names in unknown.items() if names} == {}


def test_service_metrics_exposition_passes_promtool_check_metrics():
    exposition = kit_exposition()
    assert "pedgrowth_relay_backlog{" in exposition
    done = run_promtool("check", "metrics", stdin=exposition)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.broker
@pytest.mark.parametrize("service", SERVICES)
async def test_a_running_service_metrics_pass_promtool_check_metrics(service, kafka, tmp_path):
    tool = promtool()
    build = importlib.import_module(f"pedgrowth.{service}.bootstrap").build
    app = build(settings_for(settings_class(service), kafka, tmp_path))
    async with running(app) as client:
        rejected = await client.post("/api/v1/events", json={"specversion": "1.0"}, headers=auth())
        assert rejected.status_code == 422
        assert (await client.get("/ready")).status_code == 200
        response = await client.get("/metrics")
    assert response.status_code == 200
    exposition = response.text
    assert f'pedgrowth_inbox_rejected_total{{channel="http",reason="schema",service="{service}"}}' in exposition
    assert "pedgrowth_http_request_duration_seconds_bucket{" in exposition
    done = await asyncio.to_thread(subprocess.run, [tool, "check", "metrics"], input=exposition, check=False,
                                   capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
