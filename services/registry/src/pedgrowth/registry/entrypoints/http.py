"""Registry resources over HTTP (besides the shared POST /api/v1/events), scoped by the caller's role."""

from __future__ import annotations

import asyncio
from functools import partial
import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, Response, UploadFile, status

from pedgrowth.contracts import Day, new_event
from pedgrowth.contracts.catalog import Fact
from pedgrowth.contracts.registry import EndReason, OrganizationRegistered
from pedgrowth.kit.access import PersonReader
from pedgrowth.kit.auth import CurrentPrincipal, Principal, Writer, forbid
from pedgrowth.kit.http import WORKBOOK, rejection_response
from pedgrowth.kit.imports import FormOnly, Imports, limits_of, read_upload, table_refused
from pedgrowth.kit.recording import Outcome
from pedgrowth.kit.service import Service
from pedgrowth.kit.tables import TableError

from ..access import Access, can_read_municipality, can_read_org_record
from ..adapters.spreadsheets import XLSX_MEDIA_TYPE
from ..application import RegistryApplication
from ..exports import reserve_xlsx, staff_xlsx
from ..importing import StaffImport
from ..labels import POSITION_LABELS
from . import schemas

router = APIRouter(prefix="/api/v1", tags=["registry"])


def current_service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(current_service)]
AsOf = Annotated[Day | None, Query(description="The day to answer for (YYYY-MM-DD); today when absent.")]


def registry(service: Service) -> RegistryApplication:
    return service.app


def access_of(request: Request) -> Access:
    return request.app.state.access


AccessDep = Annotated[Access, Depends(access_of)]


async def readable_org(service: Service, principal: Principal, org_id: str) -> dict:
    """The organisation if it exists (404) and the caller may see it (403)."""
    org = await asyncio.to_thread(registry(service).organisation, org_id)
    if org is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"organisation {org_id} is not registered")
    if not can_read_org_record(principal, org):
        raise forbid(f"organisation {org_id} is not within the caller's scope")
    return org


async def readable_municipality(service: Service, principal: Principal, municipality_id: str) -> dict:
    place = await asyncio.to_thread(registry(service).municipality, municipality_id)
    if place is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"municipality {municipality_id} has no registered organisation")
    if not can_read_municipality(principal, place):
        raise forbid(f"municipality {municipality_id} is not within the caller's scope")
    return place


@router.post("/organisations", status_code=status.HTTP_201_CREATED, response_model=schemas.Organisation,
             summary="Register an organisation")
async def register_organisation(body: OrganizationRegistered, principal: Writer, service: ServiceDep):
    """Place an organisation in the register (a municipal operator for its municipality, or an admin)."""
    reason = service.parts.authorize_write(principal, body)
    if reason:
        raise forbid(reason)
    fact = Fact(envelope=new_event(body, source=f"/registry/http/{principal.subject}"), data=body)
    result = await asyncio.to_thread(service.inbox.record, fact)
    service.inbox.count(result, "http")
    if result.outcome is Outcome.REJECTED:
        return rejection_response(service, result)
    service.inbox.recorded.set()
    return await asyncio.to_thread(registry(service).organisation, body.org_id)


@router.get("/organisations", response_model=list[schemas.Organisation], summary="Organisations the caller may see")
async def list_organisations(principal: CurrentPrincipal, service: ServiceDep,
                             municipality_id: str | None = None) -> list[dict]:
    orgs = await asyncio.to_thread(registry(service).organisations, municipality_id)
    return [org for org in orgs if can_read_org_record(principal, org)]


@router.get("/organisations/{org_id}", response_model=schemas.Organisation, summary="One organisation")
async def get_organisation(org_id: str, principal: CurrentPrincipal, service: ServiceDep) -> dict:
    return await readable_org(service, principal, org_id)


@router.get("/organisations/{org_id}/staff", response_model=schemas.Staff,
            summary="The organisation's staff on a day")
async def get_staff(org_id: str, principal: PersonReader, service: ServiceDep, as_of: AsOf = None) -> dict:
    await readable_org(service, principal, org_id)
    day = as_of or date.today()
    staff = await asyncio.to_thread(registry(service).staff, org_id, day)
    for row in staff:  # the Russian label beside the code, for pages that list people (indicators' members)
        row["position_label"] = POSITION_LABELS.get(row["position"], row["position"])
    return {"org_id": org_id, "as_of": day, "staff": staff}


@router.get("/organisations/{org_id}/staff.xlsx", summary="The organisation's staff on a day, as XLSX", **WORKBOOK)
async def export_staff(org_id: str, principal: PersonReader, service: ServiceDep, as_of: AsOf = None):
    await readable_org(service, principal, org_id)
    day = as_of or date.today()
    staff = await asyncio.to_thread(registry(service).staff, org_id, day)
    content = await asyncio.to_thread(staff_xlsx, staff, day)
    return xlsx_response(content, f"staff-{org_id}-{day.isoformat()}.xlsx")


IMPORT_PATH = "/api/v1/organisations/{org_id}/staff/import"


@router.post(IMPORT_PATH.removeprefix(router.prefix), response_model=schemas.StaffImportReport,
             response_model_exclude_unset=True, summary="Import a staff list (CSV or XLSX)")
async def import_staff(
    org_id: str, principal: Writer, service: ServiceDep, access: AccessDep, imports: Imports, _: FormOnly,
    file: Annotated[UploadFile, File(description="CSV or XLSX with the columns of docs/registry.md")],
    end_missing: Annotated[bool, Query(description="End the employment of people missing from the file")] = False,
    ended_on: Annotated[Day | None, Query(description="End date for people missing (default today)")] = None,
    end_reason: EndReason = EndReason.OTHER,
) -> dict:
    """Record what the file says; idempotent, with a per-row report and the people missing from it."""
    await readable_org(service, principal, org_id)
    if not await asyncio.to_thread(access.may_write_at, principal, org_id):
        raise forbid(f"organisation {org_id} is not within the caller's scope")
    content = await read_upload(file, service.settings)

    def record(fact: Fact):
        result = service.inbox.record(fact)
        service.inbox.count(result, "import")
        return result

    staff_import = StaffImport(registry(service), record, org_id, date.today(),
                               partial(access.authorize_write, principal), limits_of(service.settings))
    try:
        report = await imports.run(staff_import.run, content, file.filename or "", end_missing, ended_on,
                                   end_reason.value)
    except TableError as error:
        raise table_refused(error) from error
    if report["accepted"] or report["ended"]:
        service.inbox.recorded.set()
    return report


@router.get("/people/{person_id}", response_model=schemas.Person, summary="A person's employment history")
async def get_person(person_id: str, principal: PersonReader, service: ServiceDep, access: AccessDep) -> dict:
    """While the person is employed within the caller's scope: details, and the employments within that scope."""
    app = registry(service)
    person = await asyncio.to_thread(app.person, person_id)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"person {person_id} is not in the register")
    if not await asyncio.to_thread(access.can_read_person, principal, person_id):
        raise forbid(f"person {person_id} is not currently employed within the caller's scope")
    visible = [e for e in person["employments"] if await asyncio.to_thread(access.can_read_org, principal, e["org_id"])]
    return {**person, "employments": visible}


@router.get("/municipalities/{municipality_id}/vacancies", response_model=schemas.Vacancies,
            summary="Open vacancies of a municipality on a day")
async def get_vacancies(municipality_id: str, principal: CurrentPrincipal, service: ServiceDep,
                        as_of: AsOf = None) -> dict:
    await readable_municipality(service, principal, municipality_id)
    day = as_of or date.today()
    vacancies = await asyncio.to_thread(registry(service).open_vacancies, municipality_id, day)
    return {"municipality_id": municipality_id, "as_of": day, "vacancies": vacancies}


@router.get("/municipalities/{municipality_id}/reserve", response_model=schemas.Reserve,
            summary="The managers' reserve of a municipality")
async def get_reserve(municipality_id: str, principal: PersonReader, service: ServiceDep,
                      as_of: AsOf = None) -> dict:
    await readable_municipality(service, principal, municipality_id)
    day = as_of or date.today()
    members = await asyncio.to_thread(registry(service).reserve, municipality_id, day)
    return {"municipality_id": municipality_id, "as_of": day, "reserve": members}


@router.get("/municipalities/{municipality_id}/reserve.xlsx", summary="The managers' reserve as XLSX", **WORKBOOK)
async def export_reserve(municipality_id: str, principal: PersonReader, service: ServiceDep,
                         as_of: AsOf = None):
    await readable_municipality(service, principal, municipality_id)
    day = as_of or date.today()
    app = registry(service)
    members = await asyncio.to_thread(app.reserve, municipality_id, day)
    names = {org["org_id"]: org["name"] for org in await asyncio.to_thread(app.organisations, municipality_id)}
    content = await asyncio.to_thread(reserve_xlsx, members, names, day)
    return xlsx_response(content, f"reserve-{municipality_id}-{day.isoformat()}.xlsx")


def xlsx_response(content: bytes, filename: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(content, media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})


