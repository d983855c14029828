"""Plans over HTTP: the plans of a municipality, one plan with its targets and measures' status."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from pedgrowth.contracts import Day
from pedgrowth.kit.auth import CurrentPrincipal, Principal, forbid
from pedgrowth.kit.bodies import refusal

from ..access import Access
from ..application import IndicatorsApplication
from . import schemas

router = APIRouter(prefix="/api/v1", tags=["plans"])


def application(request: Request) -> IndicatorsApplication:
    return request.app.state.service.app


def access(request: Request) -> Access:
    return request.app.state.access


def check_read(request: Request, principal: Principal, municipality_id: str) -> None:
    """403 unless the caller may read the municipality's plans and cycle (the rule: Access.can_read_plans)."""
    if not access(request).can_read_plans(principal, municipality_id):
        raise forbid(f"municipality {municipality_id} is outside the caller's scope")


@router.get("/plans", summary="Plans adopted by a municipality", response_model=schemas.Plans)
async def list_plans(
    request: Request, principal: CurrentPrincipal,
    municipality: Annotated[str | None, Query(description="municipality_id; defaults to the caller's")] = None,
) -> dict:
    """The plans of a municipality (admins may omit it to list every plan)."""
    municipality = municipality or principal.municipality_id
    if municipality is None and not principal.is_admin:
        raise refusal(422, ["query", "municipality"], "municipality is required", "missing")
    if municipality is not None:
        await asyncio.to_thread(check_read, request, principal, municipality)
    plans = await asyncio.to_thread(application(request).plans, municipality)
    reported = await asyncio.to_thread(application(request).reported_values, municipality) if municipality else []
    return {"municipality_id": municipality, "plans": plans, "reported_values": reported}


@router.get("/plans/{plan_id}", summary="One plan: targets per indicator and year, measures with status",
            response_model=schemas.Plan, response_model_exclude_unset=True)
async def get_plan(
    plan_id: str, request: Request, principal: CurrentPrincipal,
    as_of: Annotated[Day | None, Query(description="day the measures' status is judged on; default today")] = None,
) -> dict:
    """Targets, and measures done / due / overdue as of a day."""
    app = application(request)
    municipality = await asyncio.to_thread(app.plan_municipality, plan_id)
    if municipality is None:
        raise HTTPException(404, f"plan {plan_id} not found")
    await asyncio.to_thread(check_read, request, principal, municipality)
    return await asyncio.to_thread(app.plan, plan_id, as_of or date.today())

