"""docker-compose.yml: valid Compose, the production shape, and only settings the services read."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from pedgrowth.contracts.topics import PROJECTION_TOPICS, dlq_topic, events_topic, inbox_topic
from pedgrowth.kit.store import postgres_env

from .support import (
    COMPOSE_SCHEMA,
    PROMETHEUS_DIR,
    ROOT,
    SERVICES,
    compose,
    compose_environment,
    default_port,
    local_distributions,
    pedgrowth_services,
    pyproject,
    settings_from,
    unread_variables,
)


def service(name: str) -> dict:
    return compose()["services"][name]


def published_ports(svc: dict) -> set[int]:
    ports = set()
    for port in svc.get("ports", []):
        target = port["target"] if isinstance(port, dict) else str(port).rsplit(":", 1)[-1]
        ports.add(int(str(target).split("/")[0]))
    return ports


def test_compose_file_matches_the_compose_specification_schema():
    if not COMPOSE_SCHEMA.exists():
        pytest.skip(f"Compose JSON Schema not found at {COMPOSE_SCHEMA} (shared/ is not beside the repository)")
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    # The file names draft-07 by a URL jsonschema does not know ("…/draft-07/schema", no "#").
    draft7 = "draft-07" in schema.get("$schema", "")
    validator_class = jsonschema.Draft7Validator if draft7 else jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_every_pedgrowth_service_is_built_from_its_own_dockerfile_at_the_repository_root():
    built = pedgrowth_services()
    assert set(built) == set(SERVICES)
    for svc in built.values():
        assert svc["build"]["context"] == "."
        assert (ROOT / svc["build"]["dockerfile"]).is_file()


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_names_only_settings_the_service_reads(name):
    environment = compose_environment(pedgrowth_services()[name])
    assert environment, f"{name} has no environment in docker-compose.yml"
    assert unread_variables(name, environment) == []


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_values_are_valid_settings(name):
    settings = settings_from(name, compose_environment(pedgrowth_services()[name]))
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.kafka_topic_partitions == 3
    assert settings.token_secret, "services must verify tokens with PEDGROWTH_TOKEN_SECRET"


@pytest.mark.parametrize("name", SERVICES)
def test_each_event_store_is_a_schema_of_its_own_in_the_one_postgres_database(name):
    settings = settings_from(name, compose_environment(pedgrowth_services()[name]))
    assert settings.database_url, f"{name} would fall back to SQLite inside its container"
    env = postgres_env(settings.database_url)
    database = service("postgres")["environment"]["POSTGRES_DB"]
    assert (env["POSTGRES_HOST"], env["POSTGRES_DBNAME"]) == ("postgres", database)
    assert env["POSTGRES_SCHEMA"] == name


@pytest.mark.parametrize("name", SERVICES)
def test_service_publishes_the_port_its_settings_default_to(name):
    assert published_ports(pedgrowth_services()[name]) == {default_port(name)}


@pytest.mark.parametrize("name", SERVICES)
def test_services_start_after_the_topics_exist_and_the_database_answers(name):
    depends = pedgrowth_services()[name]["depends_on"]
    assert depends["kafka-topics"]["condition"] == "service_completed_successfully"
    assert depends["postgres"]["condition"] == "service_healthy"


def test_kafka_is_one_apache_kafka_node_in_kraft_mode_with_three_partitions():
    kafka = service("kafka")
    env = kafka["environment"]
    assert kafka["image"].startswith("apache/kafka:")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert not any("ZOOKEEPER" in key for key in env)
    assert int(env["KAFKA_NUM_PARTITIONS"]) == 3
    assert "INTERNAL://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]  # SASL: tests/deploy/test_kafka_access.py
    assert any(v.startswith("kafka-data:") for v in kafka["volumes"])


def topics_script() -> str:
    job = service("kafka-topics")
    mount = next(v for v in job["volumes"] if v.startswith("./deploy/compose/"))
    return (ROOT / mount.split(":")[0]).read_text()


def script_topics(variable: str) -> set[str]:
    match = re.search(rf'^{variable}="([^"]*)"', topics_script(), re.MULTILINE)
    assert match, f"{variable} not set in the topics script"
    return set(match[1].split())


def test_topic_job_creates_every_contract_topic_with_three_partitions():
    assert script_topics("EVENTS_TOPICS") == set(PROJECTION_TOPICS) == {events_topic(s) for s in SERVICES}
    assert script_topics("INBOX_TOPICS") == {inbox_topic(s) for s in SERVICES}
    assert script_topics("DLQ_TOPICS") == {dlq_topic(s) for s in SERVICES}
    assert service("kafka-topics")["environment"]["PARTITIONS"] == "3"


def test_event_topics_keep_everything():
    script = topics_script()
    events_loop = script[script.index("for topic in $EVENTS_TOPICS"):]
    events_loop = events_loop[:events_loop.index("done")]
    assert "retention.ms=-1" in events_loop and "retention.bytes=-1" in events_loop


def test_mongodb_runs_as_a_one_node_replica_set_it_initiates_itself():
    mongo = service("mongodb")
    command = mongo["command"]
    assert command[command.index("--replSet") + 1] == "rs0"
    probe = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in probe and "mongodb:27017" in probe
    assert pedgrowth_services()["indicators"]["depends_on"]["mongodb"]["condition"] == "service_healthy"


def test_prometheus_scrapes_each_service_on_its_port():
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name in SERVICES:
        targets = [t for sc in jobs[name]["static_configs"] for t in sc["targets"]]
        assert targets == [f"{name}:{default_port(name)}"]
        assert jobs[name].get("metrics_path", "/metrics") == "/metrics"
        assert name in compose()["services"], f"{name} is scraped but not in docker-compose.yml"


def test_prometheus_and_grafana_mount_files_that_exist():
    for name in ("prometheus", "grafana", "kafka-topics"):
        for volume in service(name)["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repository"
    assert any(v.startswith("./deploy/prometheus:/etc/prometheus") for v in service("prometheus")["volumes"])


def test_secrets_are_required_or_defaulted_never_written_into_the_file():
    text = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r"PEDGROWTH_TOKEN_SECRET: \$\{PEDGROWTH_TOKEN_SECRET:\?", text)
    assert "PEDGROWTH_DEV_TOKEN" not in text, "the dev token is an admin backdoor, not for the production shape"


def requirements_of(distribution: str) -> set[str]:
    """Third-party requirements a repository distribution brings, through the repository's own ones."""
    local = local_distributions()
    found, pending, seen = set(), [distribution], set()
    while pending:
        name = pending.pop()
        seen.add(name)
        for requirement in pyproject(ROOT / local[name])["project"].get("dependencies", []):
            dep = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
            if dep in local:
                if dep not in seen:
                    pending.append(dep)
            else:
                found.add(requirement.replace(" ", "").lower())
    return found


# URL scheme in a setting -> a requirement that provides its driver.
DRIVERS = {
    "postgresql": lambda req: req.startswith("psycopg") or (req.startswith("eventsourcing[") and "postgres" in req),
    "mongodb": lambda req: req.startswith("pymongo"),
}


@pytest.mark.parametrize("name", SERVICES)
def test_the_image_installs_the_drivers_its_configured_stores_need(name):
    settings = settings_from(name, compose_environment(pedgrowth_services()[name]))
    urls = [getattr(settings, field) for field in type(settings).model_fields if field.endswith("_url")]
    requirements = requirements_of(f"pedgrowth-{name}")
    for url in filter(None, urls):
        scheme = url.split(":", 1)[0].split("+")[0]
        if scheme in ("http", "https"):  # another service's API (indicators' pages), not a store
            continue
        assert any(DRIVERS[scheme](req) for req in requirements), (
            f"{name} is configured with a {scheme} store, but pedgrowth-{name}'s dependencies "
            f"({sorted(requirements)}) do not install its driver, so the image would fail at start")
