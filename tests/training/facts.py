"""Builders of training facts for the tests: one valid contract event per call, defaults overridable."""

from __future__ import annotations

import uuid

from pedgrowth.contracts import EventData, Fact, decode, new_event
from pedgrowth.contracts import training as c
from pedgrowth.training.application import TrainingApplication

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def memory_app() -> TrainingApplication:
    return TrainingApplication(env=POPO)


def fact(data: EventData, source: str = "/school/sch-1/hr", id: str | None = None) -> Fact:
    return decode(new_event(data, source=source, id=id or str(uuid.uuid4())))


def record(app: TrainingApplication, data: EventData, **kw) -> str:
    """Record one fact as if it came through the inbox; returns the outcome's value."""
    return app.record(fact(data, **kw)).value


def provider(provider_id="prov-1", name="ТОИПКРО", kind="regional_institute") -> c.ProviderRegistered:
    return c.ProviderRegistered(provider_id=provider_id, name=name, kind=kind)


def programme(program_id="prog-1", provider_id="prov-1", kind="advanced_training", hours=36, format="distance",
              topics=("цифровая дидактика",), in_federal_registry=True, title="Цифровая дидактика"):
    return c.ProgramPublished(program_id=program_id, provider_id=provider_id, title=title, kind=kind, hours=hours,
                              format=format, topics=list(topics) or None, in_federal_registry=in_federal_registry)


def course(person_id="p-1", program_id="prog-1", completed_on="2023-11-24", certificate_number=None,
           addresses_deficits=None) -> c.CourseCompleted:
    return c.CourseCompleted(person_id=person_id, program_id=program_id, completed_on=completed_on,
                             certificate_number=certificate_number, addresses_deficits=addresses_deficits)


def diagnostics(person_id="p-1", diagnostics_id="diag-1", completed_on="2023-10-02",
                deficits=(("D-METH-01", "methodical"),)) -> c.DiagnosticsCompleted:
    return c.DiagnosticsCompleted(person_id=person_id, diagnostics_id=diagnostics_id, completed_on=completed_on,
                                  deficits=[{"code": code, "area": area} for code, area in deficits])


def route_started(person_id="p-1", route_id="route-1", started_on="2023-10-10", planned_until=None):
    return c.RouteStarted(route_id=route_id, person_id=person_id, started_on=started_on, planned_until=planned_until)


def route_completed(person_id="p-1", route_id="route-1", completed_on="2024-05-28"):
    return c.RouteCompleted(route_id=route_id, person_id=person_id, completed_on=completed_on)


def attestation(person_id="p-2", category="highest", decided_on="2022-12-20", valid_until=None):
    return c.AttestationPassed(person_id=person_id, category=category, decided_on=decided_on, valid_until=valid_until)


def competition(person_id="p-1", competition_id="comp-1", result="laureate", participated_on="2024-02-15"):
    return c.CompetitionParticipated(person_id=person_id, competition_id=competition_id,
                                     competition_name="Педагогический дебют", level="municipal",
                                     participated_on=participated_on, result=result)


def assessment(person_id="p-2", qualification="Учитель математики", passed_on="2023-04-11"):
    return c.IndependentAssessmentPassed(person_id=person_id, qualification=qualification, passed_on=passed_on)


def with_catalogue(app: TrainingApplication, *programmes: c.ProgramPublished) -> TrainingApplication:
    """The app with provider prov-1 and the given programmes (default: prog-1) recorded."""
    record(app, provider())
    for p in programmes or (programme(),):
        record(app, p)
    return app


def recorded(app: TrainingApplication, event_class: type | None = None) -> list:
    """The domain events in the store, in order, optionally of one class."""
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 100_000)]
    return [e for e in events if event_class is None or isinstance(e, event_class)]


def pd_request(request_id="req-1", person_id="p-1", direction="methodical", topic=None, submitted_on="2023-09-05"):
    return c.PdRequestSubmitted(request_id=request_id, person_id=person_id, direction=direction, topic=topic,
                                submitted_on=submitted_on)


def pd_request_met(request_id="req-1", met_on="2023-11-24", program_id=None):
    return c.PdRequestMet(request_id=request_id, met_on=met_on, program_id=program_id)
