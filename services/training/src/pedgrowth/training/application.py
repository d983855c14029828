"""The training application: records accepted training facts as domain events, and answers queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from uuid import UUID

from eventsourcing.domain import Aggregate

from pedgrowth.contracts import EventData
from pedgrowth.contracts import training as contract
from pedgrowth.kit.errors import UnknownReference
from pedgrowth.kit.recording import Handler, RecordingApplication
from pedgrowth.kit.waiting import Reference

from . import queries
from .adapters.views import TrainingViews
from .adapters.workplaces import Scope, Workplaces
from .domain.catalogue import Programme, Provider, catalogue_id
from .domain.learner import Learner, learner_id
from .domain.request import PdRequest, request_key


PROGRAMME = Reference(
    kind="programme", aggregate_id=partial(catalogue_id, "programme"),
    waits={"course_completed": "program_id"}, recorded_by={"program_published": "program_id"},
    missing_en="programme {key} is not known to training", missing_ru="программа {key} не опубликована",
)
"""A completion may come before its programme is published (another key, another partition)."""

REQUEST = Reference(
    kind="pd_request", aggregate_id=request_key,
    waits={"pd_request_met": "request_id"}, recorded_by={"pd_request_submitted": "request_id"},
    missing_en="PD request {key} is not known to training", missing_ru="запрос на ПК {key} не поступал",
)
"""A request may be reported met before it arrives itself (the methodical centre and the school publish apart)."""


def route_recorded(app: TrainingApplication, route_id: str, person_id: str) -> bool:
    learner = app.get_or_none(learner_id(person_id))
    return learner is not None and route_id in learner.routes


ROUTE = Reference(
    kind="route", aggregate_id=lambda _route_id, person_id: learner_id(person_id),
    waits={"route_completed": ("route_id", "person_id")}, recorded_by={"route_started": ("route_id", "person_id")},
    recorded=route_recorded,
    missing_en="route {route_id} was not started for {person_id}",
    missing_ru="ИОМ {route_id} у {person_id} не начинался",
)
"""A route's completion may come before its start (SPEC §2: ends wait for their starts)."""


class TrainingApplication(RecordingApplication):
    """Use cases of the training service (one handler per contract type, ``handlers``) and its queries."""

    name = "training"
    references = (PROGRAMME, REQUEST, ROUTE)

    def __init__(self, env: dict | None = None, workplaces: Workplaces | None = None):
        super().__init__(env)
        self.workplaces = workplaces or Workplaces()
        self.views = TrainingViews(self)

    def subjects(self, data: EventData) -> list[UUID]:
        """The learner a fact is about (read for a whole batch at once)."""
        person = getattr(data, "person_id", None)
        return [learner_id(person)] if person else []

    def handlers(self) -> Mapping[type[EventData], Handler]:
        return {
            contract.ProviderRegistered: self.on_provider_registered,
            contract.ProgramPublished: self.on_program_published,
            contract.CourseCompleted: self.on_course_completed,
            contract.DiagnosticsCompleted: self.on_diagnostics_completed,
            contract.RouteStarted: self.on_route_started,
            contract.RouteCompleted: self.on_route_completed,
            contract.AttestationPassed: self.on_attestation_passed,
            contract.CompetitionParticipated: self.on_competition_participated,
            contract.IndependentAssessmentPassed: self.on_independent_assessment_passed,
            contract.PdRequestSubmitted: self.on_pd_request_submitted,
            contract.PdRequestMet: self.on_pd_request_met,
        }

    # --- catalogue -----------------------------------------------------------------------

    def on_provider_registered(self, data: contract.ProviderRegistered) -> Sequence[Aggregate]:
        """A provider enters the catalogue; registering it again with the same details changes nothing."""
        provider = self.get_or_none(catalogue_id("provider", data.provider_id))
        if provider is None:
            return [Provider(provider_id=data.provider_id, name=data.name, kind=data.kind.value)]
        provider.confirm(name=data.name, kind=data.kind.value)
        return [provider]

    def on_program_published(self, data: contract.ProgramPublished) -> Sequence[Aggregate]:
        """A programme enters the catalogue (the hours rule is the contract's).

        Its provider need not be registered first: the two travel under different keys,
        so on the inbox they may arrive in either order; reports show such a provider by id.
        """
        details = dict(provider_id=data.provider_id, title=data.title, kind=data.kind.value, hours=data.hours,
                       format=data.format.value, topics=list(data.topics or []),
                       in_federal_registry=data.in_federal_registry)
        programme = self.get_or_none(catalogue_id("programme", data.program_id))
        if programme is None:
            return [Programme(program_id=data.program_id, **details)]
        programme.confirm(**details)
        return [programme]

    # --- a person's record ---------------------------------------------------------------

    def on_course_completed(self, data: contract.CourseCompleted) -> Sequence[Aggregate]:
        """A completion of a programme training knows, whenever the programme was entered."""
        if not self.exists(catalogue_id("programme", data.program_id)):
            raise UnknownReference(f"programme {data.program_id} is not known to training", "data.program_id")
        learner = self.learner(data.person_id)
        learner.complete_course(data.program_id, data.completed_on, data.certificate_number,
                                list(data.addresses_deficits or []))
        return [learner]

    def on_diagnostics_completed(self, data: contract.DiagnosticsCompleted) -> Sequence[Aggregate]:
        """A diagnostics of professional deficits and what it found."""
        learner = self.learner(data.person_id)
        learner.complete_diagnostics(data.diagnostics_id, data.completed_on,
                                     [{"code": d.code, "area": d.area.value} for d in data.deficits])
        return [learner]

    def on_route_started(self, data: contract.RouteStarted) -> Sequence[Aggregate]:
        """An individual educational route (ИОМ) begins."""
        learner = self.learner(data.person_id)
        learner.start_route(data.route_id, data.started_on, data.planned_until)
        return [learner]

    def on_route_completed(self, data: contract.RouteCompleted) -> Sequence[Aggregate]:
        """A started route is completed, once."""
        learner = self.learner(data.person_id)
        learner.complete_route(data.route_id, data.completed_on)
        return [learner]

    def on_attestation_passed(self, data: contract.AttestationPassed) -> Sequence[Aggregate]:
        """A category as decided; the contract has already defaulted valid_until."""
        learner = self.learner(data.person_id)
        learner.pass_attestation(data.category.value, data.decided_on, data.valid_until)
        return [learner]

    def on_competition_participated(self, data: contract.CompetitionParticipated) -> Sequence[Aggregate]:
        """Taking part in a competition of professional mastery, once per competition."""
        learner = self.learner(data.person_id)
        learner.participate(data.competition_id, data.competition_name, data.level.value, data.participated_on,
                            data.result.value)
        return [learner]

    def on_independent_assessment_passed(self, data: contract.IndependentAssessmentPassed) -> Sequence[Aggregate]:
        """An independent qualification assessment passed."""
        learner = self.learner(data.person_id)
        learner.pass_assessment(data.qualification, data.passed_on)
        return [learner]

    # --- requests for professional development -------------------------------------------

    def on_pd_request_submitted(self, data: contract.PdRequestSubmitted) -> Sequence[Aggregate]:
        """A teacher's request for a PD direction; the same request restated changes nothing."""
        details = dict(person_id=data.person_id, direction=data.direction.value, topic=data.topic,
                       submitted_on=data.submitted_on)
        request = self.get_or_none(request_key(data.request_id))
        if request is None:
            return [PdRequest(request_id=data.request_id, **details)]
        request.confirm(**details)
        return [request]

    def on_pd_request_met(self, data: contract.PdRequestMet) -> Sequence[Aggregate]:
        """A submitted request is met, once, not before it was submitted (an unknown one waits: REQUEST)."""
        request = self.get_or_none(request_key(data.request_id))
        if request is None:
            raise UnknownReference(f"PD request {data.request_id} is not known to training", "data.request_id")
        request.meet(data.met_on, data.program_id)
        return [request]

    def request_person(self, request_id: str) -> str | None:
        """The person who submitted a request, when training has it."""
        request = self.get_or_none(request_key(request_id))
        return None if request is None else request.person_id

    def place_of(self, data) -> tuple[str | None, str | None]:
        """A fact about a person belongs to where registry.events says they work (for access)."""
        org_id, municipality_id = super().place_of(data)
        person_id = getattr(data, "person_id", None)
        if person_id is None and isinstance(data, contract.PdRequestMet):
            person_id = self.request_person(data.request_id)
        if org_id is None and person_id:
            places = self.workplaces.places_of(person_id)
            if places:
                return places[0].org_id, places[0].municipality_id
        return org_id, municipality_id

    def municipality_of(self, org_id: str) -> str | None:
        return self.workplaces.place(org_id).municipality_id

    def learner(self, person_id: str) -> Learner:
        """The person's learner record, opened on first use."""
        return self.get_or_none(learner_id(person_id)) or Learner(person_id=person_id)

    # --- queries -------------------------------------------------------------------------

    def providers(self, kind: str | None = None) -> list[dict]:
        """The providers of the catalogue, optionally of one kind."""
        with self.views.current() as views:
            return [dict(p) for p in sorted(views.providers.values(), key=lambda p: p["provider_id"])
                    if kind is None or p["kind"] == kind]

    def provider(self, provider_id: str) -> dict | None:
        """One provider with its programmes."""
        with self.views.current() as views:
            provider = views.providers.get(provider_id)
            if provider is None:
                return None
            programmes = [dict(p) for p in views.programmes.values() if p["provider_id"] == provider_id]
        return dict(provider, programs=sorted(programmes, key=lambda p: p["program_id"]))

    def programmes(self, kind: str | None = None, format: str | None = None, topic: str | None = None,
                   in_federal_registry: bool | None = None, provider_id: str | None = None) -> list[dict]:
        """The programme catalogue, filtered; the topic matches case-insensitively within a topic."""
        def wanted(p: dict) -> bool:
            return ((kind is None or p["kind"] == kind) and (format is None or p["format"] == format)
                    and (provider_id is None or p["provider_id"] == provider_id)
                    and (in_federal_registry is None or p["in_federal_registry"] == in_federal_registry)
                    and (topic is None or any(topic.casefold() in t.casefold() for t in p["topics"])))
        with self.views.current() as views:
            return [dict(p) for p in sorted(views.programmes.values(), key=lambda p: p["program_id"]) if wanted(p)]

    def programme(self, program_id: str) -> dict | None:
        """A programme of the catalogue as plain data."""
        with self.views.current() as views:
            programme = views.programmes.get(program_id)
            return None if programme is None else dict(programme)

    def transcript(self, person_id: str, as_of: date) -> dict | None:
        """A person's professional-development transcript, or None when training knows nothing of them."""
        learner = self.get_or_none(learner_id(person_id))
        with self.views.current() as views:
            if learner is None and not views.requests_of.get(person_id):
                return None
            return queries.transcript(learner or Learner(person_id=person_id), views, as_of)

    def pd_request_report(self, scope: Scope | None, from_year: int | None, to_year: int | None,
                          as_of: date) -> list[dict]:
        """PD requests per year and direction, and how many were met, for people working in the scope when asking."""
        with self.views.current() as views:
            return queries.pd_request_report(views, self.scope_test(scope), from_year, to_year, as_of)

    def provider_report(self, scope: Scope | None, from_year: int | None = None,
                        to_year: int | None = None) -> list[dict]:
        """Completions per provider per year, for people working in the scope on the completion day."""
        with self.views.current() as views:
            return queries.provider_report(views, self.scope_test(scope), from_year, to_year)

    def expiring_categories(self, scope: Scope | None, as_of: date, months: int,
                            category: str | None = None) -> list[dict]:
        """Current categories of people in the scope that end within ``months``, soonest first."""
        with self.views.current() as views:
            found = queries.expiring_categories(views, self.scope_test(scope), as_of, months, category)
        for entry in found:
            entry["org_ids"] = [p.org_id for p in self.workplaces.places_of(entry["person_id"], as_of)
                                if scope is None or p.within(scope)]
        return found

    def scope_test(self, scope: Scope | None) -> queries.InScope:
        if scope is None:
            return lambda person_id, day: True
        return lambda person_id, day: self.workplaces.in_scope(person_id, scope, day)
