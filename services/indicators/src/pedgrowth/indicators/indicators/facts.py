"""The facts the indicators are computed from, indexed in memory, built from events in any order.

Every event is reduced to the facts it states (an employment start, a course completion, an
interval's end...). Nothing is overwritten by arrival order: where two events disagree the
winner is chosen by the fact itself (the earliest end, the latest decision) or, for true
conflicts, by the event's ``(time, source, id)``. So the same set of events gives the same
index whatever the interleaving, and a duplicate (same source and id) changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from pedgrowth.contracts import Fact, add_years

from ..records import Record, event_key  # noqa: F401 - re-exported
from .intervals import Dated, Employment, IntervalLog, Order, day

log = logging.getLogger(__name__)

COUNTED_CATEGORIES = frozenset({"first", "highest", "pedagogue_methodist", "pedagogue_mentor"})


def _latest(current: tuple | None, candidate: tuple) -> tuple:
    """Of two (order, ...) tuples, the one with the later order."""
    return candidate if current is None or candidate[0] > current[0] else current


def _earliest_day(mapping: dict, key: str, value: date) -> None:
    old = mapping.get(key)
    if old is None or value < old:
        mapping[key] = value


class Facts:
    """Everything the indicators need, indexed by person, organisation and scope."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.version = 0
        self.unusable = 0
        self.staff_version = 0  # changes with any fact STAFF depends on (employments, organisations)
        self.kind_versions: dict[str, int] = defaultdict(int)  # events added, per event name
        self.memo: dict[tuple, object] = {}  # answers to sub-questions, keyed with the versions they depend on
        self.lock = threading.Lock()  # held while the facts change or are computed from in another thread
        self.orgs: dict[str, tuple] = {}  # org_id -> (order, data)
        self.employments: dict[tuple[str, str], Employment] = {}
        self.org_people: dict[str, set[str]] = defaultdict(set)
        self.experience: dict[str, date] = {}
        self.person_starts: dict[str, list[tuple[date, Order, bool]]] = defaultdict(list)
        self.profiles: dict[str, list[tuple[date, Order, bool]]] = defaultdict(list)
        self.vacancies: dict[str, tuple] = {}  # vacancy_id -> (order, org_id, opened_on)
        self.vacancy_closed: dict[str, date] = {}
        self.org_vacancies: dict[str, set[str]] = defaultdict(set)
        self.reserve: dict[tuple[str, str], IntervalLog] = {}
        self.municipality_reserve: dict[str, set[str]] = defaultdict(set)
        self.programs: dict[str, tuple] = {}  # program_id -> (order, kind, format)
        self.courses: dict[str, list[tuple[date, str, frozenset[str]]]] = defaultdict(list)
        self.diagnostics: dict[str, list[tuple[date, frozenset[str]]]] = defaultdict(list)
        self.routes: dict[str, tuple] = {}  # route_id -> (order, person_id, started_on)
        self.route_completed: dict[str, date] = {}
        self.person_routes: dict[str, set[str]] = defaultdict(set)
        self.attestations: dict[str, list[tuple[str, date, date]]] = defaultdict(list)
        self.competitions: dict[str, list[date]] = defaultdict(list)
        self.assessments: dict[str, list[date]] = defaultdict(list)
        self.support: dict[str, list[date]] = defaultdict(list)
        self.pairs: dict[str, tuple] = {}  # pair_id -> (order, mentor_id, mentee, started_on)
        self.pair_ended: dict[str, date] = {}
        self.mentee_pairs: dict[str, set[str]] = defaultdict(set)
        self.memberships: dict[tuple[str, str], IntervalLog] = {}
        self.person_communities: dict[str, set[str]] = defaultdict(set)
        self.plans: dict[str, tuple] = {}  # plan_id -> (order, municipality_id, title)
        self.plan_targets: dict[tuple[str, str, int], tuple] = {}  # (plan, indicator, year) -> (order, value)
        self.reported: dict[tuple[str, str, int], tuple] = {}  # (municipality, indicator, year) -> (order, value, method)
        self._scopes: dict[str, dict[str, set[str]]] | None = None
        # the same facts ordered by day, for the window queries of columns.py
        self.starts_by_day = Dated()  # (started_on, person, org, n, the Employment)
        self.courses_by_day = Dated()  # (completed_on, person)
        self.program_courses: dict[str, Dated] = defaultdict(Dated)  # program -> (completed_on, person)
        self.addressing_by_day = Dated()  # courses that address deficits: (completed_on, person)
        self.diagnostics_by_day = Dated()  # (completed_on, person)
        self.deficits_by_day = Dated()  # diagnostics that found a deficit: (completed_on, person)
        self.competitions_by_day = Dated()
        self.support_by_day = Dated()
        self.assessments_by_day = Dated()
        self.attestations_by_day = Dated()  # (decided_on, person, valid_until, counts)
        self.longest_validity = 0  # days, the longest decided_on..valid_until seen
        self.routes_by_day = Dated()  # (started_on, route_id)
        self.pairs_by_day = Dated()  # (started_on, pair_id)
        self.joins_by_day = Dated()  # (joined_on, person, community, n, the IntervalLog)

    # -- applying events ---------------------------------------------------------------------

    def add(self, record: Record) -> bool:
        """Take in one event; False (and no change) when it was seen before."""
        key = record.key
        if key in self.seen:
            return False
        self.seen.add(key)
        kind = record.kind
        self.kind_versions[kind] += 1
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            try:
                handler(record.data, record.order)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                self.unusable += 1  # validated events never get here; a bad one must not stop the projection
                log.warning("event %s %s from %s is unusable: %r", record.type, record.id, record.source, error)
        self.version += 1
        return True

    def is_new(self, record: Record) -> bool:
        return record.key not in self.seen

    def _on_organization_registered(self, d: dict, order: Order) -> None:
        self.staff_version += 1
        self.orgs[d["org_id"]] = _latest(self.orgs.get(d["org_id"]), (order, d))
        self._scopes = None

    def _employment(self, person: str, org: str) -> Employment:
        self.staff_version += 1
        log = self.employments.get((person, org))
        if log is None:
            log = self.employments[(person, org)] = Employment()
            self.org_people[org].add(person)
        return log

    def _on_employment_started(self, d: dict, order: Order) -> None:
        person, started = d["person_id"], day(d["started_on"])
        log = self._employment(person, d["org_id"])
        log.starts.append((started, order, d["position"]))
        self.starts_by_day.add((started, person, d["org_id"], len(self.starts_by_day.items), log))
        _earliest_day(self.experience, person, day(d["pedagogical_experience_since"]))
        if d.get("education_matches_profile") is not None:
            self.person_starts[person].append((started, order, d["education_matches_profile"]))

    def _on_employment_ended(self, d: dict, order: Order) -> None:
        self._employment(d["person_id"], d["org_id"]).ends.append(day(d["ended_on"]))

    def _on_position_changed(self, d: dict, order: Order) -> None:
        self._employment(d["person_id"], d["org_id"]).changes.append((day(d["changed_on"]), order, d["position"]))

    def _on_education_profile_recorded(self, d: dict, order: Order) -> None:
        self.profiles[d["person_id"]].append((day(d["recorded_on"]), order, d["matches_profile"]))

    def _on_vacancy_opened(self, d: dict, order: Order) -> None:
        vacancy = d["vacancy_id"]
        self.vacancies[vacancy] = _latest(self.vacancies.get(vacancy), (order, d["org_id"], day(d["opened_on"])))
        self.org_vacancies[d["org_id"]].add(vacancy)

    def _on_vacancy_closed(self, d: dict, order: Order) -> None:
        _earliest_day(self.vacancy_closed, d["vacancy_id"], day(d["closed_on"]))

    def _reserve(self, person: str, municipality: str) -> IntervalLog:
        log = self.reserve.get((person, municipality))
        if log is None:
            log = self.reserve[(person, municipality)] = IntervalLog()
            self.municipality_reserve[municipality].add(person)
        return log

    def _on_reserve_enrolled(self, d: dict, order: Order) -> None:
        self._reserve(d["person_id"], d["municipality_id"]).starts.append((day(d["enrolled_on"]), order, None))

    def _on_reserve_left(self, d: dict, order: Order) -> None:
        self._reserve(d["person_id"], d["municipality_id"]).ends.append(day(d["left_on"]))

    def _on_program_published(self, d: dict, order: Order) -> None:
        program = d["program_id"]
        self.programs[program] = _latest(self.programs.get(program), (order, d["kind"], d["format"]))

    def _on_course_completed(self, d: dict, order: Order) -> None:
        addresses = frozenset(d.get("addresses_deficits") or ())
        person, on = d["person_id"], day(d["completed_on"])
        self.courses[person].append((on, d["program_id"], addresses))
        self.courses_by_day.add((on, person))
        self.program_courses[d["program_id"]].add((on, person))
        if addresses:
            self.addressing_by_day.add((on, person))

    def _on_diagnostics_completed(self, d: dict, order: Order) -> None:
        codes = frozenset(deficit["code"] for deficit in d["deficits"])
        person, on = d["person_id"], day(d["completed_on"])
        self.diagnostics[person].append((on, codes))
        self.diagnostics_by_day.add((on, person))
        if codes:
            self.deficits_by_day.add((on, person))

    def _on_route_started(self, d: dict, order: Order) -> None:
        route = d["route_id"]
        self.routes[route] = _latest(self.routes.get(route), (order, d["person_id"], day(d["started_on"])))
        self.person_routes[d["person_id"]].add(route)
        self.routes_by_day.add((day(d["started_on"]), route))

    def _on_route_completed(self, d: dict, order: Order) -> None:
        _earliest_day(self.route_completed, d["route_id"], day(d["completed_on"]))

    def _on_attestation_passed(self, d: dict, order: Order) -> None:
        person, decided = d["person_id"], day(d["decided_on"])
        until = day(d.get("valid_until")) or add_years(decided, 5)
        self.attestations[person].append((d["category"], decided, until))
        self.attestations_by_day.add((decided, person, until, d["category"] in COUNTED_CATEGORIES))
        self.longest_validity = max(self.longest_validity, (until - decided).days)

    def _on_competition_participated(self, d: dict, order: Order) -> None:
        on = day(d["participated_on"])
        self.competitions[d["person_id"]].append(on)
        self.competitions_by_day.add((on, d["person_id"]))

    def _on_independent_assessment_passed(self, d: dict, order: Order) -> None:
        on = day(d["passed_on"])
        self.assessments[d["person_id"]].append(on)
        self.assessments_by_day.add((on, d["person_id"]))

    def _on_support_event_attended(self, d: dict, order: Order) -> None:
        on = day(d["attended_on"])
        self.support[d["person_id"]].append(on)
        self.support_by_day.add((on, d["person_id"]))

    def _on_pair_assigned(self, d: dict, order: Order) -> None:
        pair = d["pair_id"]
        self.pairs[pair] = _latest(self.pairs.get(pair),
                                   (order, d["mentor_id"], d["mentee_person_id"], day(d["started_on"])))
        self.mentee_pairs[d["mentee_person_id"]].add(pair)
        self.pairs_by_day.add((day(d["started_on"]), pair))

    def _on_pair_ended(self, d: dict, order: Order) -> None:
        _earliest_day(self.pair_ended, d["pair_id"], day(d["ended_on"]))

    def _membership(self, person: str, community: str) -> IntervalLog:
        log = self.memberships.get((person, community))
        if log is None:
            log = self.memberships[(person, community)] = IntervalLog()
            self.person_communities[person].add(community)
        return log

    def _on_community_joined(self, d: dict, order: Order) -> None:
        joined = day(d["joined_on"])
        log = self._membership(d["person_id"], d["community_id"])
        log.starts.append((joined, order, None))
        self.joins_by_day.add((joined, d["person_id"], d["community_id"], len(self.joins_by_day.items), log))

    def _on_community_left(self, d: dict, order: Order) -> None:
        self._membership(d["person_id"], d["community_id"]).ends.append(day(d["left_on"]))

    def _on_plan_adopted(self, d: dict, order: Order) -> None:
        plan = d["plan_id"]
        self.plans[plan] = _latest(self.plans.get(plan), (order, d["municipality_id"], d["title"]))
        for target in d["targets"]:
            self._target(plan, target["indicator"], target["year"], target["value"], order)

    def _on_target_set(self, d: dict, order: Order) -> None:
        self._target(d["plan_id"], d["indicator"], d["year"], d["value"], order)

    def _target(self, plan: str, indicator: str, year: int, value: float, order: Order) -> None:
        key = (plan, indicator, int(year))
        self.plan_targets[key] = _latest(self.plan_targets.get(key), (order, float(value)))

    def _on_value_reported(self, d: dict, order: Order) -> None:
        key = (d["municipality_id"], d["indicator"], int(d["year"]))
        self.reported[key] = _latest(self.reported.get(key), (order, float(d["value"]), d["method"]))

    def remembered(self, name: str, depends_on: tuple[str, ...], args: tuple, compute):
        """``compute()``, remembered until an event of a kind in ``depends_on`` (or "staff") is added."""
        versions = tuple(self.staff_version if kind == "staff" else self.kind_versions[kind] for kind in depends_on)
        key = (name, args, versions)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) > 512:
                self.memo.clear()
            found = self.memo[key] = compute()
        return found

    # -- scopes ----------------------------------------------------------------------------

    def _scope_maps(self) -> dict[str, dict[str, set[str]]]:
        if self._scopes is None:
            maps: dict[str, dict[str, set[str]]] = {
                "municipality": defaultdict(set), "region": defaultdict(set), "region_municipalities": defaultdict(set),
            }
            for org, (_, d) in self.orgs.items():
                maps["municipality"][d["municipality_id"]].add(org)
                maps["region"][d["region_id"]].add(org)
                maps["region_municipalities"][d["region_id"]].add(d["municipality_id"])
            self._scopes = maps
        return self._scopes

    def organizations(self, kind: str, scope_id: str) -> set[str]:
        """The organisations in a scope; an organisation scope is itself, registered or not."""
        if kind == "organization":
            return {scope_id}
        return set(self._scope_maps()[kind].get(scope_id, ()))

    def municipalities(self, kind: str, scope_id: str) -> set[str]:
        """The municipalities in a municipality or region scope (none for an organisation)."""
        if kind == "municipality":
            return {scope_id}
        if kind == "region":
            return set(self._scope_maps()["region_municipalities"].get(scope_id, ()))
        return set()

    def placement(self, kind: str, scope_id: str) -> dict[str, str | None]:
        """org_id / municipality_id / region_id of a scope, as far as the register knows them."""
        if kind == "organization":
            entry = self.orgs.get(scope_id)
            d = entry[1] if entry else {}
            return {"org_id": scope_id, "municipality_id": d.get("municipality_id"), "region_id": d.get("region_id")}
        if kind == "municipality":
            regions = {d["region_id"] for _, d in self.orgs.values() if d["municipality_id"] == scope_id}
            region = next(iter(regions)) if len(regions) == 1 else None
            return {"org_id": None, "municipality_id": scope_id, "region_id": region}
        return {"org_id": None, "municipality_id": None, "region_id": scope_id}

    def names(self) -> dict[str, str]:
        """Display names of organisations, municipalities and regions, keyed by scope string."""
        names = {}
        for org, (_, d) in self.orgs.items():
            names[f"organization:{org}"] = d["name"]
            names[f"municipality:{d['municipality_id']}"] = d["municipality_name"]
            names[f"region:{d['region_id']}"] = d["region_name"]
        return names

    def scopes(self, kind: str) -> list[str]:
        """The ids of every known municipality or region."""
        return sorted(self._scope_maps()[kind])

    # -- plans -----------------------------------------------------------------------------

    def targets(self, municipality: str, year: int) -> dict[str, float]:
        """The municipality's targets for a year, from its plans (latest plan_adopted / target_set wins)."""
        plans = {plan for plan, (_, m, _) in self.plans.items() if m == municipality}
        best: dict[str, tuple] = {}
        for (plan, indicator, y), entry in self.plan_targets.items():
            if y == year and plan in plans:
                best[indicator] = _latest(best.get(indicator), entry)
        return {indicator: entry[1] for indicator, entry in best.items()}

    def target_years(self, municipality: str) -> dict[str, dict[int, float]]:
        """Every target of the municipality's plans: indicator -> year -> value."""
        plans = {plan for plan, (_, m, _) in self.plans.items() if m == municipality}
        best: dict[tuple[str, int], tuple] = {}
        for (plan, indicator, y), entry in self.plan_targets.items():
            if plan in plans:
                best[(indicator, y)] = _latest(best.get((indicator, y)), entry)
        out: dict[str, dict[int, float]] = defaultdict(dict)
        for (indicator, y), entry in best.items():
            out[indicator][y] = entry[1]
        return out

    def reported_values(self, municipality: str) -> dict[str, dict[int, tuple[float, str]]]:
        """Values reported for the municipality: indicator -> year -> (value, method)."""
        out: dict[str, dict[int, tuple[float, str]]] = defaultdict(dict)
        for (m, indicator, year), (_, value, method) in self.reported.items():
            if m == municipality:
                out[indicator][year] = (value, method)
        return out
