"""Training domain events to contract events: the only place that maps between them."""

from __future__ import annotations

from pedgrowth.contracts import EventData
from pedgrowth.contracts import training as contract
from pedgrowth.kit.translation import Translation

from .domain.catalogue import Programme, Provider
from .domain.learner import Learner
from .domain.request import PdRequest


def provider_registered(e: Provider.Registered) -> EventData:
    return contract.ProviderRegistered(provider_id=e.provider_id, name=e.name, kind=e.kind)


def program_published(e: Programme.Published) -> EventData:
    return contract.ProgramPublished(
        program_id=e.program_id, provider_id=e.provider_id, title=e.title, kind=e.kind, hours=e.hours,
        format=e.format, topics=e.topics or None, in_federal_registry=e.in_federal_registry)


def course_completed(e: Learner.CourseCompleted) -> EventData:
    return contract.CourseCompleted(
        person_id=e.person_id, program_id=e.program_id, completed_on=e.completed_on,
        certificate_number=e.certificate_number, addresses_deficits=e.addresses_deficits or None)


def diagnostics_completed(e: Learner.DiagnosticsCompleted) -> EventData:
    return contract.DiagnosticsCompleted(
        person_id=e.person_id, diagnostics_id=e.diagnostics_id, completed_on=e.completed_on,
        deficits=[contract.Deficit(code=d["code"], area=d["area"]) for d in e.deficits])


def route_started(e: Learner.RouteStarted) -> EventData:
    return contract.RouteStarted(route_id=e.route_id, person_id=e.person_id, started_on=e.started_on,
                                 planned_until=e.planned_until)


def route_completed(e: Learner.RouteCompleted) -> EventData:
    return contract.RouteCompleted(route_id=e.route_id, person_id=e.person_id, completed_on=e.completed_on)


def attestation_passed(e: Learner.AttestationPassed) -> EventData:
    return contract.AttestationPassed(person_id=e.person_id, category=e.category, decided_on=e.decided_on,
                                      valid_until=e.valid_until)


def competition_participated(e: Learner.CompetitionParticipated) -> EventData:
    return contract.CompetitionParticipated(
        person_id=e.person_id, competition_id=e.competition_id, competition_name=e.competition_name,
        level=e.level, participated_on=e.participated_on, result=e.result)


def independent_assessment_passed(e: Learner.IndependentAssessmentPassed) -> EventData:
    return contract.IndependentAssessmentPassed(person_id=e.person_id, qualification=e.qualification,
                                                passed_on=e.passed_on)


def pd_request_submitted(e: PdRequest.Submitted) -> EventData:
    return contract.PdRequestSubmitted(request_id=e.request_id, person_id=e.person_id, direction=e.direction,
                                       topic=e.topic, submitted_on=e.submitted_on)


def pd_request_met(e: PdRequest.Met) -> EventData:
    return contract.PdRequestMet(request_id=e.request_id, met_on=e.met_on, program_id=e.program_id)


TRANSLATIONS = {
    Provider.Registered: provider_registered,
    Programme.Published: program_published,
    Learner.CourseCompleted: course_completed,
    Learner.DiagnosticsCompleted: diagnostics_completed,
    Learner.RouteStarted: route_started,
    Learner.RouteCompleted: route_completed,
    Learner.AttestationPassed: attestation_passed,
    Learner.CompetitionParticipated: competition_participated,
    Learner.IndependentAssessmentPassed: independent_assessment_passed,
    PdRequest.Submitted: pd_request_submitted,
    PdRequest.Met: pd_request_met,
}

to_contract = Translation(TRANSLATIONS)
"""The contract event a domain event is published as, or None for internal ones."""
