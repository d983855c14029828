"""The indicators HTTP API (SPEC §6): values as of a date, yearly series, members, the yearly report."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pedgrowth.contracts import Day
from pedgrowth.kit.auth import CurrentPrincipal, Principal, forbid
from pedgrowth.kit.bodies import refusal
from pedgrowth.kit.http import XLSX

from pedgrowth.contracts.scope import BadScope, Scope

from ..access import Access
from ..definitions import BadVariant, allowed, values_text
from ..engine import Loading
from ..projection.readmodel import ReadModel
from . import report, schemas

LOAD_TIMEOUT = 60.0

ScopeText = Annotated[str, Query(description="organization:<id>, municipality:<id> or region:<id>",
                                 examples=["municipality:mun-1"])]
AsOf = Annotated[Day | None, Query(description="YYYY-MM-DD; today when absent")]
Code = Annotated[str, Path(description="an indicator code, e.g. training_coverage")]


def dimension(name: str) -> object:
    return Query(description=f"a variant of SPEC §4.2 for every indicator it applies to: {values_text(name)}")


class Chosen:
    """The dimension values a request asks for explicitly (?window=…&population=…), None when none."""

    def __init__(self, values: dict[str, str] | None, period_start: date | None):
        self.values = values
        self.period_start = period_start

    def check(self, call):
        """Run ``call(values)``; a variant the plan and the request leave incomplete is a 422."""
        try:
            return call(self.values)
        except BadVariant as error:
            raise refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, ["query", error.field], str(error)) from error
        except Loading as error:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error


async def chosen(window: Annotated[str | None, dimension("window")] = None,
                 population: Annotated[str | None, dimension("population")] = None,
                 young: Annotated[str | None, dimension("young")] = None,
                 support: Annotated[str | None, dimension("support")] = None,
                 competition: Annotated[str | None, dimension("competition")] = None,
                 cohort: Annotated[str | None, dimension("cohort")] = None,
                 period_start: Annotated[Day | None, Query(description="the first day of window=since_period_start "
                                                                        "(default: the plan's period_start)")] = None
                 ) -> Chosen:
    """The request's dimension values, each checked (422 naming it). Asynchronous, as every dependency of a
    hot route: FastAPI runs a synchronous one in a worker thread, a hop that waits for the GIL."""
    values = {"window": window, "population": population, "young": young, "support": support,
              "competition": competition, "cohort": cohort}
    for name, value in values.items():
        if value is not None and not allowed(name, value):
            raise refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, ["query", name],
                          f"{name} {value!r} is not one of {values_text(name)}")
    return Chosen({k: v for k, v in values.items() if v is not None} or None, period_start)


ChosenQuery = Annotated[Chosen, Depends(chosen)]


def parse_scope(text: str) -> Scope:
    try:
        return Scope.parse(text)
    except BadScope as error:
        raise refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, ["query", "scope"], str(error)) from error


def router(rm: ReadModel, access: Access) -> APIRouter:
    """The read API over a read model, its access rules ``access``."""
    api = APIRouter(prefix="/api/v1", tags=["indicators"])

    def authorize(principal: Principal, scope: Scope) -> None:
        """403 unless the scope is within the caller's organisation, municipality or region."""
        if not access.can_read_scope(principal, scope):
            raise forbid(f"scope {scope} is outside the caller's {principal.role.value} scope")

    async def ready(answering: bool = False) -> None:
        """Wait (a while) for the read model: its sums for plain answers, every fact for the rest."""
        event = rm.answering if answering else rm.loaded
        if event.is_set():
            return
        try:
            await asyncio.wait_for(event.wait(), LOAD_TIMEOUT)
        except TimeoutError as error:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the read model is still loading") from error

    def chosen_with_start(chosen: Chosen) -> dict | None:
        if chosen.values is None:
            return None
        values = dict(chosen.values)
        if chosen.period_start is not None:
            values["period_start"] = chosen.period_start
        return values

    # answered with the JSON the read model builds (no model to validate on the hot path): the model declares
    # it, and tests/indicators/plans/test_answer_models.py checks the built JSON against it
    @api.get("/indicators", summary="Every indicator of a scope as of a date, with targets",
             response_class=Response, responses={200: {"model": schemas.IndicatorValues,
                                                       "description": "see docs/indicators.md"}})
    async def indicators(principal: CurrentPrincipal, scope: ScopeText, chosen: ChosenQuery,
                         as_of: AsOf = None) -> Response:
        await ready(answering=chosen.values is None)
        where = parse_scope(scope)
        day = as_of or date.today()
        authorize(principal, where)
        answers = rm.answers
        if chosen.values is None:  # lookups only: answered on the event loop
            return Response(chosen.check(lambda _: answers.body(where, day)), media_type="application/json")
        # a variant nobody asked for before is built once from every entity: in a worker thread
        body = await asyncio.to_thread(chosen.check, lambda values: answers.body(where, day, chosen_with_start(chosen)))
        return Response(body, media_type="application/json")

    @api.get("/indicators/{code}", summary="One indicator's yearly series with the plan's targets",
             response_model=schemas.Series, response_model_exclude_unset=True)
    async def series(principal: CurrentPrincipal, code: Code, scope: ScopeText, chosen: ChosenQuery,
                     from_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
                     to_year: Annotated[int | None, Query(ge=1990, le=2100)] = None) -> dict:
        await ready()
        where = parse_scope(scope)
        authorize(principal, where)
        definition = rm.answers.definition(code)
        if definition is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown indicator {code!r}")
        today = date.today()
        to_year = to_year or today.year
        from_year = from_year or to_year - 4
        if from_year > to_year:
            raise refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, ["query", "from_year"], "from_year is after to_year")
        if to_year - from_year > 50:
            raise refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, ["query", "to_year"], "at most 50 years at once")
        points = await asyncio.to_thread(chosen.check, lambda values: rm.answers.series(
            where, code, from_year, to_year, today, chosen_with_start(chosen)))
        return {"scope": str(where), **definition, "series": points}

    @api.get("/indicators/{code}/members", summary="The persons behind an indicator's numerator and denominator",
             response_model=schemas.Members, response_model_exclude_unset=True)
    async def members(principal: CurrentPrincipal, code: Code, scope: ScopeText, chosen: ChosenQuery,
                      as_of: AsOf = None) -> dict:
        if not access.can_read_members(principal):  # before waiting for the read model: the role alone decides
            raise forbid(f"role {principal.role.value} reads aggregates only, no person-level data")
        await ready()
        where = parse_scope(scope)
        authorize(principal, where)
        day = as_of or date.today()
        found = await asyncio.to_thread(chosen.check, lambda values: rm.answers.members(
            where, code, day, chosen_with_start(chosen)))
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no members for indicator {code!r}")
        return found

    @api.get("/reports/monitoring", tags=["reports"], summary="The yearly monitoring report of a municipality",
             response_class=Response, responses={
                 200: {"content": {"text/csv": {}, XLSX: {}}, "description": "the report (Russian, for people)"},
                 404: {"description": "unknown municipality"}, 422: {"description": "a year with no data"}})
    async def monitoring(principal: CurrentPrincipal, request: Request,
                         municipality: Annotated[str, Query(min_length=1, max_length=200)],
                         year: Annotated[int, Query(ge=1990, le=2100)],
                         format: Literal["csv", "xlsx"] = "csv") -> Response:
        await ready()
        where = Scope("municipality", municipality)
        authorize(principal, where)
        try:
            made = await asyncio.to_thread(report.yearly_report, request.app.state.service.app, rm.answers,
                                           municipality, year, date.today())
        except report.NoReport as missing:
            if missing.status == status.HTTP_404_NOT_FOUND:
                raise HTTPException(missing.status, str(missing)) from missing
            raise refusal(missing.status, ["query", missing.field], str(missing)) from missing
        if format == "csv":
            return Response(report.to_csv(made), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{made.filename}.csv"'})
        body = await asyncio.to_thread(report.to_xlsx, made)
        return Response(body, media_type=XLSX, headers={"Content-Disposition":
                                                        f'attachment; filename="{made.filename}.xlsx"'})

    return api

