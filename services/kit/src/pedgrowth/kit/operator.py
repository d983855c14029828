"""Operator resources every service has: its waiting facts, its dead letters, and their replay."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from aiokafka.errors import KafkaConnectionError
from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, status
from pedgrowth.contracts import Day
from pydantic import BaseModel, Field

from .auth import CurrentPrincipal, Principal, Role, forbid
from .bodies import refusal
from .deadletters import Filter, Letter
from .duplicates import Repeated
from .inbox import EventResult
from .recording import Outcome

router = APIRouter(prefix="/api/v1", tags=["operations"])


class WaitingFact(BaseModel):
    """A fact kept until the thing it names is recorded."""

    event_id: str
    source: str
    type: str
    waits_for: str = Field(description="the kind of reference: organisation, programme, mentor, plan")
    key: str = Field(description="the id it names, not recorded yet")
    field: str
    org_id: str | None
    municipality_id: str | None
    origin: str
    parked_at: datetime
    age_seconds: float


class WaitingList(BaseModel):
    service: str
    count: int
    facts: list[WaitingFact]


class DeadLetter(BaseModel):
    """A message the service could not accept, with why (English and Russian) and the original payload."""

    id: str = Field(description="partition-offset on <service>.inbox.dlq")
    time: datetime
    reason_code: str
    reason: str
    reason_ru: str
    field: str | None
    origin: str
    event_id: str | None
    event_type: str | None
    source: str | None
    org_id: str | None
    municipality_id: str | None
    recorded: bool = Field(description="recorded since (replayed, or delivered again)")
    payload: str


class DeadLetterList(BaseModel):
    service: str
    count: int
    letters: list[DeadLetter]


class Replay(BaseModel):
    """Which letters to replay: ids, or a filter, or all of them."""

    ids: list[str] | None = None
    org_id: str | None = None
    reason: str | None = None
    since: Day | None = None
    all: bool = False


@dataclass(frozen=True)
class ReplayOutcome(EventResult):
    """A replayed letter: which letter it was, and what happened to its event (the inbox's EventResult)."""

    id: Annotated[str, Field(description="the letter's id (partition-offset), as the list gives it")]
    event_id: Annotated[str | None, Field(description="the event's CloudEvent id, once it was read")] = None

    @classmethod
    def of(cls, letter: Letter, result: EventResult) -> ReplayOutcome:
        return cls(**{**vars(result), "id": letter.id, "event_id": result.id})


class ReplayReport(BaseModel):
    service: str
    replayed: int
    outcomes: list[ReplayOutcome]


class DuplicateCount(BaseModel):
    """How many events naming a place were delivered again (an aggregate: no person, no event id)."""

    org_id: str | None = Field(description="the organisation the events name (data.org_id), None when none")
    municipality_id: str | None = Field(description="the municipality the events name (data.municipality_id)")
    type: str = Field(description="the event type, e.g. employment_started")
    channel: str = Field(description="kafka (<service>.inbox) or http (POST /api/v1/events)")
    count: int


class DuplicateList(BaseModel):
    service: str
    since: datetime = Field(description="counted since this process started (per replica, like /metrics)")
    count: int
    duplicates: list[DuplicateCount]


def may_see(principal: Principal, org_id: str | None, municipality_id: str | None) -> bool:
    """Admins see everything, a municipal operator its municipality, a school system itself."""
    if principal.role is Role.SCHOOL_SYSTEM:
        return org_id is not None and org_id == principal.org_id
    return principal.covers(org_id=org_id, municipality_id=municipality_id)


def require_operator(principal: Principal) -> None:
    if principal.role not in (Role.ADMIN, Role.MUNICIPAL_OPERATOR):
        raise forbid(f"role {principal.role.value} may not read dead letters (admin or municipal operator)")


@router.get("/waiting", response_model=WaitingList, summary="Facts waiting for what they refer to")
async def waiting_facts(request: Request, principal: CurrentPrincipal,
                        org_id: Annotated[str | None, Query(description="only this organisation's")] = None):
    service = request.app.state.service
    if principal.role is Role.REGIONAL_ANALYST:
        raise forbid("role regional_analyst may not read waiting facts")
    if principal.role is Role.SCHOOL_SYSTEM and org_id not in (None, principal.org_id):
        raise forbid(f"org_id: {org_id} is not the caller's organisation")
    lists = await asyncio.to_thread(service.app.waiting.catch_up)
    now = time.time()
    facts = [
        WaitingFact(event_id=p.event_id, source=p.source, type=p.event_type, waits_for=w.kind, key=w.key,
                    field=p.field, org_id=p.org_id, municipality_id=p.municipality_id, origin=p.origin,
                    parked_at=datetime.fromtimestamp(p.parked_at, UTC), age_seconds=round(now - p.parked_at, 3))
        for w in lists for p in w.waiting()
        if (org_id is None or p.org_id == org_id) and may_see(principal, p.org_id, p.municipality_id)
    ]
    facts.sort(key=lambda f: f.parked_at)
    return WaitingList(service=service.name, count=len(facts), facts=facts)


async def visible_letters(request: Request, principal: Principal, wanted: Filter) -> list[Letter]:
    require_operator(principal)
    dead_letters = request.app.state.service.dead_letters
    try:
        return await dead_letters.letters(wanted, lambda place: may_see(principal, *place))
    except KafkaConnectionError as error:  # the letters live on the broker: say so, not a bare 500
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            f"the broker does not answer, dead letters cannot be read now: {error}") from error


@router.get("/dead-letters", response_model=DeadLetterList, summary="Messages this service could not accept")
async def list_dead_letters(
    request: Request, principal: CurrentPrincipal,
    org_id: Annotated[str | None, Query(description="only this organisation's")] = None,
    reason: Annotated[str | None, Query(description="only this reason code, e.g. business_rule")] = None,
    since: Annotated[Day | None, Query(description="only letters from this day on (YYYY-MM-DD)")] = None,
):
    service = request.app.state.service
    letters = await visible_letters(request, principal, Filter(org_id=org_id, reason=reason, since=since))
    described = await asyncio.to_thread(lambda: [service.dead_letters.describe(x) for x in letters])
    return DeadLetterList(service=service.name, count=len(described), letters=described)


@router.get("/dead-letters/{letter_id}", response_model=DeadLetter, summary="One dead letter")
async def show_dead_letter(request: Request, principal: CurrentPrincipal,
                           letter_id: Annotated[str, Path(pattern=r"^\d+-\d+$")]):
    service = request.app.state.service
    letters = await visible_letters(request, principal, Filter(ids=frozenset([letter_id])))
    if not letters:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"letter_id: no dead letter {letter_id} you may see")
    return await asyncio.to_thread(service.dead_letters.describe, letters[0])


@router.post("/dead-letters/replay", response_model=ReplayReport,
             summary="Send dead letters through the inbox again (idempotent: receipts dedupe)")
async def replay_dead_letters(request: Request, principal: CurrentPrincipal, replay: Annotated[Replay, Body()]):
    service = request.app.state.service
    if not (replay.all or replay.ids or replay.org_id or replay.reason or replay.since):
        raise refusal(status.HTTP_422_UNPROCESSABLE_ENTITY, ["body", "all"], "name ids, a filter, or all: true")
    wanted = Filter(org_id=replay.org_id, reason=replay.reason, since=replay.since,
                    ids=frozenset(replay.ids) if replay.ids else None)
    letters = await visible_letters(request, principal, wanted)
    outcomes = [ReplayOutcome.of(letter, result)
                for letter, result in await asyncio.to_thread(service.dead_letters.replay, letters)]
    if any(o.outcome is Outcome.ACCEPTED for o in outcomes):
        service.inbox.recorded.set()
    return ReplayReport(service=service.name, replayed=len(outcomes), outcomes=outcomes)


def may_count(request: Request, principal: Principal, repeated: Repeated) -> bool:
    """Counts are aggregates: every role within its scope, a regional analyst too (where an organisation lies is
    the service's own ``Access.can_read_org``); counts naming no organisation go to the municipality's operators,
    and those naming no place to admins."""
    if principal.is_admin:
        return True
    if repeated.org_id is not None:
        return request.app.state.access.can_read_org(principal, repeated.org_id)
    return repeated.municipality_id is not None and may_see(principal, None, repeated.municipality_id)


@router.get("/duplicates", response_model=DuplicateList,
            summary="Events delivered again (recorded before), per organisation, type and channel: counts only")
async def list_duplicates(request: Request, principal: CurrentPrincipal):
    service = request.app.state.service
    duplicates = service.inbox.duplicates
    counted = [DuplicateCount(**vars(repeated), count=count) for repeated, count in duplicates.counted()
               if may_count(request, principal, repeated)]
    return DuplicateList(service=service.name, since=duplicates.since, count=sum(c.count for c in counted),
                         duplicates=counted)
