"""Mentoring resources over HTTP (besides the shared POST /api/v1/events): bases, histories, lists, imports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request, Response, UploadFile, status

from pedgrowth.contracts import Day
from pedgrowth.kit.access import PersonReader
from pedgrowth.kit.auth import CurrentPrincipal, Principal, Writer, forbid
from pedgrowth.kit.bodies import refusal
from pedgrowth.kit.http import WORKBOOK, XLSX
from pedgrowth.kit.imports import FormOnly, Imports, limits_of, read_upload, table_refused
from pedgrowth.kit.tables import TableError

from .. import bases
from ..access import Access
from ..adapters import xlsx
from ..adapters.directory import Directory, Scope
from ..application import MentoringApplication
from ..imports import IMPORTS, import_file
from ..readmodel import ReadModel
from . import schemas

router = APIRouter(prefix="/api/v1", tags=["mentoring"])

T = TypeVar("T")
AsOf = Annotated[Day | None, Query(description="The day the answer is for (YYYY-MM-DD); today when left out.")]
ScopeText = Annotated[str | None, Query(
    description="organization:<id>, municipality:<id> or region:<id>; the caller's own scope when left out.")]


def parts(request: Request) -> tuple[MentoringApplication, Directory]:
    return request.app.state.service.app, request.app.state.directory


async def ask(request: Request, question: Callable[[ReadModel, Directory], T]) -> T:
    """Answer from the read model and the directory, in a worker thread (eventsourcing is synchronous)."""
    app, directory = parts(request)

    def answer(rm: ReadModel) -> T:
        with directory.lock:
            return question(rm, directory)

    return await asyncio.to_thread(app.query, answer)


def access_of(request: Request) -> Access:
    return request.app.state.access


def resolve_scope(request: Request, principal: Principal, text: str | None) -> Scope:
    """The scope asked for (or the caller's own), 403 when the caller may not read it, 422 when malformed."""
    try:
        return access_of(request).resolve_scope(principal, text)
    except ValueError as error:
        raise refusal(422, ["query", "scope"], str(error)) from None


def spreadsheet(content: bytes, name: str) -> Response:
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


def file_name(kind: str, scope: Scope, day: date) -> str:
    return f"{kind}-{scope.kind}-{scope.id}-{day.isoformat()}"


@router.get("/mentee-base", response_model=schemas.MenteeBase,
            summary="База наставляемых: young teachers and mentees of a scope")
async def mentee_base(request: Request, principal: PersonReader, scope: ScopeText = None,
                      as_of: AsOf = None) -> dict:
    """Each young teacher (and every other mentee) working in the scope, with current and past pairs."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.mentee_base(rm, d, where, day))
    return {"scope": str(where), "as_of": day, "mentees": rows}


@router.get("/mentee-base.xlsx", summary="База наставляемых as XLSX", **WORKBOOK)
async def mentee_base_xlsx(request: Request, principal: PersonReader, scope: ScopeText = None,
                           as_of: AsOf = None) -> Response:
    """The mentee base as a workbook: one row per person, their current mentor or «нет»."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.mentee_base(rm, d, where, day))
    return spreadsheet(xlsx.mentee_base_xlsx(rows, str(where), day), file_name("mentee-base", where, day))


@router.get("/mentor-base", response_model=schemas.MentorBase, summary="База наставников: mentors of a scope")
async def mentor_base(request: Request, principal: PersonReader, scope: ScopeText = None,
                      as_of: AsOf = None) -> dict:
    """Mentors working in the scope and those leading its mentees, with active pairs and forms."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.mentor_base(rm, d, where, day))
    return {"scope": str(where), "as_of": day, "mentors": rows}


@router.get("/mentor-base.xlsx", summary="База наставников as XLSX", **WORKBOOK)
async def mentor_base_xlsx(request: Request, principal: PersonReader, scope: ScopeText = None,
                           as_of: AsOf = None) -> Response:
    """The mentor base as a workbook."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.mentor_base(rm, d, where, day))
    return spreadsheet(xlsx.mentor_base_xlsx(rows, str(where), day), file_name("mentor-base", where, day))


ProjectId = Annotated[str | None, Query(max_length=200, description="Only this project's participants.")]


@router.get("/curator-base", response_model=schemas.CuratorBase,
            summary="Кураторы наставничества: each organisation of a scope and its curator")
async def curator_base(request: Request, principal: PersonReader, scope: ScopeText = None,
                       as_of: AsOf = None) -> dict:
    """Every organisation in the scope with the curator in office on the day (or none) and the curators before."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.curator_base(rm, d, where, day))
    return {"scope": str(where), "as_of": day, "curators": rows}


@router.get("/curator-base.xlsx", summary="Кураторы наставничества as XLSX", **WORKBOOK)
async def curator_base_xlsx(request: Request, principal: PersonReader, scope: ScopeText = None,
                            as_of: AsOf = None) -> Response:
    """The curator base as a workbook: one row per organisation, «нет» where no curator is appointed."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.curator_base(rm, d, where, day))
    return spreadsheet(xlsx.curator_base_xlsx(rows, str(where), day), file_name("curator-base", where, day))


@router.get("/project-participants", response_model=schemas.ProjectParticipants,
            summary="Участники муниципальных проектов of a scope")
async def project_participants(request: Request, principal: PersonReader, scope: ScopeText = None,
                               as_of: AsOf = None, project_id: ProjectId = None) -> dict:
    """Participations begun by the day of staff working in the scope that day: taking part, completed or withdrawn."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.project_participants(rm, d, where, day, project_id))
    return {"scope": str(where), "as_of": day, "project_id": project_id, "participants": rows}


@router.get("/project-participants.xlsx", summary="Участники муниципальных проектов as XLSX", **WORKBOOK)
async def project_participants_xlsx(request: Request, principal: PersonReader, scope: ScopeText = None,
                                    as_of: AsOf = None, project_id: ProjectId = None) -> Response:
    """The project participants as a workbook: one row per participation, its state on the day."""
    where, day = resolve_scope(request, principal, scope), as_of or date.today()
    rows = await ask(request, lambda rm, d: bases.project_participants(rm, d, where, day, project_id))
    return spreadsheet(xlsx.project_participants_xlsx(rows, str(where), day),
                       file_name("project-participants", where, day))


@router.get("/persons/{person_id}/mentoring", response_model=schemas.History, summary="A person's mentoring history")
async def person_history(person_id: str, request: Request, principal: PersonReader) -> dict:
    """Pairs as mentee and as mentor, communities and support events of one person employed within the scope now."""
    access = access_of(request)

    def question(rm: ReadModel, d: Directory) -> dict | None:
        if not access.can_read_person(principal, person_id):
            return None
        return bases.person_history(rm, person_id)

    history = await ask(request, question)
    if history is None:
        raise forbid(f"person {person_id} is not currently employed within the caller's scope")
    return history


@router.get("/communities", response_model=schemas.Communities,
            summary="Professional communities and methodical associations")
async def communities(request: Request, principal: CurrentPrincipal, as_of: AsOf = None) -> dict:
    """Every community, with how many of its members on the day worked within the caller's scope (a count)."""
    day = as_of or date.today()
    access = access_of(request)

    def question(rm: ReadModel, d: Directory) -> list[dict]:
        return [{**c, "members": sum(access.counts_on(principal, m["person_id"], day)
                                     for m in rm.members(c["community_id"], day))}
                for c in sorted(rm.communities.values(), key=lambda c: c["community_id"])]

    return {"as_of": day, "communities": await ask(request, question)}


@router.get("/communities/{community_id}", response_model=schemas.Community,
            summary="A community with its members as of a date")
async def community(community_id: str, request: Request, principal: PersonReader, as_of: AsOf = None) -> dict:
    """Members on the day; people outside the caller's scope on that day are left out."""
    day = as_of or date.today()
    access = access_of(request)

    def question(rm: ReadModel, d: Directory) -> dict | None:
        found = bases.community(rm, community_id, day)
        if found is not None:
            found["members"] = [m for m in found["members"]
                                if access.can_read_person_on(principal, m["person_id"], day)]
        return found

    found = await ask(request, question)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"community {community_id} not found")
    return found


@router.get("/support-events", response_model=schemas.SupportEvents,
            summary="Support events (seminars, «Школа молодого педагога»…)")
async def support_events(request: Request, principal: CurrentPrincipal) -> dict:
    """Every support event with how many attendees worked within the caller's scope on the day (a count)."""
    access = access_of(request)

    def question(rm: ReadModel, d: Directory) -> list[dict]:
        return [{**e, "attendees": sum(access.counts_on(principal, a["person_id"], a["attended_on"])
                                       for a in rm.attendance(e["event_id"]))}
                for e in sorted(rm.support_events.values(), key=lambda e: e["event_id"])]

    return {"support_events": await ask(request, question)}


@router.get("/support-events/{event_id}/attendance", response_model=schemas.Attendance,
            summary="The attendance list of a support event")
async def attendance(event_id: str, request: Request, principal: PersonReader) -> dict:
    """Who attended; people who did not work in the caller's scope on the day are left out."""
    access = access_of(request)

    def question(rm: ReadModel, d: Directory) -> dict | None:
        found = bases.support_event(rm, event_id)
        if found is not None:
            found["attendees"] = [a for a in found["attendees"]
                                  if access.can_read_person_on(principal, a["person_id"], a["attended_on"])]
        return found

    found = await ask(request, question)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"support event {event_id} not found")
    return found


IMPORT_PATH = "/api/v1/imports/{kind}"


@router.post(IMPORT_PATH.removeprefix(router.prefix), response_model=schemas.ImportReport,
             response_model_exclude_unset=True,
             summary="Bulk import of attendance lists, pair assignments, expert roles or project participants (CSV/XLSX)")
async def import_table(kind: Literal["attendance", "pairs", "expert-roles", "expert-roles-ended", "project-participants",
                                     "project-participants-left"], file: UploadFile, request: Request,
                       principal: Writer, pool: Imports, _: FormOnly) -> dict:
    """Record each row once (ids derived from the row), and report every row's outcome."""
    service = request.app.state.service
    content = await read_upload(file, service.settings)

    def record(fact):
        result = service.inbox.record(fact)
        service.inbox.count(result, "import")
        return result

    authorize = partial(service.parts.authorize_write, principal)
    try:
        report = await pool.run(import_file, IMPORTS[kind], content, file.filename or "", authorize, record,
                                limits_of(service.settings))
    except TableError as error:
        raise table_refused(error) from error
    if report["accepted"]:
        service.inbox.recorded.set()
    return report
