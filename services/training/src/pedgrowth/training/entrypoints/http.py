"""Training resources over HTTP (besides the shared POST /api/v1/events); access rules in access.py."""

from __future__ import annotations

import asyncio
from functools import partial
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile

from pedgrowth.contracts import Day
from pedgrowth.contracts.training import Category, Format, ProgramKind, ProviderKind
from pedgrowth.kit.access import PersonReader
from pedgrowth.kit.auth import CurrentPrincipal, Principal
from pedgrowth.kit.bodies import refusal
from pedgrowth.kit.imports import FormOnly, Imports, limits_of, read_upload, table_refused
from pedgrowth.kit.service import Service
from pedgrowth.kit.tables import TableError

from .. import imports
from ..access import Access, require_importer
from ..adapters.workplaces import Scope
from ..application import TrainingApplication
from . import schemas

router = APIRouter(prefix="/api/v1", tags=["training"])

ScopeParam = Annotated[str | None, Query(description="organization:<id>, municipality:<id> or region:<id>; "
                                                     "default: the caller's own (admin: everything)")]


def service_of(request: Request) -> Service:
    return request.app.state.service


def application(request: Request) -> TrainingApplication:
    return request.app.state.service.app


def access_of(request: Request) -> Access:
    return request.app.state.access


App = Annotated[TrainingApplication, Depends(application)]
Rules = Annotated[Access, Depends(access_of)]
Importer = Annotated[Principal, Depends(require_importer)]


def scope_from(principal: Principal, text: str | None, access: Access) -> Scope | None:
    try:
        return access.resolve_scope(principal, text)
    except ValueError as error:
        raise refusal(422, ["query", "scope"], str(error)) from None


@router.get("/providers", response_model=schemas.Providers,
            summary="Providers of further professional education (организации ДПО)")
async def list_providers(app: App, _: CurrentPrincipal, kind: ProviderKind | None = None) -> dict:
    return {"providers": await asyncio.to_thread(app.providers, kind and kind.value)}


@router.get("/providers/{provider_id}", response_model=schemas.ProviderWithProgrammes,
            summary="One provider with its programmes")
async def get_provider(provider_id: str, app: App, _: CurrentPrincipal) -> dict:
    provider = await asyncio.to_thread(app.provider, provider_id)
    if provider is None:
        raise HTTPException(404, f"provider {provider_id} not found")
    return provider


@router.get("/programs", response_model=schemas.Programmes, summary="The programme catalogue (ДПП), filtered")
async def list_programs(
    app: App, _: CurrentPrincipal, kind: ProgramKind | None = None, format: Format | None = None,
    topic: Annotated[str | None, Query(description="part of a topic, any case")] = None,
    in_federal_registry: bool | None = None, provider_id: str | None = None,
) -> dict:
    programmes = await asyncio.to_thread(
        app.programmes, kind and kind.value, format and format.value, topic, in_federal_registry, provider_id)
    return {"programs": programmes}


@router.get("/programs/{program_id}", response_model=schemas.Programme, summary="One programme of the catalogue")
async def get_program(program_id: str, app: App, _: CurrentPrincipal) -> dict:
    programme = await asyncio.to_thread(app.programme, program_id)
    if programme is None:
        raise HTTPException(404, f"programme {program_id} not found")
    return programme


@router.get("/persons/{person_id}/transcript", response_model=schemas.Transcript,
            summary="A person's professional-development transcript")
async def get_transcript(person_id: str, app: App, access: Rules, principal: CurrentPrincipal,
                         as_of: Day | None = None) -> dict:
    """Courses, diagnostics (each deficit: addressed by a later course or not), routes, categories, competitions."""
    access.check_person(principal, person_id)
    found = await asyncio.to_thread(app.transcript, person_id, as_of or date.today())
    if found is None:
        raise HTTPException(404, f"training has no record of person {person_id}")
    return found


@router.get("/reports/providers", response_model=schemas.ProviderReport,
            summary="Completions per provider per year (учёт организаций ДПО)")
async def provider_report(
    app: App, access: Rules, principal: CurrentPrincipal, scope: ScopeParam = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    from_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    to_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> dict:
    """A completion counts for the scope when the person worked there on the day of completion."""
    resolved = scope_from(principal, scope, access)
    first, last = (year, year) if year else (from_year, to_year)
    rows = await asyncio.to_thread(app.provider_report, resolved, first, last)
    return {"scope": str(resolved) if resolved else None, "from_year": first, "to_year": last, "rows": rows}


@router.get("/reports/pd-requests", response_model=schemas.PdRequestReport,
            summary="Teachers' requests for PD directions per year and direction, and how many were met")
async def pd_request_report(
    app: App, access: Rules, principal: CurrentPrincipal, scope: ScopeParam = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    from_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    to_year: Annotated[int | None, Query(ge=1990, le=2100)] = None, as_of: Day | None = None,
) -> dict:
    """A request counts for the scope when its teacher worked there on the day of the request (counts only)."""
    resolved = scope_from(principal, scope, access)
    first, last = (year, year) if year else (from_year, to_year)
    day = as_of or date.today()
    rows = await asyncio.to_thread(app.pd_request_report, resolved, first, last, day)
    return {"scope": str(resolved) if resolved else None, "from_year": first, "to_year": last, "as_of": day,
            "rows": rows}


@router.get("/categories/expiring", response_model=schemas.ExpiringCategories,
            summary="Qualification categories ending within the next N months")
async def expiring_categories(
    app: App, access: Rules, principal: PersonReader, scope: ScopeParam = None,
    months: Annotated[int, Query(ge=1, le=60)] = 6, as_of: Day | None = None, category: Category | None = None,
) -> dict:
    """People working in the scope on ``as_of`` whose current category ends by as_of + months."""
    resolved = scope_from(principal, scope, access)
    day = as_of or date.today()
    found = await asyncio.to_thread(app.expiring_categories, resolved, day, months, category and category.value)
    return {"scope": str(resolved) if resolved else None, "as_of": day, "months": months, "persons": found}


IMPORT_PATH = "/api/v1/imports/{kind}"


@router.post(IMPORT_PATH.removeprefix(router.prefix), response_model=schemas.ImportReport, response_model_exclude_none=True,
             summary="Import a provider's completion list, an attestation order or teachers' PD requests (CSV/XLSX)")
async def import_file(
    kind: Literal["course-completions", "attestations", "pd-requests", "pd-requests-met"], request: Request, access: Rules, principal: Importer,
    pool: Imports, _: FormOnly,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or Windows-1251, ';', ',' or tab) or XLSX; "
                                                 "headers in docs/training.md")],
) -> dict:
    """Every valid row recorded (idempotently), every other row reported with the column at fault.

    A row about a person not employed within the caller's scope is refused on its own (``forbidden``).
    """
    service = service_of(request)
    content = await read_upload(file, service.settings)
    try:
        report = await pool.run(imports.import_file, service.inbox, imports.IMPORTS[kind], content, file.filename or "",
                                partial(access.authorize_write, principal), limits_of(service.settings))
    except TableError as error:
        raise table_refused(error) from error
    if report["accepted"]:
        service.inbox.recorded.set()
    return {"file": file.filename, **report}
