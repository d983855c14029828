"""The answers of the registry's own resources, declared (STYLE lesson 20): what the OpenAPI document shows."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from pedgrowth.kit.http import Answer, RowReport


class Organisation(Answer):
    org_id: str
    name: str
    kind: str
    municipality_id: str
    municipality_name: str | None
    region_id: str
    region_name: str | None


class PositionSince(Answer):
    position: str
    since: date


class Employment(Answer):
    """One employment with its current (or, in a list of a day, that day's) position."""

    person_id: str
    org_id: str
    position: str
    started_on: date
    ended_on: date | None
    end_reason: str | None
    pedagogical_experience_since: date | None
    birth_date: date | None
    subjects: list[str]
    education_matches_profile: bool | None
    positions: list[PositionSince]


class Details(Answer):
    """Name and contacts: only the registry keeps them, and only its person-level resources show them."""

    full_name: str | None
    phone: str | None
    email: str | None


class StaffRow(Employment, Details):
    position_label: str = Field(description="the position in Russian, for pages that list people")


class Staff(Answer):
    org_id: str
    as_of: date
    staff: list[StaffRow]


class EducationFinding(Answer):
    matches_profile: bool
    recorded_on: date


class Person(Details):
    person_id: str
    employments: list[Employment]
    education: list[EducationFinding]


class Vacancy(Answer):
    vacancy_id: str
    org_id: str
    position: str
    subject: str | None
    opened_on: date
    closed_on: date | None
    filled: bool | None


class Vacancies(Answer):
    municipality_id: str
    as_of: date
    vacancies: list[Vacancy]


class Post(Answer):
    org_id: str
    position: str


class ReserveMember(Details):
    person_id: str
    municipality_id: str
    enrolled_on: date
    posts: list[Post]


class Reserve(Answer):
    municipality_id: str
    as_of: date
    reserve: list[ReserveMember]


class ImportRow(RowReport):
    """One row of the staff list: accepted, unchanged or rejected, and why."""

    status: str = Field(description="accepted, unchanged or rejected")
    person_id: str | None = None
    recorded: list[str] | None = Field(None, description="the event types the row recorded")
    column: str | None = Field(None, description="the column at fault, as the file names it")
    notes: list[str] | None = None


class Missing(Answer):
    """A person employed at the organisation whom the file does not list."""

    person_id: str
    full_name: str | None
    position: str
    started_on: date


class Ended(Answer):
    """An employment the import ended (end_missing), or why it could not."""

    person_id: str
    status: str = Field(description="ended or rejected")
    ended_on: date | None = None
    reason: str | None = None


class StaffImportReport(Answer):
    org_id: str
    accepted: int
    unchanged: int
    rejected: int
    rows: list[ImportRow]
    missing: list[Missing]
    ended: list[Ended]
    ignored_columns: list[str]
