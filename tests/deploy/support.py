"""What the deployment files are checked against: the repository's own settings, packages and tools."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import shutil
import tomllib
from functools import cache
from pathlib import Path

import pytest
import yaml
from pedgrowth.contracts.topics import SERVICES
from pedgrowth.kit.config import ServiceSettings
from pydantic_settings import EnvSettingsSource

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_SCHEMA = ROOT.parent / "shared" / "vendor" / "compose-spec" / "compose-spec.json"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
K8S_DIR = ROOT / "deploy" / "k8s"

__all__ = ["ROOT", "SERVICES"]


@cache
def settings_class(service: str) -> type[ServiceSettings]:
    """The settings class a service's console command builds (the one with the service's prefix)."""
    module = importlib.import_module(f"pedgrowth.{service}.config")
    prefix = f"{service.upper()}_"
    found = [cls for _, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, ServiceSettings) and cls.model_config.get("env_prefix") == prefix]
    assert len(found) == 1, f"pedgrowth.{service}.config should define one settings class with prefix {prefix}"
    return found[0]


def read_from_environment(cls: type[ServiceSettings], environ: dict[str, str]) -> dict:
    """What pydantic-settings takes from these variables for this class (nothing for an unknown name)."""
    source = EnvSettingsSource(cls)
    source.env_vars = {name.lower(): value for name, value in environ.items()}
    return source()


def unread_variables(service: str, environ: dict[str, str]) -> list[str]:
    """Names in ``environ`` that the service's settings do not read."""
    cls = settings_class(service)
    return sorted(name for name, value in environ.items() if not read_from_environment(cls, {name: value}))


def settings_from(service: str, environ: dict[str, str]) -> ServiceSettings:
    """The service's settings built from these variables only (validates their values)."""
    cls = settings_class(service)
    return cls.model_validate(read_from_environment(cls, environ))


def default_port(service: str) -> int:
    return settings_class(service).model_fields["http_port"].default


INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}`` with defaults or a stand-in value."""
    def replace(match: re.Match) -> str:
        if match["op"] and match["op"].endswith("-"):
            return match["arg"]
        return f"stand-in-{match['name'].lower()}"
    return INTERPOLATION.sub(replace, str(value))


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_environment(service: dict) -> dict[str, str]:
    """A compose service's environment as a name → interpolated value mapping."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: interpolate("" if value is None else value) for name, value in env.items()}


def pedgrowth_services() -> dict[str, dict]:
    """The compose services built from a pedgrowth service's Dockerfile, by pedgrowth service name."""
    found = {}
    for service in compose()["services"].values():
        dockerfile = (service.get("build") or {}).get("dockerfile", "")
        match = re.fullmatch(r"services/([a-z]+)/Dockerfile", dockerfile)
        if match:
            found[match[1]] = service
    return found


def pyproject(path: Path) -> dict:
    return tomllib.loads((path / "pyproject.toml").read_text())


def local_distributions() -> dict[str, Path]:
    """Distribution name → directory, for every pyproject.toml in the repository (not in .venv)."""
    found = {}
    for directory, subdirs, files in os.walk(ROOT):
        subdirs[:] = [d for d in subdirs if not d.startswith(".") and d not in ("var", "node_modules", "build")]
        if "pyproject.toml" in files and Path(directory) != ROOT:
            name = pyproject(Path(directory)).get("project", {}).get("name")
            if name:
                found[name] = Path(directory).relative_to(ROOT)
    return found


def promtool() -> str:
    """The promtool binary, or a skip saying how to get it."""
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool not found: install Debian's prometheus package "
                    "(deploy/scripts/test-prerequisites.sh does it in `make test` when run as root)")
    return path


def yaml_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
