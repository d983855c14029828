"""The yearly cycle over HTTP (SPEC §5.1): the cycle of a year, and the monitoring report submitted frozen.

- ``GET /api/v1/cycle/{municipality}/{year}``: each step's deadline and state, what is behind, the
  recommendations (a school gets those addressed to it or to every school).
- ``POST /api/v1/monitoring/{municipality}/{year}/submit``: freeze the yearly report (XLSX, its SHA-256,
  the as-of date, the bus positions it was computed at); once per municipality and year.
- ``GET /api/v1/monitoring/{municipality}/{year}``: the submission and its comparison with today's values
  for the same as-of date (late facts show as the difference).
- ``GET /api/v1/monitoring/{municipality}/{year}/report.xlsx``: the frozen file, byte for byte.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from pydantic import BaseModel, ValidationError

from pedgrowth.contracts import indicators as contract
from pedgrowth.kit.auth import CurrentPrincipal, forbid
from pedgrowth.kit.bodies import error_body
from pedgrowth.kit.errors import Conflict

from ..cycle import compare, cycle_of
from . import report
from .plans import application, check_read

router = APIRouter(prefix="/api/v1", tags=["cycle"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOAD_TIMEOUT = 60.0
STABLE_ATTEMPTS = 5

Municipality = Annotated[str, Path(min_length=1, max_length=200, description="municipality_id")]
Year = Annotated[int, Path(ge=1990, le=2100)]


class Step(BaseModel):
    """One step of the cycle: its deadline, state (done / due / overdue) and what it holds."""

    step: str
    name: str
    deadline: date
    done_on: date | None
    state: str
    late: bool
    model_config = {"extra": "allow"}


class Cycle(BaseModel):
    """The cycle of a municipality's year as of a day."""

    municipality_id: str
    year: int
    as_of: date
    steps: list[Step]
    behind: list[dict]
    overdue: list[str]
    recommendations: list[dict]


class Submitted(BaseModel):
    """A submitted monitoring report: what was frozen, and (when read later) how today's values differ."""

    submission_id: str
    municipality_id: str
    year: int
    as_of: date
    submitted_on: date
    sha256: str
    positions: dict[str, dict[str, int]]
    report_url: str
    comparison: list[dict] | None = None
    changed: int | None = None


async def read_model(request: Request):
    rm = request.app.state.read_model
    try:
        await asyncio.wait_for(rm.loaded.wait(), LOAD_TIMEOUT)
    except TimeoutError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the read model is still loading") from error
    return rm


@router.get("/cycle/{municipality}/{year}", response_model=Cycle,
            summary="The yearly management cycle: steps with deadlines and state, what is behind, recommendations")
async def get_cycle(request: Request, principal: CurrentPrincipal, municipality: Municipality, year: Year) -> dict:
    """Operators of the municipality, its schools (their own recommendations), its region's analysts, admins."""
    await asyncio.to_thread(check_read, request, principal, municipality)
    rm = await read_model(request)
    return await asyncio.to_thread(cycle_of, application(request), rm.answers, municipality, year, date.today(),
                                   request.app.state.access.recommendations_of(principal))


def positions_of(rm) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for (topic, partition), offset in sorted(rm.positions.items()):
        found.setdefault(topic, {})[str(partition)] = offset
    return found


def frozen_values(made: report.Report) -> list[dict]:
    return [{k: row[k] for k in ("code", "name", "unit", "value", "numerator", "denominator")} for row in made.rows]


def freeze(request: Request, rm, municipality: str, year: int, today: date) -> tuple[report.Report, bytes, dict]:
    """The report computed at bus positions that did not move while it was (else computed again)."""
    for _ in range(STABLE_ATTEMPTS):
        before = positions_of(rm)
        made = report.yearly_report(application(request), rm.answers, municipality, year, today)
        if positions_of(rm) == before:
            return made, report.to_xlsx(made), before
    raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "events keep arriving: submit again in a moment")


@router.post("/monitoring/{municipality}/{year}/submit", response_model=Submitted, status_code=201,
             summary="Submit the yearly monitoring report: frozen with its as-of date, bus positions and SHA-256")
async def submit(request: Request, principal: CurrentPrincipal, municipality: Municipality, year: Year) -> dict:
    """Municipal operators of the municipality and admins; once per municipality and year (409 after)."""
    today = date.today()
    try:
        probe = contract.MonitoringSubmitted(
            submission_id=submission_id(municipality, year), municipality_id=municipality, year=year,
            as_of=min(date(year, 12, 31), today), submitted_on=today, sha256="0" * 64, positions={})
    except ValidationError as error:
        first = error.errors()[0]
        where = "year" if first["loc"][0] in ("year", "as_of", "submitted_on") else "municipality"
        raise HTTPException(422, error_body(["path", where], first["msg"], "value_error")["detail"]) from error
    reason = request.app.state.access.authorize_write(principal, probe)
    if reason:
        raise forbid(reason)
    if year > today.year:
        raise HTTPException(422, error_body(["path", "year"], f"year {year} has not begun", "value_error")["detail"])
    rm = await read_model(request)
    try:
        made, file, positions = await asyncio.to_thread(freeze, request, rm, municipality, year, today)
    except report.NoReport as missing:
        raise HTTPException(missing.status, str(missing)) from missing
    data = probe.model_copy(update={"as_of": made.as_of, "sha256": hashlib.sha256(file).hexdigest(),
                                    "positions": positions})
    data = contract.MonitoringSubmitted.model_validate(data.model_dump())
    try:
        await asyncio.to_thread(application(request).submit_monitoring, data, file, frozen_values(made))
    except Conflict as error:
        raise HTTPException(409, error_body(["path", "year"], str(error), "conflict")["detail"]) from error
    return submitted(data.model_dump(), municipality, year)


def submission_id(municipality: str, year: int) -> str:
    """The id of a municipality's submission of a year (there is one): readable, within an Id's 200 characters."""
    name = f"monitoring:{municipality}:{year}"
    return name if len(name) <= 200 else f"monitoring:{hashlib.sha256(municipality.encode()).hexdigest()}:{year}"


def submitted(fields: dict, municipality: str, year: int) -> dict:
    return {**{k: fields[k] for k in ("submission_id", "municipality_id", "year", "as_of", "submitted_on", "sha256",
                                      "positions")},
            "report_url": f"/api/v1/monitoring/{municipality}/{year}/report.xlsx"}


def frozen(request: Request, municipality: str, year: int):
    found = application(request).submission(municipality, year)
    if found is None:
        raise HTTPException(404, f"the monitoring of {year} in {municipality} has not been submitted")
    return found


@router.get("/monitoring/{municipality}/{year}", response_model=Submitted,
            summary="The submitted monitoring report and today's values for the same as-of date")
async def get_submission(request: Request, principal: CurrentPrincipal, municipality: Municipality,
                         year: Year) -> dict:
    """The frozen values beside today's: ``changed`` counts the indicators late facts moved."""
    await asyncio.to_thread(check_read, request, principal, municipality)
    found = await asyncio.to_thread(frozen, request, municipality, year)
    rm = await read_model(request)
    rows = await asyncio.to_thread(compare, found.values, rm.answers, municipality, found.as_of)
    return {**submitted(vars(found), municipality, year), "comparison": rows,
            "changed": sum(1 for r in rows if r["changed"])}


@router.get("/monitoring/{municipality}/{year}/report.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the frozen report, byte for byte"}},
            summary="The submitted monitoring report as it was frozen")
async def get_frozen_report(request: Request, principal: CurrentPrincipal, municipality: Municipality,
                            year: Year) -> Response:
    await asyncio.to_thread(check_read, request, principal, municipality)
    found = await asyncio.to_thread(frozen, request, municipality, year)
    return Response(found.file, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="monitoring-{municipality}-{year}-submitted.xlsx"',
        "X-Content-SHA256": found.sha256})
