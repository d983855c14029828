"""services/*/Dockerfile: slim, non-root, a healthcheck, and nothing but the repository's own packages."""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shlex
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .support import ROOT, SERVICES, default_port, local_distributions, pyproject, unread_variables


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    stage: int


def instructions(service: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped, with their stage index."""
    text = (ROOT / "services" / service / "Dockerfile").read_text()
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    found, stage = [], -1
    for line in logical:
        keyword, _, args = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            stage += 1
        found.append(Instruction(keyword.upper(), args.strip(), stage))
    return found


def of(service: str, keyword: str) -> list[Instruction]:
    return [i for i in instructions(service) if i.keyword == keyword]


def copies(service: str) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY/ADD that takes files from the build context."""
    found = []
    for ins in instructions(service):
        if ins.keyword not in ("COPY", "ADD"):
            continue
        words = shlex.split(ins.args)
        if any(w.startswith("--from") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        found.append((words[:-1], words[-1]))
    return found


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/")
               for pattern in dockerignore())


def pip_installs(service: str) -> list[list[str]]:
    """The arguments of every `pip install` in RUN instructions."""
    found = []
    for ins in of(service, "RUN"):
        for command in re.split(r"&&|;|\|\|", ins.args):
            words = shlex.split(command)
            for i, word in enumerate(words):
                before = words[:i]
                is_pip = bool(before) and (PurePosixPath(before[-1]).name in ("pip", "pip3")
                                           or before[-2:] == ["-m", "pip"])
                if word == "install" and is_pip:
                    found.append(words[i + 1:])
    return found


def context_path(service: str, image_path: str) -> str:
    """The build-context path a COPY put at ``image_path`` (or the path unchanged)."""
    for sources, destination in copies(service):
        if len(sources) == 1 and PurePosixPath(image_path) == PurePosixPath(destination):
            return sources[0]
    return image_path


@pytest.mark.parametrize("service", SERVICES)
def test_image_is_built_on_slim_python_3_11(service):
    bases = [shlex.split(i.args)[0] for i in of(service, "FROM")]
    assert bases and all(b.startswith("python:3.11") and "slim" in b for b in bases)


@pytest.mark.parametrize("service", SERVICES)
def test_copies_only_paths_that_exist_in_the_repository_and_are_in_the_build_context(service):
    assert copies(service), "nothing copied from the repository"
    for sources, _ in copies(service):
        for source in sources:
            assert not re.match(r"https?://", source), f"{source}: images take files from the repository only"
            assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"
            assert not ignored(source), f"COPY {source}: excluded by .dockerignore"


@pytest.mark.parametrize("service", SERVICES)
def test_pip_installs_only_the_repository_distributions_the_service_needs(service):
    installs = pip_installs(service)
    assert installs, "no pip install found"
    local = {str(path): name for name, path in local_distributions().items()}
    installed = set()
    for args in installs:
        options = [a for a in args if a.startswith("-")]
        assert not options, f"pip install {args}: no options (requirement files, indexes)"
        for arg in args:
            path = context_path(service, arg)
            assert path in local, f"pip install {arg}: not one of the repository's distributions ({sorted(local)})"
            installed.add(local[path])
    needed = {f"pedgrowth-{service}"}
    pending = [f"pedgrowth-{service}"]
    while pending:
        name = pending.pop()
        for requirement in pyproject(ROOT / local_distributions()[name])["project"].get("dependencies", []):
            dep = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
            if dep in local.values() and dep not in needed:
                needed.add(dep)
                pending.append(dep)
    assert installed == needed


@pytest.mark.parametrize("service", SERVICES)
def test_runs_as_a_non_root_user(service):
    users = [i for i in of(service, "USER") if i.stage == max(x.stage for x in instructions(service))]
    assert users, "the final stage sets no USER"
    assert users[-1].args.split(":")[0] not in ("root", "0")


@pytest.mark.parametrize("service", SERVICES)
def test_healthcheck_asks_the_service_for_health_on_its_port(service):
    checks = of(service, "HEALTHCHECK")
    assert len(checks) == 1
    assert "/health" in checks[0].args
    expose = {int(p.split("/")[0]) for i in of(service, "EXPOSE") for p in i.args.split()}
    assert expose == {default_port(service)}


def image_environment(service: str) -> dict[str, str]:
    env = {}
    for ins in of(service, "ENV"):
        for word in shlex.split(ins.args):
            name, _, value = word.partition("=")
            env[name] = value
    return env


@pytest.mark.parametrize("service", SERVICES)
def test_image_environment_sets_only_settings_the_service_reads(service):
    ours = {k: v for k, v in image_environment(service).items()
            if k.startswith((f"{service.upper()}_", "KAFKA_", "PEDGROWTH_"))}
    assert ours, "the image should at least listen on all interfaces"
    assert unread_variables(service, ours) == []
    assert ours.get(f"{service.upper()}_HTTP_HOST") == "0.0.0.0"


@pytest.mark.parametrize("service", SERVICES)
def test_command_is_the_service_console_script(service):
    (cmd,) = of(service, "CMD")
    scripts = pyproject(ROOT / "services" / service)["project"]["scripts"]
    assert json.loads(cmd.args) == [f"pedgrowth-{service}"]
    assert f"pedgrowth-{service}" in scripts


def imported_modules(source: Path) -> set[str]:
    """Top-level names of the third-party modules imported anywhere under ``source``."""
    found = set()
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "pedgrowth"}


def installed_closure(requirements: set[str]) -> set[str]:
    """Distributions pip installs for these requirements (their own requirements followed, extras honoured)."""
    seen: set[tuple[str, frozenset]] = set()
    pending = [Requirement(r) for r in requirements]
    while pending:
        requirement = pending.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue
        for line in dist.requires or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in requirement.extras or {""}):
                pending.append(sub)
    return {name for name, _ in seen}


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_installs_every_module_its_code_imports(service):
    local = {str(path): name for name, path in local_distributions().items()}
    dirs = [context_path(service, arg) for args in pip_installs(service) for arg in args]
    names = {local[d] for d in dirs}
    requirements = {r for d in dirs for r in pyproject(ROOT / d)["project"].get("dependencies", [])
                    if canonicalize_name(Requirement(r).name) not in {canonicalize_name(n) for n in names}}
    installed = installed_closure(requirements)
    providers = metadata.packages_distributions()
    missing = {}
    for directory in dirs:
        for module in imported_modules(ROOT / directory / "src"):
            if not {canonicalize_name(d) for d in providers.get(module, [])} & installed:
                missing.setdefault(module, []).append(directory)
    assert missing == {}, (f"modules imported by the code but not installed by the pyproject files the image "
                           f"installs (add them to the distribution's dependencies): {missing}")


def test_dockerignore_keeps_out_git_and_everything_git_ignores():
    patterns = {p.rstrip("/") for p in dockerignore()}
    assert ".git" in patterns
    for line in (ROOT / ".gitignore").read_text().splitlines():
        entry = line.strip().rstrip("/")
        if not entry or entry.startswith("#"):
            continue
        if "/" in entry:  # anchored in git and in docker: the path or a parent of it
            parts = entry.split("/")
            assert any("/".join(parts[:n]) in patterns for n in range(1, len(parts) + 1)), entry
        else:  # git matches it at any depth; docker needs **/ for that
            assert f"**/{entry}" in patterns, f"**/{entry} is not in .dockerignore"


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_gets_the_data_files_of_the_packages_it_installs(service):
    """A non-installed file (a page, a template) would be missing from the image, not from the checkout."""
    missing = []
    for directory in {context_path(service, arg) for args in pip_installs(service) for arg in args}:
        package_data = pyproject(ROOT / directory).get("tool", {}).get("setuptools", {}).get("package-data", {})
        src = ROOT / directory / "src"
        for path in src.rglob("*"):
            rel = path.relative_to(src)
            if not path.is_file() or path.suffix in (".py", ".pyc") or any(
                    part.endswith(".egg-info") or part == "__pycache__" for part in rel.parts):
                continue
            covered = any(
                fnmatch.fnmatch(str(rel), f"{package.replace('.', '/')}/{pattern}")
                for package, patterns in package_data.items() for pattern in patterns)
            if not covered:
                missing.append(f"{directory}/src/{rel}")
    assert missing == [], "add these to [tool.setuptools.package-data] of their pyproject.toml"
