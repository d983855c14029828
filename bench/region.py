"""A synthetic region, generated deterministically: organisations, staff and five years of their facts.

The model is a set of staff *slots* (one per pedagogical position). Each slot has an incumbent at
the start of the period; every year an incumbent leaves with some probability and a new person is
hired (often a young teacher), so the active headcount stays at ``staff``. Every person then gets
the facts of a working life at the rates below: courses, diagnostics, routes, attestations,
competitions, communities, support events, mentoring for the young. Everything comes from one
seeded random generator per slot, so the same arguments give the same events, ids included.

Items are ``Item(service, suffix, data, day)`` with ``data`` already JSON-ready (dates as
YYYY-MM-DD, optional fields absent): what the contract models dump, so the encoder can check
them with the pydantic models and the memory probe can skip that step and get the same facts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from pedgrowth.contracts import add_years

REGION_ID = "reg-bench"
SUBJECTS = ("Математика", "Русский язык", "Литература", "История", "Физика", "Химия", "Биология", "География",
            "Английский язык", "Информатика", "Физическая культура", "Начальные классы")
DEFICITS = (("d-subj-1", "subject"), ("d-subj-2", "subject"), ("d-meth-1", "methodical"),
            ("d-meth-2", "methodical"), ("d-psy-1", "psychological_pedagogical"),
            ("d-psy-2", "psychological_pedagogical"), ("d-com-1", "communicative"), ("d-dig-1", "digital"),
            ("d-dig-2", "digital"), ("d-oth-1", "other"))
ORG_KINDS = (("school", 70), ("kindergarten", 20), ("additional_education", 7), ("professional_college", 2),
             ("methodical_center", 1))
SCHOOL_POSITIONS = (("teacher", 72), ("deputy_director", 5), ("methodist", 2), ("educational_psychologist", 3),
                    ("tutor", 2), ("social_pedagogue", 3), ("speech_therapist", 2), ("senior_teacher", 2),
                    ("leading_teacher", 2), ("additional_education_teacher", 5), ("other_pedagogical", 2))
KINDERGARTEN_POSITIONS = (("preschool_teacher", 80), ("senior_teacher", 6), ("speech_therapist", 5),
                          ("educational_psychologist", 4), ("deputy_director", 5))
CATEGORIES = (("position_compliance", 35), ("first", 35), ("highest", 25), ("pedagogue_methodist", 3),
              ("pedagogue_mentor", 2))
SURVEY_INDICATOR = "teacher_readiness"

# Facts per person-year of tenure inside the period (the young get more support events).
RATES = {
    "course_completed": 1.3, "diagnostics_completed": 0.5, "route_started": 0.3, "attestation_passed": 0.2,
    "competition_participated": 0.25, "independent_assessment_passed": 0.05, "support_event_attended": 1.05,
    "community_joined": 0.25, "education_profile_recorded": 0.05, "position_changed": 0.03,
}
YOUNG_SUPPORT_RATE = 2.0
LEAVE_RATE = 0.08  # per year
YOUNG_HIRE_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Item:
    """One fact to publish: the owning service, the type suffix, JSON-ready data, and its day."""

    service: str
    suffix: str
    data: dict
    day: date


@dataclass
class Org:
    org_id: str
    kind: str
    municipality_id: str


@dataclass
class RegionShape:
    """What the other phases need to know about the generated region."""

    staff: int
    years: int
    start: date
    end: date
    region_id: str = REGION_ID
    municipalities: list[str] = field(default_factory=list)
    orgs: list[Org] = field(default_factory=list)
    programs: list[dict] = field(default_factory=list)  # program_published data
    providers: list[dict] = field(default_factory=list)
    active: list[tuple[str, str]] = field(default_factory=list)  # (person_id, org_id) employed at the end


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _count(rng: random.Random, expected: float) -> int:
    """An integer with the given expectation (floor plus a Bernoulli remainder)."""
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    span = (last - first).days
    return first + timedelta(days=rng.randint(0, max(0, span)))


class Region:
    """A generated region of ``staff`` pedagogical positions over ``years`` years ending at ``end``."""

    def __init__(self, staff: int = 40_000, years: int = 5, end: date | None = None, seed: int = 7):
        today = date.today()
        self.end = end or today.replace(day=1)  # stable within a month, never in the future
        self.start = add_years(self.end, -years)
        self.staff = staff
        self.years = years
        self.seed = seed
        n_orgs = max(4, staff // 40)
        n_mun = max(3, min(30, n_orgs // 50))
        self.shape = RegionShape(staff, years, self.start, self.end)
        self.shape.municipalities = [f"mun-{m:02d}" for m in range(1, n_mun + 1)]
        rng = random.Random(seed)
        for o in range(1, n_orgs + 1):
            kind = _pick(rng, ORG_KINDS)
            self.shape.orgs.append(Org(f"org-{o:05d}", kind, self.shape.municipalities[(o - 1) % n_mun]))
        n_providers = max(5, min(40, staff // 1000))
        for p in range(1, n_providers + 1):
            self.shape.providers.append({
                "provider_id": f"prov-{p:03d}", "name": f"Организация ДПО №{p}",
                "kind": rng.choice(["federal_academy", "regional_institute", "cnppm", "municipal_methodical_center",
                                    "university", "college", "other"])})
        for g in range(1, max(30, min(400, staff // 200)) + 1):
            retraining = rng.random() < 0.15
            self.shape.programs.append({
                "program_id": f"prog-{g:04d}", "provider_id": rng.choice(self.shape.providers)["provider_id"],
                "title": f"ДПП №{g}: {rng.choice(SUBJECTS)}",
                "kind": "retraining" if retraining else "advanced_training",
                "hours": rng.choice([250, 300, 520]) if retraining else rng.choice([16, 18, 24, 36, 72, 108, 144]),
                "format": rng.choice(["in_person", "distance", "blended"]),
                "in_federal_registry": rng.random() < 0.4})

    # -- the events ------------------------------------------------------------------------

    def items(self) -> Iterator[Item]:
        """Every fact of the region, organisation by organisation (not in time order)."""
        yield from self._reference()
        slots_per_org = self._slots_per_org()
        for index, org in enumerate(self.shape.orgs):
            yield from self._org(index, org, slots_per_org[index])
        yield from self._plans()

    def _slots_per_org(self) -> list[int]:
        n = len(self.shape.orgs)
        base, extra = divmod(self.staff, n)
        return [base + (1 if i < extra else 0) for i in range(n)]

    def _reference(self) -> Iterator[Item]:
        start = self.start
        for org in self.shape.orgs:
            number = org.org_id.split("-")[1]
            yield Item("registry", "organization_registered", {
                "org_id": org.org_id, "name": f"{_org_label(org.kind)} №{int(number)}", "kind": org.kind,
                "municipality_id": org.municipality_id, "municipality_name": f"Муниципалитет {org.municipality_id}",
                "region_id": REGION_ID, "region_name": "Бенчмарк-область"}, start - timedelta(days=30))
        for provider in self.shape.providers:
            yield Item("training", "provider_registered", provider, start - timedelta(days=20))
        for program in self.shape.programs:
            yield Item("training", "program_published", program, start - timedelta(days=10))

    def _org(self, index: int, org: Org, slots: int) -> Iterator[Item]:
        rng = random.Random(self.seed * 1_000_003 + index)
        positions = KINDERGARTEN_POSITIONS if org.kind == "kindergarten" else SCHOOL_POSITIONS
        mentors: list[str] = []
        tenures: list[tuple[str, date, date | None, bool]] = []  # person, from, to, young
        person_no = 0
        for slot in range(slots):
            position = "director" if slot == 0 else _pick(rng, positions)
            # the incumbent at the start of the period
            hired = _day_between(rng, self.start - timedelta(days=365 * 25), self.start - timedelta(days=30))
            since = _day_between(rng, hired - timedelta(days=365 * 10), hired)
            young = False
            while True:
                person_no += 1
                person = f"p-{index:05d}-{person_no:03d}"
                left = None
                probe = max(hired, self.start)
                while probe < self.end:
                    if rng.random() < LEAVE_RATE:
                        left = _day_between(rng, probe, min(self.end, probe + timedelta(days=364)))
                        break
                    probe += timedelta(days=365)
                yield from self._person(rng, org, person, position, hired, since, left, young)
                tenures.append((person, hired, left, young))
                if left is None or left >= self.end:
                    self.shape.active.append((person, org.org_id))
                    break
                vacancy = f"v-{person}"
                yield Item("registry", "vacancy_opened", {
                    "vacancy_id": vacancy, "org_id": org.org_id, "position": position, "opened_on": left.isoformat()},
                    left)
                hired = left + timedelta(days=rng.randint(10, 120))
                if hired >= self.end:  # still open at the end of the period
                    break
                yield Item("registry", "vacancy_closed", {
                    "vacancy_id": vacancy, "closed_on": hired.isoformat(), "filled": True}, hired)
                young = rng.random() < YOUNG_HIRE_SHARE
                since = hired if young else _day_between(rng, hired - timedelta(days=365 * 15), hired)
            if slot in (1, 2) and slots > 3:
                mentor = f"m-{org.org_id}-{slot}"
                mentors.append(mentor)
                yield Item("mentoring", "mentor_registered", {
                    "mentor_id": mentor, "person_id": person, "registered_on": self.start.isoformat()}, self.start)
        if not mentors:
            mentor = f"m-{org.org_id}-ext"
            mentors.append(mentor)
            yield Item("mentoring", "mentor_registered", {
                "mentor_id": mentor, "external_organization": "ООО «Наставник»",
                "registered_on": self.start.isoformat()}, self.start)
        for person, hired, left, young in tenures:
            if young and rng.random() < 0.7:
                yield from self._pair(rng, person, rng.choice(mentors), hired, left)
        yield from self._reserve(rng, org, tenures)

    def _person(self, rng, org: Org, person: str, position: str, hired: date, since: date, left: date | None,
                young: bool) -> Iterator[Item]:
        started = {"person_id": person, "org_id": org.org_id, "position": position, "started_on": hired.isoformat(),
                   "pedagogical_experience_since": since.isoformat()}
        if rng.random() < 0.8:
            started["education_matches_profile"] = rng.random() < 0.85
        if rng.random() < 0.5:
            started["subjects"] = [rng.choice(SUBJECTS)]
        yield Item("registry", "employment_started", started, hired)
        if left is not None:
            yield Item("registry", "employment_ended", {
                "person_id": person, "org_id": org.org_id, "ended_on": left.isoformat(),
                "reason": rng.choice(["resignation", "retirement", "transfer", "dismissal", "other"])}, left)
        first = max(hired, self.start)
        last = min(left, self.end) if left else self.end
        if last <= first:
            return
        years = (last - first).days / 365.25

        def days(rate: float) -> list[date]:
            return sorted(_day_between(rng, first, last) for _ in range(_count(rng, rate * years)))

        found: list[str] = []
        for on in days(RATES["diagnostics_completed"]):
            deficits = rng.sample(DEFICITS, rng.choice([0, 1, 1, 2, 3]))
            found += [code for code, _ in deficits]
            yield Item("training", "diagnostics_completed", {
                "person_id": person, "diagnostics_id": f"dg-{person}-{on.isoformat()}", "completed_on": on.isoformat(),
                "deficits": [{"code": code, "area": area} for code, area in deficits]}, on)
        for n, on in enumerate(days(RATES["course_completed"])):
            data = {"person_id": person, "program_id": rng.choice(self.shape.programs)["program_id"],
                    "completed_on": on.isoformat()}
            if rng.random() < 0.7:
                data["certificate_number"] = f"УД-{person}-{n}"
            if found and rng.random() < 0.4:
                data["addresses_deficits"] = sorted(set(rng.sample(found, min(2, len(found)))))
            yield Item("training", "course_completed", data, on)
        for n, on in enumerate(days(RATES["route_started"])):
            route = f"r-{person}-{n}"
            data = {"route_id": route, "person_id": person, "started_on": on.isoformat()}
            if rng.random() < 0.5:
                data["planned_until"] = (on + timedelta(days=365)).isoformat()
            yield Item("training", "route_started", data, on)
            done = on + timedelta(days=rng.randint(90, 500))
            if done < last and rng.random() < 0.85:
                yield Item("training", "route_completed", {
                    "route_id": route, "person_id": person, "completed_on": done.isoformat()}, done)
        for on in days(RATES["attestation_passed"]):
            yield Item("training", "attestation_passed", {
                "person_id": person, "category": _pick(rng, CATEGORIES), "decided_on": on.isoformat(),
                "valid_until": add_years(on, 5).isoformat()}, on)
        for on in days(RATES["competition_participated"]):
            level = rng.choice(["institutional", "municipal", "municipal", "regional", "federal"])
            yield Item("training", "competition_participated", {
                "person_id": person, "competition_id": f"c-{level}-{on.year}", "competition_name": f"Учитель года {on.year}",
                "level": level, "participated_on": on.isoformat(),
                "result": rng.choice(["participant", "participant", "participant", "laureate", "winner"])}, on)
        for on in days(RATES["independent_assessment_passed"]):
            yield Item("training", "independent_assessment_passed", {
                "person_id": person, "qualification": "Педагог (педагогическая деятельность)",
                "passed_on": on.isoformat()}, on)
        for on in days(YOUNG_SUPPORT_RATE if young else RATES["support_event_attended"]):
            kind = rng.choice(["seminar", "master_class", "training", "conference", "young_teacher_school",
                               "burnout_prevention", "consultation"])
            yield Item("mentoring", "support_event_attended", {
                "person_id": person, "event_id": f"se-{org.municipality_id}-{kind}-{on.isoformat()}",
                "event_name": f"Мероприятие: {kind}", "kind": kind, "attended_on": on.isoformat()}, on)
        for on in days(RATES["community_joined"]):
            subject = rng.randrange(len(SUBJECTS))
            community = f"mo-{org.municipality_id}-{subject}"
            yield Item("mentoring", "community_joined", {
                "person_id": person, "community_id": community, "community_name": f"МО: {SUBJECTS[subject]}",
                "kind": rng.choice(["methodical_association", "professional_community", "network_community"]),
                "level": rng.choice(["school", "municipal", "regional"]), "joined_on": on.isoformat()}, on)
            out = on + timedelta(days=rng.randint(200, 1500))
            if out < last and rng.random() < 0.4:
                yield Item("mentoring", "community_left", {
                    "person_id": person, "community_id": community, "left_on": out.isoformat()}, out)
        for on in days(RATES["education_profile_recorded"]):
            yield Item("registry", "education_profile_recorded", {
                "person_id": person, "matches_profile": rng.random() < 0.9, "recorded_on": on.isoformat()}, on)
        if position != "director":
            for on in days(RATES["position_changed"]):
                yield Item("registry", "position_changed", {
                    "person_id": person, "org_id": org.org_id, "position": "senior_teacher", "changed_on": on.isoformat()},
                    on)

    def _pair(self, rng, person: str, mentor: str, hired: date, left: date | None) -> Iterator[Item]:
        started = hired + timedelta(days=rng.randint(0, 60))
        if started >= self.end:
            return
        pair = f"pair-{person}"
        yield Item("mentoring", "pair_assigned", {
            "pair_id": pair, "mentor_id": mentor, "mentee_person_id": person,
            "form": rng.choice(["teacher_teacher", "teacher_teacher", "head_teacher", "peer_group"]),
            "started_on": started.isoformat()}, started)
        ended = started + timedelta(days=rng.randint(300, 800))
        if left is not None and left < ended:
            ended, outcome = left, "terminated"
        else:
            outcome = "completed"
        if ended < self.end:
            yield Item("mentoring", "pair_ended", {"pair_id": pair, "ended_on": ended.isoformat(), "outcome": outcome},
                       ended)

    def _reserve(self, rng, org: Org, tenures) -> Iterator[Item]:
        candidates = [t for t in tenures if not t[3]]
        for person, hired, left, _ in rng.sample(candidates, min(len(candidates), 1 if rng.random() < 0.6 else 0)):
            first, last = max(hired, self.start), min(left, self.end) if left else self.end
            if last <= first:
                continue
            on = _day_between(rng, first, last)
            yield Item("registry", "reserve_enrolled", {
                "person_id": person, "municipality_id": org.municipality_id, "enrolled_on": on.isoformat()}, on)
            out = on + timedelta(days=rng.randint(200, 1200))
            if out < last and rng.random() < 0.4:
                yield Item("registry", "reserve_left", {
                    "person_id": person, "municipality_id": org.municipality_id, "left_on": out.isoformat(),
                    "reason": rng.choice(["appointed", "withdrawn", "expired"])}, out)

    def _plans(self) -> Iterator[Item]:
        rng = random.Random(self.seed + 99)
        codes = ("training_coverage", "digital_training_coverage", "diagnostics_coverage", "category_share",
                 "young_mentoring_coverage", "competition_share", "community_coverage", "staffing_ratio")
        years = list(range(self.start.year + 1, self.end.year + 2))
        adopted = self.start + timedelta(days=15)
        for mun in self.shape.municipalities:
            plan = f"plan-{mun}"
            targets = [{"indicator": code, "year": y, "value": round(0.3 + 0.1 * k + 0.02 * (y - years[0]), 2)}
                       for k, code in enumerate(codes) for y in years]
            targets += [{"indicator": SURVEY_INDICATOR, "year": y, "value": 0.8} for y in years]
            measures = [{"measure_id": f"ms-{k}", "title": f"Мероприятие дорожной карты {k}",
                         "due_on": date(y, 12, 1).isoformat(), "responsible": "ИМЦ"}
                        for k, y in enumerate(years, 1)]
            yield Item("indicators", "plan_adopted", {
                "plan_id": plan, "municipality_id": mun, "title": f"Муниципальный план {mun}",
                "period_start": date(years[0], 1, 1).isoformat(), "period_end": date(years[-1], 12, 31).isoformat(),
                "targets": targets, "measures": measures}, adopted)
            for k, y in enumerate(years, 1):
                done = date(y, 11, rng.randint(1, 28))
                if done < self.end:
                    yield Item("indicators", "measure_completed", {
                        "plan_id": plan, "measure_id": f"ms-{k}", "completed_on": done.isoformat()}, done)
                    yield Item("indicators", "value_reported", {
                        "municipality_id": mun, "indicator": SURVEY_INDICATOR, "year": y,
                        "value": round(0.5 + rng.random() * 0.4, 3), "method": "survey"}, done)
            on = adopted + timedelta(days=400)
            if on < self.end:
                yield Item("indicators", "target_set", {
                    "plan_id": plan, "indicator": "training_coverage", "year": years[-1], "value": 0.9}, on)


def _org_label(kind: str) -> str:
    return {"school": "МБОУ СОШ", "kindergarten": "МБДОУ д/с", "additional_education": "МБУ ДО",
            "professional_college": "ГБПОУ колледж", "methodical_center": "МКУ ИМЦ"}.get(kind, "Организация")


def evaluation(staff: int, years: int = 5, repeat: int = 3) -> dict:
    """One answer of every indicator for the region, from the engine and from the oracle, on the same facts.

    The engine is fed the generated events in batches as the projection feeds it; each date is
    answered ``repeat`` times (best kept: the machine is shared) and the worst date is reported.
    Nothing is cached between answers, so a new date costs what an old one does. The oracle
    (tests/indicators/oracle.py, the person-by-person evaluation of the definitions) is timed once.
    """
    import asyncio
    import tempfile
    import time
    from pathlib import Path

    from pedgrowth.contracts.scope import Scope
    from pedgrowth.indicators.engine.collector import pace_collector
    from pedgrowth.indicators.records import Record

    from tests.indicators import oracle

    from .events import event_id, event_time, source_of
    from .national import region_eval_ms

    pace_collector()  # as the service's composition root does
    region = Region(staff, years)
    seqs: dict[str, int] = {}
    records = []
    for item in region.items():
        seq = seqs[item.service] = seqs.get(item.service, 0) + 1
        records.append(Record(source_of(item.service), event_id(item.service, seq),
                              f"pedgrowth.{item.service}.{item.suffix}.v1", event_time(item, seq).isoformat(),
                              item.data))
    with tempfile.TemporaryDirectory() as data_dir:
        build_s, restart = asyncio.run(_build_and_restart(records, Path(data_dir)))
    engine = restart.pop("engine")
    end = region.end
    scope = Scope("region", REGION_ID)
    per_date = region_eval_ms(engine, {
        "end": end, "last_year_end": date(end.year - 1, 12, 31), "leap_day": date(2024, 2, 29),
        "three_years_back": add_years(end, -3), "first_of_period": region.start + timedelta(days=1)}, repeat)
    started = time.perf_counter()
    world = oracle.World(records)
    world_s = time.perf_counter() - started
    t = time.perf_counter()
    old = oracle.evaluate(world, scope, end)
    old_ms = (time.perf_counter() - t) * 1000
    new = {n.indicator.code: (n.numerator, n.denominator) for n in engine.all_numbers(scope, end)}
    equal = new == {code: (o.numerator_count, o.denominator_count) for code, o in old.items()}
    return {"staff": staff, "events": len(records), "engine_build_s": round(build_s, 2), **restart,
            "region_eval_ms": max(per_date.values()), "region_eval_ms_by_date": per_date,
            "old_eval_ms": round(old_ms, 1), "old_world_build_s": round(world_s, 2),
            "eval_ratio": round(old_ms / max(per_date.values()), 1), "engine_equals_oracle": equal,
            "what": "server-side answer of every indicator for the region scope (Answers.indicators: engine lookups), "
                    "worst of the dates, best of 3 each; old = tests/indicators/oracle.py on the same events, "
                    "as of the period's end"}


async def _build_and_restart(records: list, data_dir) -> tuple[float, dict]:
    """The projection's apply-and-write of every batch into a SQLite store (no broker), then a restart of a
    read model on that store: seconds until it answers (``restart_s``) and until every fact is indexed."""
    import asyncio
    import time

    from pedgrowth.indicators.projection.readmodel import ReadModel
    from pedgrowth.indicators.readmodel.factory import store_for

    live = ReadModel(store_for(None, data_dir))
    await live.load()
    started = time.perf_counter()
    for i in range(0, len(records), 2000):
        await live.add(records[i:i + 2000], {("bench", 0): i + 2000})
    build_s = time.perf_counter() - started
    await live.store.close()
    again = ReadModel(store_for(None, data_dir))
    started = time.perf_counter()
    loading = asyncio.create_task(again.load())
    await again.answering.wait()
    answering_s = time.perf_counter() - started
    await loading
    loaded_s = time.perf_counter() - started
    await again.store.close()
    return build_s, {"restart_s": round(answering_s, 2), "restart_indexed_s": round(loaded_s, 2),
                     "restart_evaluations": again.engine.evaluations, "sum_series": again.engine.sums.keys(),
                     "engine": again.engine}


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.region --staff N``: the region evaluation figures, merged into bench/results/latest.json."""
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m bench.region")
    parser.add_argument("--staff", type=int, default=40_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    args = parser.parse_args(argv)
    figures = evaluation(args.staff, args.years)
    print(json.dumps(figures, ensure_ascii=False))
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    results.update({"region_eval_ms": figures["region_eval_ms"], "old_eval_ms": figures["old_eval_ms"],
                    "restart_s": figures["restart_s"], "region_eval": figures})
    args.results.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
