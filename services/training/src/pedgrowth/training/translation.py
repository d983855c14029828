"""Training domain events to contract events: the only place that maps between them."""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import training as contract

from .domain.catalogue import Programme, Provider
from .domain.learner import Learner


def to_contract(domain_event: object) -> EventData | None:
    """The contract event a domain event is published as, or None for internal ones."""
    translate = TRANSLATIONS.get(type(domain_event))
    return translate(domain_event) if translate else None


def provider_registered(e: Provider.Registered) -> EventData:
    return contract.ProviderRegistered(provider_id=e.provider_id, name=e.name, kind=e.kind)


def program_published(e: Programme.Published) -> EventData:
    return contract.ProgramPublished(
        program_id=e.program_id, provider_id=e.provider_id, title=e.title, kind=e.kind, hours=e.hours,
        format=e.format, topics=e.topics or None, in_federal_registry=e.in_federal_registry)


def course_completed(e: Learner.CourseCompleted) -> EventData:
    return contract.CourseCompleted(
        person_id=e.person_id,
        program_id=e.program_id, completed_on=e.completed_on,
        certificate_number=e.certificate_number, addresses_deficits=e.addresses_deficits or None)


TRANSLATIONS = {
    Provider.Registered: provider_registered,
    Programme.Published: program_published,
    Learner.CourseCompleted: course_completed,
}
