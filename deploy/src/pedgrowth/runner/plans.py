"""Plan files (deploy/plans/*.yaml): load one into a PlanAdopted event, and import it over HTTP."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import httpx
import yaml
from pydantic import ValidationError

from pedgrowth.contracts import CloudEvent, new_event
from pedgrowth.contracts.indicators import PlanAdopted
from pedgrowth.indicators.domain.plan import check_year
from pedgrowth.kit.errors import RuleViolation

PLANS_DIR = Path(__file__).resolve().parents[3] / "plans"
SOURCE = "/pedgrowth/plans"
REQUIRED = ("plan_id", "title", "municipality_id", "municipality_name", "region_id", "region_name",
            "period_start", "period_end")


class PlanFileError(ValueError):
    """A plan file that cannot become a PlanAdopted event: says which file and which field."""

    def __init__(self, path: Path, field: str, message: str):
        super().__init__(f"{path.name}: {field}: {message}")
        self.path = path
        self.field = field


@dataclass(frozen=True)
class PlanFile:
    """A loaded plan file: the event to publish and where the municipality lies."""

    path: Path
    event: PlanAdopted
    municipality_name: str
    region_id: str
    region_name: str

    @property
    def municipality_id(self) -> str:
        return self.event.municipality_id


def seed_files() -> list[Path]:
    """The five seed municipalities' plan files shipped in deploy/plans."""
    return sorted(PLANS_DIR.glob("*.yaml"))


def load_plan(path: Path | str) -> PlanFile:
    """Read and validate a plan file; PlanFileError names the field that is wrong."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PlanFileError(path, "-", f"not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise PlanFileError(path, "-", "a plan file is a mapping")
    for key in REQUIRED:
        if document.get(key) in (None, ""):
            raise PlanFileError(path, key, "is required")
    data = {
        "plan_id": str(document["plan_id"]), "municipality_id": str(document["municipality_id"]),
        "title": document["title"], "period_start": document["period_start"],
        "period_end": document["period_end"],
        "targets": targets_of(path, document.get("targets") or {}),
    }
    measures = measures_of(path, document.get("measures") or [], document["period_start"], document["period_end"])
    if measures:
        data["measures"] = measures
    if document.get("definitions"):
        data["definitions"] = definitions_of(path, document["definitions"])
    if document.get("baselines"):
        data["baselines"] = [{"indicator": b["indicator"], "year": b["year"], "value": b["value"]}
                             for b in targets_of(path, document["baselines"])]
    try:
        event = PlanAdopted.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise PlanFileError(path, ".".join(str(p) for p in first["loc"]), first["msg"]) from None
    for target in event.targets:  # the service's own rule (an outcome measured later may lie after the period)
        try:
            check_year(target.year, event.period_start, event.period_end, "year", target.indicator)
        except RuleViolation as error:
            raise PlanFileError(path, f"targets.{target.indicator}.{target.year}", str(error)) from None
    return PlanFile(path, event, str(document["municipality_name"]), str(document["region_id"]),
                    str(document["region_name"]))


def definitions_of(path: Path, definitions: Any) -> list[dict]:
    """`indicator: {dimension: value}` (SPEC §4.2) as the contract's list of {indicator, dimension...}."""
    if not isinstance(definitions, dict):
        raise PlanFileError(path, "definitions", "a mapping of indicator code to {dimension: value}")
    out = []
    for indicator, chosen in definitions.items():
        if not isinstance(chosen, dict):
            raise PlanFileError(path, f"definitions.{indicator}", "a mapping of dimension to value")
        out.append({"indicator": str(indicator), **{str(k): str(v) for k, v in chosen.items()}})
    return out


def targets_of(path: Path, targets: Any) -> list[dict]:
    """`indicator: {year: value}` as the contract's list of {indicator, year, value}."""
    if not isinstance(targets, dict):
        raise PlanFileError(path, "targets", "a mapping of indicator code to {year: value}")
    found = []
    for indicator, by_year in targets.items():
        if not isinstance(by_year, dict):
            raise PlanFileError(path, f"targets.{indicator}", "a mapping of year to value")
        for year, value in by_year.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise PlanFileError(path, f"targets.{indicator}.{year}", f"a number, got {value!r}")
            found.append({"indicator": str(indicator), "year": year, "value": float(value)})
    return found


def measures_of(path: Path, measures: Any, start: Any, end: Any) -> list[dict]:
    """Measures as the contract's list; `due_yearly: MM-DD` repeats one for each year (id gets -YYYY)."""
    if not isinstance(measures, list):
        raise PlanFileError(path, "measures", "a list")
    found = []
    for index, measure in enumerate(measures):
        if not isinstance(measure, dict):
            raise PlanFileError(path, f"measures.{index}", "a mapping")
        measure = dict(measure)
        yearly = measure.pop("due_yearly", None)
        years = measure.pop("years", None)
        if yearly is None:
            found.append(measure)
            continue
        first, last = years or [year_of(start), year_of(end)]
        for year in range(int(first), int(last) + 1):
            try:
                due_on = date.fromisoformat(f"{year}-{yearly}")
            except ValueError:
                raise PlanFileError(path, f"measures.{index}.due_yearly", f"'{yearly}' is not MM-DD") from None
            found.append({**measure, "measure_id": f"{measure.get('measure_id')}-{year}", "due_on": due_on})
    return found


def year_of(day: Any) -> int:
    return day.year if isinstance(day, date) else date.fromisoformat(str(day)).year


def plan_event(plan: PlanFile, time: datetime | None = None) -> CloudEvent:
    """The CloudEvent of a plan file; its id depends only on the content, so re-importing is a duplicate."""
    canonical = json.dumps(plan.event.model_dump(mode="json", exclude_none=True), sort_keys=True,
                           ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    event_id = str(uuid5(NAMESPACE_URL, f"pedgrowth:plan-adopted:{plan.event.plan_id}:{digest}"))
    return new_event(plan.event, source=SOURCE, id=event_id,
                     time=time or datetime.combine(plan.event.period_start, datetime.min.time(), UTC))


async def import_plan(client: httpx.AsyncClient, path: Path | str, token: str) -> dict:
    """POST a plan file's event to the indicators service; the per-event outcome, or the error's detail."""
    event = plan_event(load_plan(path))
    response = await client.post("/api/v1/events", json=event.to_json(),
                                 headers={"Authorization": f"Bearer {token}"})
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code == 202:
        return body["results"][0]
    detail = body.get("detail", response.text)
    return {"outcome": "rejected", "status": response.status_code, "id": event.id, "detail": detail}


def add_plans_command(commands: Any) -> None:
    """`pedgrowth plans import FILE…` and `pedgrowth plans check FILE…`."""
    plans = commands.add_parser("plans", help="check or import municipal plan files (deploy/plans/*.yaml)")
    plans.add_argument("action", choices=["import", "check"])
    plans.add_argument("files", nargs="+", type=Path, metavar="FILE")
    plans.add_argument("--url", default="http://127.0.0.1:8000", help="the indicators service")
    plans.add_argument("--token", help="a token of an admin or the municipality's operator "
                                       "(default: $PEDGROWTH_TOKEN, else DATA_DIR/admin-token)")
    plans.add_argument("--data-dir", type=Path, default=Path("var"), help="where `pedgrowth up` keeps admin-token")


def run_plans_command(args: Any) -> int:
    """Check every file first; import only when all of them are valid."""
    import asyncio
    import os
    import sys

    try:
        loaded = [load_plan(path) for path in args.files]
    except (PlanFileError, OSError) as error:
        print(f"pedgrowth plans: {error}", file=sys.stderr)
        return 2
    if args.action == "check":
        for plan in loaded:
            print(f"{plan.path.name}: {plan.event.plan_id} ({plan.municipality_name}): "
                  f"{len(plan.event.targets)} targets, {len(plan.event.measures or [])} measures")
        return 0
    token = args.token or os.environ.get("PEDGROWTH_TOKEN")
    if not token and (args.data_dir / "admin-token").exists():
        token = (args.data_dir / "admin-token").read_text().strip()
    if not token:
        print("pedgrowth plans: no token (--token, $PEDGROWTH_TOKEN or DATA_DIR/admin-token)", file=sys.stderr)
        return 2
    return asyncio.run(import_files(args.url, [p.path for p in loaded], token))


async def import_files(url: str, paths: list[Path], token: str) -> int:
    """Import each file, print its outcome; non-zero when one was rejected or the service did not answer."""
    import sys

    failed = 0
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        for path in paths:
            try:
                result = await import_plan(client, path, token)
            except httpx.HTTPError as error:
                print(f"{path.name}: the indicators service at {url} did not answer: {error}", file=sys.stderr)
                return 1
            outcome = result.get("outcome")
            print(f"{path.name}: {outcome}" + (f" — {result.get('detail') or result.get('reason')}"
                                                if outcome == "rejected" else ""))
            failed += outcome == "rejected"
    return 1 if failed else 0
