"""The training application: records accepted training facts as domain events."""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.domain import Aggregate

from pedgrowth.contracts import training as contract
from pedgrowth.kit.recording import RecordingApplication

from .domain.catalogue import Programme, Provider, catalogue_id
from .domain.errors import Conflict, UnknownReference
from .domain.learner import Learner, learner_id


class TrainingApplication(RecordingApplication):
    """Use cases of the training service; one per contract event type."""

    name = "training"

    def on_provider_registered(self, data: contract.ProviderRegistered) -> Sequence[Aggregate]:
        if self.exists(catalogue_id("provider", data.provider_id)):
            raise Conflict(f"provider {data.provider_id} is already registered", "data.provider_id")
        return [Provider(provider_id=data.provider_id, name=data.name, kind=data.kind.value)]

    def on_program_published(self, data: contract.ProgramPublished) -> Sequence[Aggregate]:
        if self.exists(catalogue_id("programme", data.program_id)):
            raise Conflict(f"programme {data.program_id} is already published", "data.program_id")
        return [Programme(
            program_id=data.program_id, provider_id=data.provider_id, title=data.title,
            kind=data.kind.value, hours=data.hours, format=data.format.value,
            topics=list(data.topics or []), in_federal_registry=data.in_federal_registry,
        )]

    def on_course_completed(self, data: contract.CourseCompleted) -> Sequence[Aggregate]:
        if not self.exists(catalogue_id("programme", data.program_id)):
            raise UnknownReference(f"programme {data.program_id} is not known to training", "data.program_id")
        learner = self.learner(data.person_id)
        learner.complete_course(data.program_id, data.completed_on, data.certificate_number,
                                list(data.addresses_deficits or []))
        return [learner]

    def learner(self, person_id: str) -> Learner:
        """The person's learner record, opened on first use."""
        return self.get_or_none(learner_id(person_id)) or Learner(person_id=person_id)

    def programme(self, program_id: str) -> dict | None:
        """A programme of the catalogue as plain data."""
        programme = self.get_or_none(catalogue_id("programme", program_id))
        return None if programme is None else {
            k: getattr(programme, k) for k in
            ("program_id", "provider_id", "title", "kind", "hours", "format", "topics", "in_federal_registry")
        }
