"""The yearly management cycle of a municipality (SPEC §5.1): recommendations, decisions, the effectiveness
review and the frozen monitoring submission.

Each is an aggregate of its own, keyed by what the contract event names: a recommendation by its id (its
completion names only that), a decision by its id, a review and a submission by municipality and year (one
each: a second is a conflict). The cycle of a year is assembled from them when it is read
(``application.IndicatorsApplication.cycle``); docs/plans.md, "The yearly cycle", says why.
"""

from __future__ import annotations

import base64
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import Conflict, RuleViolation

STEPS: tuple[tuple[str, int, int], ...] = (
    ("monitoring", 1, 20), ("analysis", 3, 30), ("review", 8, 31), ("decisions", 12, 31))
"""The steps of the cycle of year Y with their deadline (month, day of Y), in the order of their deadlines:
monitoring of Y − 1 by 20 January, recommendations by 30 March, the review by 31 August, measures and
decisions by 31 December (seed 002; 004's orders 3.1–3.2)."""


def deadline(step: str, year: int) -> date:
    """The day a step of the cycle of ``year`` is due."""
    month, day = next((m, d) for name, m, d in STEPS if name == step)
    return date(year, month, day)


def _id(kind: str, *key: object) -> UUID:
    return uuid5(NAMESPACE_URL, f"pedgrowth:indicators:{kind}:" + ":".join(str(k) for k in key))


def recommendation_id_of(recommendation_id: str) -> UUID:
    return _id("recommendation", recommendation_id)


def decision_id_of(decision_id: str) -> UUID:
    return _id("decision", decision_id)


def review_id_of(municipality_id: str, year: int) -> UUID:
    return _id("review", municipality_id, year)


def submission_id_of(municipality_id: str, year: int) -> UUID:
    return _id("submission", municipality_id, year)


class Recommendation(Aggregate):
    """«Адресная рекомендация»: to one school (or every school) of a municipality, on indicators, due on a day."""

    @event("Issued")
    def __init__(self, recommendation_id: str, municipality_id: str, org_id: str | None, indicators: list[str],
                 text: str, issued_on: date, due_on: date):
        self.recommendation_id = recommendation_id
        self.municipality_id = municipality_id
        self.org_id = org_id
        self.indicators = list(indicators)
        self.text = text
        self.issued_on = issued_on
        self.due_on = due_on
        self.completed_on: date | None = None
        self.evidence: str | None = None

    @staticmethod
    def create_id(recommendation_id: str) -> UUID:
        return recommendation_id_of(recommendation_id)

    def complete(self, completed_on: date, evidence: str | None) -> None:
        """Carried out once, not before it was issued."""
        if self.completed_on is not None:
            raise Conflict(f"recommendation {self.recommendation_id} was completed on {self.completed_on}",
                           "data.recommendation_id")
        if completed_on < self.issued_on:
            raise RuleViolation(f"completed_on {completed_on} is before the recommendation was issued "
                                f"({self.issued_on})", "data.completed_on")
        self.completed(recommendation_id=self.recommendation_id, completed_on=completed_on, evidence=evidence)

    @event("Completed")
    def completed(self, recommendation_id: str, completed_on: date, evidence: str | None) -> None:
        self.completed_on = completed_on
        self.evidence = evidence


class Decision(Aggregate):
    """«Управленческое решение»: recorded once, on indicators and (optionally) the plan's measures."""

    @event("Recorded")
    def __init__(self, decision_id: str, municipality_id: str, title: str, document: str | None,
                 decided_on: date, indicators: list[str], measure_ids: list[str] | None):
        self.decision_id = decision_id
        self.municipality_id = municipality_id
        self.title = title
        self.document = document
        self.decided_on = decided_on
        self.indicators = list(indicators)
        self.measure_ids = list(measure_ids or ())

    @staticmethod
    def create_id(decision_id: str) -> UUID:
        return decision_id_of(decision_id)


class Review(Aggregate):
    """The effectiveness review of a municipality's year: one per year, per indicator an assessment."""

    @event("Reviewed")
    def __init__(self, review_id: str, municipality_id: str, year: int, reviewed_on: date, findings: list[dict]):
        self.review_id = review_id
        self.municipality_id = municipality_id
        self.year = year
        self.reviewed_on = reviewed_on
        self.findings = [dict(f) for f in findings]

    @staticmethod
    def create_id(municipality_id: str, year: int) -> UUID:
        return review_id_of(municipality_id, year)


class Submission(Aggregate):
    """The yearly monitoring report as submitted: its as-of date, the bus positions it was computed at, the
    SHA-256 of the XLSX and the XLSX itself (kept here, never published), so it downloads unchanged later."""

    @event("Submitted")
    def __init__(self, submission_id: str, municipality_id: str, year: int, as_of: date, submitted_on: date,
                 sha256: str, positions: dict[str, dict[str, int]], xlsx: str, values: list[dict]):
        self.submission_id = submission_id
        self.municipality_id = municipality_id
        self.year = year
        self.as_of = as_of
        self.submitted_on = submitted_on
        self.sha256 = sha256
        self.positions = positions
        self.xlsx = xlsx  # base64: the event store keeps JSON
        self.values = values  # per indicator: code, name, unit, value, numerator, denominator (as reported)

    @staticmethod
    def create_id(municipality_id: str, year: int) -> UUID:
        return submission_id_of(municipality_id, year)

    @property
    def file(self) -> bytes:
        return base64.b64decode(self.xlsx)

    @classmethod
    def freeze(cls, submission_id: str, municipality_id: str, year: int, as_of: date, submitted_on: date,
               sha256: str, positions: dict[str, dict[str, int]], file: bytes, values: list[dict]) -> Submission:
        """The report of a year that has begun, submitted on or after its as-of date."""
        if as_of.year != year:
            raise RuleViolation(f"as_of {as_of} is not in the reported year {year}", "data.as_of")
        if submitted_on < as_of:
            raise RuleViolation(f"submitted_on {submitted_on} is before as_of {as_of}", "data.submitted_on")
        return cls(submission_id=submission_id, municipality_id=municipality_id, year=year, as_of=as_of,
                   submitted_on=submitted_on, sha256=sha256, positions=positions,
                   xlsx=base64.b64encode(file).decode(), values=values)
