"""Schools' mentoring curators (куратор наставничества в ОО, seed 004): one per organisation at a time."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from pedgrowth.kit.errors import Conflict, RuleViolation, UnknownReference


def curatorship_key(org_id: str) -> UUID:
    """Deterministic aggregate id of an organisation's curatorship."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:mentoring:curatorship:{org_id}")


class Curatorship(Aggregate):
    """The succession of one organisation's mentoring curators: terms [appointed_on, released_on) that do not
    overlap; a curator is replaced explicitly, released before another is appointed."""

    @event("Opened")
    def __init__(self, org_id: str):
        self.org_id = org_id
        self.terms: list[dict] = []

    @staticmethod
    def create_id(org_id: str) -> UUID:
        return curatorship_key(org_id)

    def current(self) -> dict | None:
        """The term not released yet, if any."""
        return next((t for t in self.terms if t["released_on"] is None), None)

    def was_appointed(self, person_id: str) -> bool:
        """Whether any term of this person was recorded (a release waits until one is)."""
        return any(t["person_id"] == person_id for t in self.terms)

    def appoint(self, person_id: str, appointed_on: date) -> None:
        """Appoint a curator: not while another is in office; not inside an earlier term; the same again changes
        nothing."""
        if any(t["person_id"] == person_id and t["appointed_on"] == appointed_on for t in self.terms):
            return
        current = self.current()
        if current is not None:
            raise Conflict(f"organisation {self.org_id} has curator {current['person_id']} since "
                           f"{current['appointed_on']}: release them (curator_released) before appointing "
                           f"{person_id}", "data.org_id")
        last = max((t["released_on"] for t in self.terms), default=None)
        if last is not None and appointed_on < last:
            raise RuleViolation(f"appointed_on {appointed_on} is before the previous curator of {self.org_id} "
                                f"was released on {last}", "data.appointed_on")
        self.curator_appointed(org_id=self.org_id, person_id=person_id, appointed_on=appointed_on)

    @event("CuratorAppointed")
    def curator_appointed(self, org_id: str, person_id: str, appointed_on: date) -> None:
        self.terms.append({"person_id": person_id, "appointed_on": appointed_on, "released_on": None})

    def release(self, person_id: str, released_on: date) -> None:
        """Release the curator in office: the person named, not before the appointment; the same again changes
        nothing."""
        if any(t["person_id"] == person_id and t["released_on"] == released_on for t in self.terms):
            return
        current = self.current()
        if current is None and any(t["person_id"] == person_id for t in self.terms):
            last = max(t["released_on"] for t in self.terms if t["person_id"] == person_id)
            raise Conflict(f"{person_id} was already released as curator of {self.org_id} on {last}",
                           "data.person_id")
        if current is None:
            raise UnknownReference(f"organisation {self.org_id} has no curator in office to release", "data.org_id")
        if current["person_id"] != person_id:
            raise Conflict(f"the curator of {self.org_id} is {current['person_id']}, not {person_id}",
                           "data.person_id")
        if released_on < current["appointed_on"]:
            raise RuleViolation(f"released_on {released_on} is before {person_id} was appointed curator of "
                                f"{self.org_id} on {current['appointed_on']}", "data.released_on")
        self.curator_released(org_id=self.org_id, person_id=person_id, released_on=released_on)

    @event("CuratorReleased")
    def curator_released(self, org_id: str, person_id: str, released_on: date) -> None:
        self.current()["released_on"] = released_on
