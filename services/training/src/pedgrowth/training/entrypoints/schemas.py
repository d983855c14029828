"""The shapes of training's HTTP answers, for the OpenAPI document at /docs."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from pedgrowth.kit.http import RowReport


class Provider(BaseModel):
    provider_id: str
    name: str
    kind: str


class Programme(BaseModel):
    program_id: str
    provider_id: str
    title: str
    kind: str = Field(description="advanced_training (ПК) or retraining (ПП)")
    hours: int
    format: str
    topics: list[str]
    in_federal_registry: bool


class Providers(BaseModel):
    providers: list[Provider]


class ProviderWithProgrammes(Provider):
    programs: list[Programme]


class Programmes(BaseModel):
    programs: list[Programme]


class CourseRef(BaseModel):
    program_id: str
    completed_on: date


class Course(BaseModel):
    program_id: str
    title: str | None
    kind: str | None
    hours: int | None
    format: str | None
    provider_id: str | None
    provider_name: str | None = Field(description="null while the provider is not registered")
    completed_on: date
    certificate_number: str | None
    addresses_deficits: list[str]


class Deficit(BaseModel):
    code: str
    area: str
    addressed: bool = Field(description="a course on or after the diagnostics lists this code in addresses_deficits")
    addressed_by: list[CourseRef]


class Diagnostics(BaseModel):
    diagnostics_id: str
    completed_on: date
    deficits: list[Deficit]


class Route(BaseModel):
    route_id: str
    started_on: date
    planned_until: date | None
    completed_on: date | None
    status: str = Field(description="active or completed")


class CategoryState(BaseModel):
    category: str
    decided_on: date
    valid_until: date = Field(description="the first day the category no longer holds")
    valid: bool = Field(description="decided_on ≤ as_of < valid_until")
    days_left: int | None


class CategoryDecision(CategoryState):
    current: bool = Field(description="the latest decision valid on as_of")


class Competition(BaseModel):
    competition_id: str
    competition_name: str
    level: str
    participated_on: date
    result: str


class Assessment(BaseModel):
    qualification: str
    passed_on: date


class PdRequest(BaseModel):
    """A teacher's request for a PD direction; met_on and program_id once it was met by the transcript's day."""

    request_id: str
    person_id: str
    direction: str
    topic: str | None
    submitted_on: date
    met_on: date | None
    program_id: str | None


class Transcript(BaseModel):
    """A person's professional-development record as of a day."""

    person_id: str
    as_of: date
    courses: list[Course]
    total_hours: int
    diagnostics: list[Diagnostics]
    routes: list[Route]
    categories: list[CategoryDecision]
    current_category: CategoryState | None
    competitions: list[Competition]
    independent_assessments: list[Assessment]
    pd_requests: list[PdRequest]


class ReportRow(BaseModel):
    year: int
    provider_id: str
    provider_name: str | None
    provider_kind: str | None
    completions: int
    persons: int = Field(description="distinct persons")
    advanced_training: int
    retraining: int
    distance_or_blended: int
    hours: int


class ProviderReport(BaseModel):
    """Completions per provider per year (учёт организаций ДПО)."""

    scope: str | None
    from_year: int | None
    to_year: int | None
    rows: list[ReportRow]


class RequestRow(BaseModel):
    year: int = Field(description="the year the requests were submitted")
    direction: str
    submitted: int
    met: int = Field(description="of them, met by as_of")
    met_share: float


class PdRequestReport(BaseModel):
    """Teachers' requests for PD directions and how many were met (seed 002 item 4)."""

    scope: str | None
    from_year: int | None
    to_year: int | None
    as_of: date
    rows: list[RequestRow]


class Expiring(BaseModel):
    person_id: str
    category: str
    decided_on: date
    valid_until: date
    days_left: int
    org_ids: list[str]


class ExpiringCategories(BaseModel):
    scope: str | None
    as_of: date
    months: int
    persons: list[Expiring]


class ImportRow(RowReport):
    """One row of an uploaded file: its outcome, and why when it was not recorded."""

    outcome: str = Field(description="accepted, duplicate, waiting or rejected")
    person_id: str | None = None
    request_id: str | None = Field(None, description="the PD request of the row (PD request imports)")
    id: str | None = Field(None, description="the event id derived from the row's content")
    column: str | None = Field(None, description="the column at fault, as the file names it")
    field: str | None = None
    unknown_program: str | None = None


class ImportReport(BaseModel):
    file: str | None
    kind: str
    rows: int
    accepted: int
    duplicate: int
    waiting: int = Field(0, description="rows whose programme (or PD request) is not recorded yet: recorded once it is")
    rejected: int
    unknown_programs: list[str]
    results: list[ImportRow]
