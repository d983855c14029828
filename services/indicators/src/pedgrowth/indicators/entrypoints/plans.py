"""Plans over HTTP: the plans of a municipality, one plan with its targets and measures' status."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from pedgrowth.contracts import Day
from pedgrowth.contracts.scope import Scope
from pedgrowth.kit.auth import CurrentPrincipal, Principal, Role, forbid
from pedgrowth.kit.bodies import refusal

from ..access import Access
from ..application import IndicatorsApplication
from . import schemas

router = APIRouter(prefix="/api/v1", tags=["plans"])

RegionOf = Callable[[str], str | None]
"""Looks up the region of a municipality (from the read model); None when unknown."""


def application(request: Request) -> IndicatorsApplication:
    return request.app.state.service.app


def region_of(request: Request, municipality_id: str) -> str | None:
    """The municipality's region, as the registry's organisations in the read model place it."""
    lookup: RegionOf | None = getattr(request.app.state, "region_of", None)
    if lookup is not None:
        return lookup(municipality_id)
    read_model = getattr(request.app.state, "read_model", None)
    if read_model is None:
        return None
    return read_model.answers.placement(Scope("municipality", municipality_id)).get("region_id")


def municipality_of_org(request: Request, org_id: str | None) -> str | None:
    """The organisation's municipality, as the registry's organisations in the read model place it."""
    lookup: RegionOf | None = getattr(request.app.state, "municipality_of_org", None)
    if lookup is not None and org_id is not None:
        return lookup(org_id)
    read_model = getattr(request.app.state, "read_model", None)
    if read_model is None or org_id is None:
        return None
    return read_model.answers.placement(Scope("organization", org_id)).get("municipality_id")


def check_read(request: Request, principal: Principal, municipality_id: str) -> None:
    """403 unless the caller may read the municipality's plans (rule: access.Access.can_read_plans)."""
    region = region_of(request, municipality_id) if principal.role is Role.REGIONAL_ANALYST else None
    own = None
    if principal.role is Role.SCHOOL_SYSTEM:  # a school reads its own municipality's plan (its targets)
        own = principal.municipality_id or municipality_of_org(request, principal.org_id)
    if not Access.can_read_plans(principal, municipality_id, region, own):
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

