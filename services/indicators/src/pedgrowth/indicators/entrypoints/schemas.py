"""The answers of the indicators' read API, plans and scope tree, declared (STYLE lesson 20): what OpenAPI shows.

The dicts they declare are built by ``indicators.answers`` (values, series, members), ``application``
(plans) and ``dashboard.scope_tree``; a key some answers leave out (a dimension that does not apply, a
measure's optional field) is declared with a default and the routes answer ``exclude_unset``, so it stays
out of those answers as before.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from pedgrowth.kit.http import Answer

Status = Literal["met", "behind", "no_target", "no_data", "not_applicable"]
Kind = Literal["computed", "reported"]


class Definition(Answer):
    """The dimension values (SPEC §4.2) a value was computed with: those that apply; empty for a reported value."""

    window: str | None = None
    population: str | None = None
    young: str | None = None
    support: str | None = None
    competition: str | None = None
    cohort: str | None = None
    period_start: date | None = Field(None, description="with window=since_period_start only")


class IndicatorValue(Answer):
    """One indicator of a scope as of a day, against the plan's target."""

    code: str
    name: str
    unit: Literal["share", "count"]
    value: float | None = Field(description="a share 0..1 (4 decimals) or a count; null without data")
    numerator: int | None
    denominator: int | None
    target: float | None
    status: Status
    kind: Kind
    definition: Definition
    lower_is_better: bool
    reported: bool = Field(description="a survey value a municipality reported, not computed from events")
    method: str | None = Field(description="how a reported value was obtained (survey, expert_review, other)")
    applicable: bool = Field(description="whether the indicator applies to this kind of scope")


class IndicatorValues(Answer):
    scope: str
    as_of: date
    indicators: list[IndicatorValue]


class YearPoint(Answer):
    """An indicator's value for one year (as of 31 December; today for the current year)."""

    year: int
    as_of: date
    value: float | None
    numerator: int | None
    denominator: int | None
    target: float | None
    baseline: float | None
    status: Status
    definition: Definition


class Series(Answer):
    scope: str
    code: str
    name: str
    unit: Literal["share", "count"]
    kind: Kind
    lower_is_better: bool
    reported: bool
    series: list[YearPoint]


class Members(Answer):
    """The person ids behind an indicator; null where the indicator has no such list (a count's denominator)."""

    scope: str
    as_of: date
    code: str
    definition: Definition
    numerator: list[str] | None
    denominator: list[str] | None


class ScopeOrganisation(Answer):
    id: str
    name: str
    kind: str


class ScopeMunicipality(Answer):
    id: str
    name: str
    readable: bool = Field(description="whether the caller may ask for the municipality's totals")
    organizations: list[ScopeOrganisation]


class ScopeRegion(Answer):
    id: str
    name: str
    readable: bool = Field(description="whether the caller may ask for the region's totals")
    municipalities: list[ScopeMunicipality]


class Scopes(Answer):
    """The regions, municipalities and organisations the caller sees, nested and sorted by name."""

    regions: list[ScopeRegion]


class PlanSummary(Answer):
    plan_id: str
    municipality_id: str
    title: str
    period_start: date
    period_end: date
    targets_count: int
    measures_count: int


class ReportedValue(Answer):
    indicator: str
    year: int
    value: float
    method: str


class Plans(Answer):
    municipality_id: str | None = Field(description="null when an admin lists every municipality's plans")
    plans: list[PlanSummary]
    reported_values: list[ReportedValue]


class YearValue(Answer):
    """A target or a base value of an indicator for a year."""

    indicator: str
    year: int
    value: float


class MeasureStatus(Answer):
    """A roadmap measure and its state as of the plan's day."""

    measure_id: str
    title: str
    due_on: date
    responsible: str
    expected_result: str | None = None
    completed_on: date | None
    evidence: str | None
    status: Literal["done", "due", "overdue"]
    done_by: list[str] = Field(description="the schools that reported it done («во всех ОО»)")


class DefinitionChoice(Definition):
    """The dimension values a plan chose for one computed indicator."""

    indicator: str


class Plan(PlanSummary):
    as_of: date
    targets: list[YearValue]
    measures: list[MeasureStatus]
    definitions: list[DefinitionChoice]
    baselines: list[YearValue]
