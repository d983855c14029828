"""Kafka access in docker-compose.yml: SASL/SCRAM on every listener others reach, ACLs per writer, no default password.

Without a Docker engine the broker cannot run here: the compose file's listener settings are
checked as Kafka reads them, and deploy/compose/kafka-access.sh is run against stand-ins of
kafka-configs.sh and kafka-acls.sh that record what it asks for.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict

import pytest
from pedgrowth.contracts.topics import SERVICES, dlq_topic, events_topic, inbox_group, inbox_topic

from .support import ROOT, compose, compose_environment, pedgrowth_services, settings_from

ACCESS_SCRIPT = ROOT / "deploy" / "compose" / "kafka-access.sh"
LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}


def kafka_env() -> dict[str, str]:
    return compose_environment(compose()["services"]["kafka"])


def listeners() -> dict[str, tuple[str, str]]:
    """Listener name → (host it binds, security protocol)."""
    env = kafka_env()
    protocols = dict(item.split(":", 1) for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    found = {}
    for listener in env["KAFKA_LISTENERS"].split(","):
        name, address = listener.split("://", 1)
        host, port = address.rsplit(":", 1)
        found[name] = (host, protocols[name], int(port))
    return found


def published_targets(service: dict) -> set[int]:
    return {int(str(p["target"] if isinstance(p, dict) else p).rsplit(":", 1)[-1].split("/")[0])
            for p in service.get("ports", [])}


def test_every_listener_reachable_from_outside_the_broker_takes_only_sasl_scram():
    env = kafka_env()
    for name, (host, protocol, _) in listeners().items():
        if host not in LOOPBACK:
            assert protocol in ("SASL_PLAINTEXT", "SASL_SSL"), f"{name} listens on {host or 'every address'} as {protocol}"
            jaas = env[f"KAFKA_LISTENER_NAME_{name}_SCRAM___SHA___512_SASL_JAAS_CONFIG"]
            assert "ScramLoginModule" in jaas and "password" not in jaas.lower()
    assert env["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split("@", 1)[1].split(":")[0] in LOOPBACK


def test_the_published_kafka_port_is_the_external_sasl_listener():
    by_port = {port: (name, protocol) for name, (_, protocol, port) in listeners().items()}
    published = published_targets(compose()["services"]["kafka"])
    assert published == {9094}
    assert by_port[9094] == ("EXTERNAL", "SASL_PLAINTEXT")
    advertised = kafka_env()["KAFKA_ADVERTISED_LISTENERS"]
    assert "EXTERNAL://" in advertised and "PLAINTEXT://" not in advertised.replace("SASL_PLAINTEXT://", "")


def test_acls_are_enforced_and_only_the_loopback_principal_is_super():
    env = kafka_env()
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert env["KAFKA_SUPER_USERS"] == "User:ANONYMOUS"
    anonymous = [name for name, (host, protocol, _) in listeners().items() if protocol in ("PLAINTEXT", "SSL")]
    assert anonymous and all(listeners()[name][0] in LOOPBACK for name in anonymous), (
        "an unauthenticated listener makes its clients the super user ANONYMOUS: loopback only")
    job = compose()["services"]["kafka-topics"]
    assert job["network_mode"] == "service:kafka", "the setup job reaches the loopback listener from the broker's namespace"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_signs_in_as_its_own_user(name):
    settings = settings_from(name, compose_environment(pedgrowth_services()[name]))
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert listeners()["INTERNAL"][2] == 9092
    assert settings.kafka_security_protocol == "SASL_PLAINTEXT"
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert settings.kafka_sasl_username == name
    raw = pedgrowth_services()[name]["environment"]["KAFKA_SASL_PASSWORD"]
    assert re.fullmatch(rf"\$\{{KAFKA_{name.upper()}_PASSWORD:\?[^}}]+\}}", raw)


def test_no_password_or_secret_has_a_default_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    secrets = [m for m in re.finditer(r"\$\{(?P<name>[A-Z0-9_]+)(?P<op>:?[-?])?[^}]*\}", text)
               if re.search(r"PASSWORD|SECRET", m["name"])]
    assert {m["name"] for m in secrets} >= {"PEDGROWTH_TOKEN_SECRET", "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD"} | {
        f"KAFKA_{s.upper()}_PASSWORD" for s in SERVICES}
    assert all(m["op"] == ":?" for m in secrets), [m[0] for m in secrets if m["op"] != ":?"]
    for service in compose()["services"].values():
        env = service.get("environment") or {}
        for key, value in (env.items() if isinstance(env, dict) else ()):
            if re.search(r"PASSWORD|SECRET", key):
                assert str(value).startswith("${") and ":?" in str(value), f"{key} is written into the file"
        for arg in service.get("command") or []:
            if "password" in str(arg):
                assert re.search(r"=\$\{[A-Z_]+:\?", str(arg)), f"{arg} is written into the file"


def run_access(tmp_path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, list[list[str]]]:
    """Run kafka-access.sh with stand-in Kafka tools; returns the result and each tool call's arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "calls.log"
    for tool in ("kafka-configs.sh", "kafka-acls.sh"):
        stand_in = bin_dir / tool
        stand_in.write_text(f'#!/bin/bash\nprintf "%s\\x1f" {tool} "$@" >> "{log}"\necho >> "{log}"\n')
        stand_in.chmod(0o755)
    environ = {"PATH": os.environ["PATH"], "KAFKA_BIN": str(bin_dir), **env}
    done = subprocess.run(["bash", str(ACCESS_SCRIPT), *args], env=environ, capture_output=True, text=True, timeout=30)
    calls = [line.rstrip("\x1f").split("\x1f") for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls


def grants(calls: list[list[str]]) -> dict[str, set[tuple[str, str, str]]]:
    """principal → {(operation, resource kind, resource name)} from the kafka-acls.sh calls."""
    found: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for call in calls:
        if call[0] != "kafka-acls.sh" or "--add" not in call:
            continue
        principal = call[call.index("--allow-principal") + 1].removeprefix("User:")
        operations = [call[i + 1] for i, a in enumerate(call) if a == "--operation"]
        kind = next(a.lstrip("-") for a in call if a in ("--topic", "--group", "--cluster"))
        name = call[call.index(f"--{kind}") + 1] if kind != "cluster" else "kafka-cluster"
        found[principal] |= {(op, kind, name) for op in operations}
    return found


PASSWORDS = {f"KAFKA_{s.upper()}_PASSWORD": f"pw-{s}-0123456789abcdef" for s in (*SERVICES, "exporter")}


def topics_with(granted: set[tuple[str, str, str]], *operations: str) -> set[str]:
    return {name for op, kind, name in granted if kind == "topic" and op in operations}


def test_setup_gives_each_service_its_own_topics_and_the_indicators_every_events_topic(tmp_path):
    done, calls = run_access(tmp_path, "setup", **PASSWORDS)
    assert done.returncode == 0, done.stderr
    granted = grants(calls)
    users = {c[c.index("--entity-name") + 1] for c in calls if c[0] == "kafka-configs.sh"}
    assert users == {*SERVICES, "exporter"}
    for s in SERVICES:
        assert topics_with(granted[s], "Write") == {dlq_topic(s), events_topic(s)}, s
        assert ("Read", "group", inbox_group(s)) in granted[s]
    own = {s: {inbox_topic(s), dlq_topic(s), events_topic(s)} for s in SERVICES}
    assert topics_with(granted["registry"], "Read") == own["registry"]
    for follower in ("training", "mentoring"):
        assert topics_with(granted[follower], "Read") == own[follower] | {events_topic("registry")}
    assert topics_with(granted["indicators"], "Read") == own["indicators"] | {events_topic(s) for s in SERVICES}
    assert {op for op, _, _ in granted["exporter"]} <= {"Describe", "DescribeConfigs"}
    passwords = [c for c in calls if any("password=" in a for a in c)]
    assert {next(a for a in c if "password=" in a).split("password=")[1].rstrip("]") for c in passwords} == set(PASSWORDS.values())


def test_a_school_system_may_only_write_the_inboxes(tmp_path):
    done, calls = run_access(tmp_path, "school-system", "sch-042")
    assert done.returncode == 0, done.stderr
    granted = grants(calls)["sch-042"]
    assert topics_with(granted, "Write") == {inbox_topic(s) for s in SERVICES}
    assert topics_with(granted, "Read") == set()
    assert {kind for _, kind, _ in granted} == {"topic", "cluster"}
    generated = re.search(r"password for sch-042 \(shown once\): (\S+)", done.stdout)[1]
    assert len(generated) >= 24
    assert any(f"password={generated}]" in a for c in calls for a in c)


def test_setup_refuses_to_run_without_a_password_and_a_school_system_may_not_take_a_service_name(tmp_path):
    missing = {k: v for k, v in PASSWORDS.items() if k != "KAFKA_TRAINING_PASSWORD"}
    done, _ = run_access(tmp_path, "setup", **missing)
    assert done.returncode != 0 and "KAFKA_TRAINING_PASSWORD is not set" in done.stderr
    done, calls = run_access(tmp_path / "school", "school-system", "registry")
    assert done.returncode != 0 and not grants(calls).get("registry")
    weak, _ = run_access(tmp_path / "weak", "setup", **{**PASSWORDS, "KAFKA_REGISTRY_PASSWORD": "short"})
    assert weak.returncode != 0 and "password of registry" in weak.stderr
