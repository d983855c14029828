"""The read model behind catalogue listings and reports, kept in memory.

It follows the service's own notification log and is caught up before each read,
so a query always sees what was recorded before it (read your writes) and the
model is rebuilt from the store after a restart, with nothing to keep in step.
Only the topics it needs are decoded.
"""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from eventsourcing.application import Application
from eventsourcing.utils import get_topic
from pedgrowth.kit.logfollower import LogFollower

from ..domain.catalogue import Programme, Provider
from ..domain.learner import Attestation, Learner
from ..domain.request import PdRequest


@dataclass(frozen=True)
class Completion:
    """One course completion, as the provider report counts it."""

    person_id: str
    program_id: str
    completed_on: date


class TrainingViews:
    """Providers, programmes, every completion, every person's categories and every PD request."""

    def __init__(self, app: Application):
        self.lock = threading.Lock()
        self.providers: dict[str, dict] = {}
        self.programmes: dict[str, dict] = {}
        self.completions: list[Completion] = []
        self.attestations: dict[str, list[Attestation]] = defaultdict(list)
        self.requests: dict[str, dict] = {}
        self.requests_of: dict[str, list[str]] = defaultdict(list)
        self.log = LogFollower(app, {
            get_topic(PdRequest.Submitted): self.on_request,
            get_topic(PdRequest.Met): self.on_request_met,
            get_topic(Provider.Registered): self.on_provider,
            get_topic(Programme.Published): self.on_programme,
            get_topic(Learner.CourseCompleted): self.on_course,
            get_topic(Learner.AttestationPassed): self.on_attestation,
        })

    @contextlib.contextmanager
    def current(self) -> Iterator[TrainingViews]:
        """The model caught up with the store, held still while the caller reads it."""
        with self.lock:
            self.log.catch_up()
            yield self

    def on_provider(self, e: Provider.Registered) -> None:
        self.providers[e.provider_id] = {"provider_id": e.provider_id, "name": e.name, "kind": e.kind}

    def on_programme(self, e: Programme.Published) -> None:
        self.programmes[e.program_id] = {
            "program_id": e.program_id, "provider_id": e.provider_id, "title": e.title, "kind": e.kind,
            "hours": e.hours, "format": e.format, "topics": list(e.topics or []),
            "in_federal_registry": e.in_federal_registry,
        }

    def on_course(self, e: Learner.CourseCompleted) -> None:
        self.completions.append(Completion(e.person_id, e.program_id, e.completed_on))

    def on_attestation(self, e: Learner.AttestationPassed) -> None:
        decisions = self.attestations[e.person_id]
        decisions.append(Attestation(e.category, e.decided_on, e.valid_until))
        decisions.sort(key=lambda a: a.decided_on)

    def on_request(self, e: PdRequest.Submitted) -> None:
        self.requests[e.request_id] = {"request_id": e.request_id, "person_id": e.person_id, "direction": e.direction,
                                       "topic": e.topic, "submitted_on": e.submitted_on, "met_on": None,
                                       "program_id": None}
        self.requests_of[e.person_id].append(e.request_id)

    def on_request_met(self, e: PdRequest.Met) -> None:
        self.requests[e.request_id].update(met_on=e.met_on, program_id=e.program_id)
