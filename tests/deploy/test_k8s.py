"""deploy/k8s: parseable manifests, probes and resources on every Deployment, only settings the code reads."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

import pytest
import yaml

from .support import K8S_DIR, SERVICES, default_port, unread_variables, yaml_documents


def manifests() -> list[dict]:
    docs = []
    for path in sorted(K8S_DIR.rglob("*.yaml")):
        docs.extend(yaml_documents(path))
    return docs


def kustomization() -> dict:
    return yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())


def applied() -> list[dict]:
    """The documents `kubectl apply -k deploy/k8s` would send (the kustomization's resources)."""
    return [doc for resource in kustomization()["resources"] for doc in yaml_documents(K8S_DIR / resource)]


def of_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in applied() if doc["kind"] == kind}


def container(service: str) -> dict:
    (only,) = of_kind("Deployment")[service]["spec"]["template"]["spec"]["containers"]
    return only


def environment(service: str) -> dict[str, str]:
    return container_environment(container(service))


def container_environment(spec: dict) -> dict[str, str]:
    """Every variable a container gets: its env, and the keys of the ConfigMaps it takes whole."""
    found = {}
    maps = of_kind("ConfigMap")
    for source in spec.get("envFrom", []):
        assert "configMapRef" in source, "take secrets key by key (secretKeyRef), so each is checked"
        found.update({k: str(v) for k, v in maps[source["configMapRef"]["name"]]["data"].items()})
    for variable in spec.get("env", []):
        found[variable["name"]] = str(variable.get("value", "from-a-reference"))
    return found


def test_every_manifest_parses_and_has_kind_and_name():
    docs = manifests()
    assert docs
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("kind")
        if doc["kind"] != "Kustomization":
            assert doc["metadata"]["name"]


def test_kustomization_lists_only_files_that_exist():
    for resource in kustomization()["resources"]:
        assert (K8S_DIR / resource).is_file(), resource


def test_kustomize_builds_the_manifests():
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not found: `kubectl kustomize` is not checked")
    done = subprocess.run(["kubectl", "kustomize", str(K8S_DIR)], check=False, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    kinds = [doc["kind"] for doc in yaml.safe_load_all(done.stdout) if doc]
    assert kinds.count("Deployment") == len(SERVICES)


def test_there_is_a_deployment_and_a_service_for_each_of_the_four_services():
    assert set(of_kind("Deployment")) == set(SERVICES)
    assert set(SERVICES) <= set(of_kind("Service"))


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_probes_liveness_on_health_and_readiness_on_ready(service):
    c = container(service)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert c["livenessProbe"]["httpGet"]["path"] == "/health"
    assert c["readinessProbe"]["httpGet"]["path"] == "/ready"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        port = c[probe]["httpGet"]["port"]
        assert ports.get(port, port) == default_port(service), probe


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_has_cpu_and_memory_requests_and_limits(service):
    resources = container(service)["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources[kind]), kind


@pytest.mark.parametrize("service", SERVICES)
def test_deployment_runs_the_service_image_as_non_root(service):
    deployment = of_kind("Deployment")[service]
    assert container(service)["image"].split(":")[0] == f"pedgrowth/{service}"
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


@pytest.mark.parametrize("service", SERVICES)
def test_container_environment_names_only_settings_the_service_reads(service):
    env = environment(service)
    assert unread_variables(service, env) == []
    assert env[f"{service.upper()}_HTTP_HOST"] == "0.0.0.0"
    assert int(env[f"{service.upper()}_HTTP_PORT"]) == default_port(service)


@pytest.mark.parametrize("service", SERVICES)
def test_secret_references_name_a_setting_of_the_same_name(service):
    for variable in container(service).get("env", []):
        ref = variable.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            assert ref["name"] == "pedgrowth-secrets"
            assert ref["key"] == variable["name"]


def test_example_secret_holds_only_settings_some_service_reads():
    (secret,) = yaml_documents(K8S_DIR / "secret.example.yaml")
    assert "secret.example.yaml" not in kustomization()["resources"]
    for key, value in secret["stringData"].items():
        assert any(unread_variables(s, {key: value}) == [] for s in SERVICES), key
    referenced = {v["valueFrom"]["secretKeyRef"]["key"] for s in SERVICES for v in container(s).get("env", [])
                  if "secretKeyRef" in v.get("valueFrom", {})}
    assert referenced <= set(secret["stringData"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_and_scrape_annotations_point_at_the_container_port(service):
    svc = of_kind("Service")[service]
    (port,) = svc["spec"]["ports"]
    assert port["port"] == default_port(service)
    annotations = of_kind("Deployment")[service]["spec"]["template"]["metadata"]["annotations"]
    assert int(annotations["prometheus.io/port"]) == default_port(service)


def test_rebuild_job_runs_the_rebuild_module_with_settings_the_indicators_service_reads():
    (job,) = yaml_documents(K8S_DIR / "jobs" / "indicators-rebuild.yaml")
    assert job["kind"] == "Job" and "jobs/indicators-rebuild.yaml" not in kustomization()["resources"]
    (spec,) = job["spec"]["template"]["spec"]["containers"]
    assert spec["image"] == container("indicators")["image"]
    module = spec["command"][spec["command"].index("-m") + 1]
    assert importlib.util.find_spec(module) is not None, f"{module} does not exist"
    env = container_environment(spec)
    assert unread_variables("indicators", env) == []
    stores = {"INDICATORS_DATABASE_URL", "INDICATORS_READ_MODEL_URL"}
    assert stores <= set(env) and stores <= set(environment("indicators")), "the rebuild must see the live stores"
    assert {"cpu", "memory"} <= set(spec["resources"]["limits"])
