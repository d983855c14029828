"""«План»: a municipal operator's plan page — targets, measures done with evidence, survey values.

The page reads the plan server-side and writes nothing itself: its forms send CloudEvents
(`target_set`, `measure_completed`, `value_reported`) to this service's own `POST /api/v1/events`
with the session cookie (static/plan.js), so the same validation and access rules apply.
"""

from __future__ import annotations

import asyncio
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pedgrowth.contracts.scope import Scope
from pedgrowth.kit.auth import Principal, Role

from ..domain.plan import SURVEY_NAMES
from ..definitions import INDICATORS
from .pages import page, session, to_login
from .report import number_text
from .plans import access, check_read

router = APIRouter(include_in_schema=False)
MEASURE_TEXT = {"done": "выполнено", "due": "в работе", "overdue": "просрочено"}
METHOD_TEXT = {"survey": "опрос", "expert_review": "экспертная оценка", "other": "другое"}


def municipality_for(request: Request, principal: Principal, asked: str | None) -> str | None:
    """Whose plan the page shows: the caller's own municipality, or the one an admin or analyst picks."""
    if principal.role is Role.MUNICIPAL_OPERATOR:
        return principal.municipality_id
    if principal.role is Role.SCHOOL_SYSTEM:
        return principal.municipality_id or access(request).municipality_of(principal.org_id)
    if asked:
        return asked
    readable = [m for m in request.app.state.read_model.answers.scopes("municipality")
                if access(request).can_read_scope(principal, Scope("municipality", m))]
    return readable[0] if readable else None


def natural_measure(measure: dict) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in measure["measure_id"].replace("-", ".").split("."))


@router.get("/plan", response_class=HTMLResponse)
async def plan_page(request: Request, municipality: str | None = None, plan: str | None = None) -> Response:
    """The plan of the caller's municipality, editable by its municipal operator (and admins)."""
    principal = session(request)
    if principal is None:
        return to_login()
    app = request.app.state.service.app
    where = await asyncio.to_thread(municipality_for, request, principal, municipality)
    context = {"section": "plan", "municipality": where, "plans": [], "plan": None}
    if where is not None:
        await asyncio.to_thread(check_read, request, principal, where)
        context["plans"] = await asyncio.to_thread(app.plans, where)
        chosen = plan or (context["plans"][-1]["plan_id"] if context["plans"] else None)
        if chosen is not None and any(p["plan_id"] == chosen for p in context["plans"]):
            view = await asyncio.to_thread(app.plan, chosen, date.today())
            view["measures"] = sorted(view["measures"], key=natural_measure)
            context["plan"] = view
        context["reported"] = await asyncio.to_thread(app.reported_values, where)
    editable = access(request).can_write_plans(principal, where)
    names = {d.code: d.name for d in INDICATORS} | SURVEY_NAMES
    units = {d.code: d.unit for d in INDICATORS} | dict.fromkeys(SURVEY_NAMES, "share")
    return page(request, "plan.html", principal, editable=editable, names=names, surveys=SURVEY_NAMES,
                units=units, shown=number_text, measure_text=MEASURE_TEXT, method_text=METHOD_TEXT,
                today=date.today(), **context)
