"""A person in the register: employments at organisations, education profile, personal details.

One aggregate per person, not per employment: the rules that matter span the person's
organisations (a transfer is an end here and a start there, and the history stays in
one place), the education profile belongs to the person, not to one post, and the
personal details (ФИО, contacts) that never leave the registry sit beside them.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference

from .rules import not_before, not_in_future, registry_id

NON_PEDAGOGICAL = "non_pedagogical"


def person_id_of(person_id: str) -> UUID:
    return registry_id("person", person_id)


class Person(Aggregate):
    """Everything the registry knows about one person."""

    @event("Opened")
    def __init__(self, person_id: str):
        self.person_id = person_id
        self.employments: list[dict] = []
        self.education: list[dict] = []
        self.details: dict = {}

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return person_id_of(person_id)

    # --- employments -------------------------------------------------------------------------

    def active_at(self, org_id: str) -> dict | None:
        """The person's current (not ended) employment at an organisation."""
        return next((e for e in self.employments if e["org_id"] == org_id and e["ended_on"] is None), None)

    def was_employed_at(self, org_id: str) -> bool:
        """Whether any employment at the organisation was recorded (an end or a change waits until one is)."""
        return any(e["org_id"] == org_id for e in self.employments)

    @property
    def active_org_ids(self) -> list[str]:
        return [e["org_id"] for e in self.employments if e["ended_on"] is None]

    def start_employment(self, org_id: str, position: str, started_on: date, pedagogical_experience_since: date,
                         birth_date: date | None, subjects: list[str], education_matches_profile: bool | None,
                         latest: date) -> None:
        """Hire the person at an organisation where they hold no active employment."""
        active = self.active_at(org_id)
        if active is not None:
            raise Conflict(f"person {self.person_id} already has an active employment at {org_id} "
                           f"since {active['started_on'].isoformat()}", "data.org_id")
        if pedagogical_experience_since > started_on:
            raise RuleViolation(f"{pedagogical_experience_since.isoformat()} is after started_on "
                                f"{started_on.isoformat()}: pedagogical experience cannot begin after the "
                                "employment it is declared with", "data.pedagogical_experience_since")
        if birth_date is not None:
            not_before(started_on, birth_date, "data.started_on", "the birth date")
        previous = [e["ended_on"] for e in self.employments if e["org_id"] == org_id]
        if previous:
            not_before(started_on, max(previous), "data.started_on", "the end of the previous employment there")
        not_in_future(started_on, latest, "data.started_on")
        self.employment_started(
            person_id=self.person_id, org_id=org_id, position=position, started_on=started_on,
            pedagogical_experience_since=pedagogical_experience_since, birth_date=birth_date,
            subjects=subjects, education_matches_profile=education_matches_profile)

    @event("EmploymentStarted")
    def employment_started(self, person_id: str, org_id: str, position: str, started_on: date,
                           pedagogical_experience_since: date, birth_date: date | None, subjects: list[str],
                           education_matches_profile: bool | None) -> None:
        self.employments.append({
            "org_id": org_id, "position": position, "started_on": started_on, "ended_on": None,
            "end_reason": None, "pedagogical_experience_since": pedagogical_experience_since,
            "birth_date": birth_date, "subjects": list(subjects),
            "education_matches_profile": education_matches_profile,
            "positions": [{"position": position, "since": started_on}],
        })

    def end_employment(self, org_id: str, ended_on: date, reason: str, latest: date) -> None:
        """End the person's active employment at an organisation."""
        active = self.require_active(org_id)
        not_before(ended_on, active["positions"][-1]["since"], "data.ended_on",
                   "the start of the employment" if len(active["positions"]) == 1 else "the last position change")
        not_in_future(ended_on, latest, "data.ended_on")
        self.employment_ended(person_id=self.person_id, org_id=org_id, ended_on=ended_on, reason=reason)

    @event("EmploymentEnded")
    def employment_ended(self, person_id: str, org_id: str, ended_on: date, reason: str) -> None:
        active = self.active_at(org_id)
        active["ended_on"] = ended_on
        active["end_reason"] = reason

    def change_position(self, org_id: str, position: str, changed_on: date, latest: date) -> None:
        """Move the person to another position within an active employment."""
        active = self.require_active(org_id)
        current = active["positions"][-1]
        if current["position"] == position:
            raise Conflict(f"person {self.person_id} already holds position {position} at {org_id}", "data.position")
        not_before(changed_on, current["since"], "data.changed_on",
                   "the start of the employment" if len(active["positions"]) == 1 else "the last position change")
        not_in_future(changed_on, latest, "data.changed_on")
        self.position_changed(person_id=self.person_id, org_id=org_id, position=position, changed_on=changed_on)

    @event("PositionChanged")
    def position_changed(self, person_id: str, org_id: str, position: str, changed_on: date) -> None:
        self.active_at(org_id)["positions"].append({"position": position, "since": changed_on})

    def require_active(self, org_id: str) -> dict:
        active = self.active_at(org_id)
        if active is not None:
            return active
        ended = [e for e in self.employments if e["org_id"] == org_id]
        if ended:
            raise Conflict(f"the employment of person {self.person_id} at {org_id} ended on "
                           f"{ended[-1]['ended_on'].isoformat()}; only an active employment can change",
                           "data.org_id")
        raise UnknownReference(f"person {self.person_id} has no employment at {org_id}", "data.org_id")

    # --- education profile and personal details ------------------------------------------------

    def record_education_profile(self, matches_profile: bool, recorded_on: date, latest: date) -> None:
        """Record whether the person's education matches the subject taught, as found on a day."""
        if not self.employments:
            raise UnknownReference(f"person {self.person_id} has no employment in the register", "data.person_id")
        not_in_future(recorded_on, latest, "data.recorded_on")
        self.education_profile_recorded(person_id=self.person_id, matches_profile=matches_profile,
                                        recorded_on=recorded_on)

    @event("EducationProfileRecorded")
    def education_profile_recorded(self, person_id: str, matches_profile: bool, recorded_on: date) -> None:
        self.education.append({"matches_profile": matches_profile, "recorded_on": recorded_on})

    def record_details(self, full_name: str, phone: str | None = None, email: str | None = None) -> bool:
        """Keep the person's name and contacts (registry only); False when nothing changed."""
        details = {"full_name": full_name, "phone": phone, "email": email}
        if details == self.details:
            return False
        self.details_recorded(**details)
        return True

    @event("DetailsRecorded")
    def details_recorded(self, full_name: str, phone: str | None, email: str | None) -> None:
        self.details = {"full_name": full_name, "phone": phone, "email": email}

    # --- views as of a day -----------------------------------------------------------------

    def employments_on(self, day: date, org_id: str | None = None) -> list[dict]:
        """Employments active on ``day`` (optionally at one organisation), with position and profile as of then."""
        return [self.as_of(e, day) for e in self.employments
                if (org_id is None or e["org_id"] == org_id)
                and e["started_on"] <= day and (e["ended_on"] is None or day < e["ended_on"])]

    def as_of(self, employment: dict, day: date) -> dict:
        positions = [p for p in employment["positions"] if p["since"] <= day] or employment["positions"][:1]
        return {**self.public(employment), "position": positions[-1]["position"],
                "education_matches_profile": self.matches_profile_on(day, employment)}

    def matches_profile_on(self, day: date, employment: dict) -> bool | None:
        """The latest recorded profile finding on or before ``day``, else the one given at hiring."""
        recorded = [r for r in self.education if r["recorded_on"] <= day]
        if recorded:
            return max(recorded, key=lambda r: r["recorded_on"])["matches_profile"]
        return employment["education_matches_profile"]

    def history(self) -> list[dict]:
        """Every employment, ended ones included, oldest first."""
        return [self.public(e) for e in sorted(self.employments, key=lambda e: e["started_on"])]

    def public(self, employment: dict) -> dict:
        return {"person_id": self.person_id, **{k: v for k, v in employment.items() if k != "positions"},
                "position": employment["positions"][-1]["position"],
                "positions": [dict(p) for p in employment["positions"]]}
