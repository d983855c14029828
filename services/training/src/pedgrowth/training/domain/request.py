"""Teachers' requests for directions of professional development (seed 002 item 4) and their being met."""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from pedgrowth.kit.errors import Conflict, RuleViolation

from .catalogue import confirm_same


def request_key(request_id: str) -> UUID:
    """Deterministic aggregate id of a PD request."""
    return uuid5(NAMESPACE_URL, f"pedgrowth:training:pd_request:{request_id}")


class PdRequest(Aggregate):
    """One teacher's request for a PD direction: submitted once, met at most once, not before it was submitted.

    Restating the request or its being met with the same content changes nothing (another system sent it too).
    """

    @event("Submitted")
    def __init__(self, request_id: str, person_id: str, direction: str, topic: str | None, submitted_on: date):
        self.request_id = request_id
        self.person_id = person_id
        self.direction = direction
        self.topic = topic
        self.submitted_on = submitted_on
        self.met_on: date | None = None
        self.program_id: str | None = None

    @staticmethod
    def create_id(request_id: str) -> UUID:
        return request_key(request_id)

    def confirm(self, person_id: str, direction: str, topic: str | None, submitted_on: date) -> None:
        """Submitting the same request again changes nothing; with other details it is a Conflict."""
        confirm_same(f"request {self.request_id}", vars(self),
                     {"person_id": person_id, "direction": direction, "topic": topic, "submitted_on": submitted_on})

    def meet(self, met_on: date, program_id: str | None) -> None:
        """The request is met, once, on or after the day it was submitted."""
        if self.met_on is not None:
            if (self.met_on, self.program_id) != (met_on, program_id):
                raise Conflict(f"request {self.request_id} was already met on {self.met_on}"
                               + (f" by programme {self.program_id}" if self.program_id else ""), "data.request_id")
            return
        if met_on < self.submitted_on:
            raise RuleViolation(f"met_on {met_on} is before request {self.request_id} was submitted "
                                f"on {self.submitted_on}", "data.met_on")
        self.met(request_id=self.request_id, met_on=met_on, program_id=program_id)

    @event("Met")
    def met(self, request_id: str, met_on: date, program_id: str | None) -> None:
        self.met_on = met_on
        self.program_id = program_id
