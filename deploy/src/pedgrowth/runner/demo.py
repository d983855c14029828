"""The demo municipality: a synthetic town shaped like Мичуринск, published through the inboxes.

About 20 schools and 600 pedagogical staff from 2019 to today: hires (young teachers among them),
dismissals, transfers, position changes, education profiles, vacancies, the managers' reserve,
courses (ПК/ПП, distance too), diagnostics with deficits and targeted courses, routes (ИОМ),
attestation with expiring categories, competitions, independent assessment, mentors and pairs,
communities, support events — every indicator of SPEC §4 has data — plus the Мичуринск plan.

Deterministic: one seeded random generator and CloudEvent ids derived from each fact, so a
second `pedgrowth up --demo` records nothing new (every event is a duplicate).
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import NAMESPACE_URL, uuid5

from pedgrowth.contracts import CloudEvent, EventData, add_years, inbox_topic, new_event
from pedgrowth.contracts import indicators as ind
from pedgrowth.contracts import mentoring as men
from pedgrowth.contracts import registry as reg
from pedgrowth.contracts import training as tr

from .demo_cycle import add_current_year
from .plans import load_plan, plan_event, seed_files

DEMO_TODAY = date(2026, 11, 22)
START = date(2019, 1, 1)
MUNICIPALITY = {"municipality_id": "michurinsk", "municipality_name": "г. Мичуринск",
                "region_id": "tambov", "region_name": "Тамбовская область"}
SOURCE = "/demo/michurinsk"
SUBJECTS = ["математика", "русский язык", "литература", "история", "физика", "химия", "биология", "география",
            "английский язык", "информатика", "начальные классы", "физическая культура", "музыка", "технология"]
DEFICITS = [("functional_literacy", "methodical"), ("updated_fgos", "methodical"), ("digital_tools", "digital"),
            ("inclusive_education", "psychological_pedagogical"), ("assessment", "subject"),
            ("classroom_management", "communicative")]
PROVIDERS = [("prov-apr", "Академия Минпросвещения России", "federal_academy"),
             ("prov-ipkro", "ТОГОАУ ДПО «Институт повышения квалификации работников образования»",
              "regional_institute"),
             ("prov-cnppm", "ЦНППМ Тамбовской области", "cnppm"),
             ("prov-umiic", "УМиИЦ г. Мичуринска", "municipal_methodical_center")]
# program_id, provider, title, kind, hours, format, deficits addressed
PROGRAMMES = [
    ("pk-fgos", "prov-apr", "Реализация требований обновленных ФГОС", "advanced_training", 36, "distance",
     ["updated_fgos"]),
    ("pk-funclit", "prov-apr", "Формирование функциональной грамотности", "advanced_training", 72, "distance",
     ["functional_literacy"]),
    ("pk-digital", "prov-cnppm", "Цифровая образовательная среда", "advanced_training", 36, "blended",
     ["digital_tools"]),
    ("pk-inclusive", "prov-ipkro", "Инклюзивное образование детей с ОВЗ", "advanced_training", 72, "in_person",
     ["inclusive_education"]),
    ("pk-assess", "prov-ipkro", "Оценка образовательных результатов", "advanced_training", 36, "in_person",
     ["assessment"]),
    ("pk-class", "prov-umiic", "Управление классом и коммуникация", "advanced_training", 24, "in_person",
     ["classroom_management"]),
    ("pk-subject", "prov-ipkro", "Предметное содержание и методика преподавания", "advanced_training", 72,
     "in_person", []),
    ("pk-science", "prov-umiic", "Естественнонаучный блок: Центр технологической поддержки", "advanced_training",
     36, "blended", []),
    ("pp-pedagogy", "prov-ipkro", "Педагогика и методика преподавания (профессиональная переподготовка)",
     "retraining", 300, "blended", []),
    ("pp-management", "prov-ipkro", "Менеджмент в образовании (профессиональная переподготовка)", "retraining",
     260, "distance", []),
]
COMMUNITIES = [("com-math", "Сообщество учителей математики г. Мичуринска", "professional_community", "municipal"),
               ("com-net", "Педагоги Мичуринска онлайн", "network_community", "municipal"),
               ("com-young", "Совет молодых педагогов", "young_teachers_council", "municipal"),
               ("com-region-mo", "Региональное МО учителей начальных классов", "methodical_association", "regional")]
COURSE_RATE = {2019: 0.09, 2020: 0.12, 2021: 0.16, 2022: 0.19, 2023: 0.22, 2024: 0.24, 2025: 0.25, 2026: 0.23}


@dataclass
class Staff:
    """One person the simulation follows (what it needs to keep the services' rules)."""

    pid: str
    org: str
    position: str
    since: date
    exp_since: date
    active: bool = True
    category: tuple[str, date, date] | None = None
    pairs: list[str] = field(default_factory=list)
    communities: dict[str, date] = field(default_factory=dict)  # community_id -> joined_on
    in_reserve: date | None = None

    def young(self, day: date) -> bool:
        return self.exp_since > add_years(day, -3)


@dataclass(order=True)
class Planned:
    """An event waiting to be published: sorted by phase, day, then the order it was made in."""

    phase: int
    day: date
    seq: int
    service: str = field(compare=False)
    data: EventData = field(compare=False)
    source: str = field(compare=False)


class DemoTown:
    """Simulates the town month by month and collects the facts its systems would publish."""

    def __init__(self, schools: int = 20, seed: int = 68, today: date = DEMO_TODAY):
        self.rnd = random.Random(seed)
        self.today = min(today, date.today())
        self.schools = [f"demo-sch-{n:02d}" for n in range(1, schools + 1)]
        self.planned: list[Planned] = []
        self.staff: dict[str, Staff] = {}
        self.next_person = 0
        self.mentors: dict[str, dict] = {}  # mentor_id -> {"pid", "pairs": {pair_id: (start, end|None)}}
        self.pair_ends: dict[str, tuple[date, str]] = {}
        self.vacancy_seq = 0

    # --- publishing helpers ---------------------------------------------------------------

    def add(self, service: str, day: date, data: EventData, source: str = SOURCE, phase: int = 1) -> None:
        self.planned.append(Planned(phase, day, len(self.planned), service, data, source))

    def day_in(self, year: int, lo: date | None = None) -> date | None:
        """A random day of ``year`` not before ``lo`` and not after today (None when there is none)."""
        first = max(date(year, 1, 1), lo or date(year, 1, 1))
        last = min(date(year, 12, 31), self.today)
        if first > last:
            return None
        return first + timedelta(days=self.rnd.randrange((last - first).days + 1))

    def later(self, day: date, lo: int, hi: int) -> date | None:
        result = day + timedelta(days=self.rnd.randint(lo, hi))
        return result if result <= self.today else None

    def active(self, org: str | None = None) -> list[Staff]:
        return [s for s in self.staff.values() if s.active and (org is None or s.org == org)]

    # --- the town ---------------------------------------------------------------------------

    def build(self) -> list[Planned]:
        self.register_catalogue()
        for org in self.schools:
            self.initial_staff(org)
        self.initial_staff("demo-umiic", methodical=True)
        self.register_mentors()
        for year in range(START.year, self.today.year + 1):
            self.simulate_year(year)
        self.add_plan()
        add_current_year(self)
        return sorted(self.planned)

    def register_catalogue(self) -> None:
        day = date(2018, 12, 1)
        for n, org in enumerate(self.schools, start=1):
            name = f"МБОУ «Средняя общеобразовательная школа № {n}» г. Мичуринска"
            self.add("registry", day, reg.OrganizationRegistered(org_id=org, name=name, kind="school", **MUNICIPALITY),
                     phase=0)
        self.add("registry", day, reg.OrganizationRegistered(
            org_id="demo-umiic", name="Управление методического и информационного центра (УМиИЦ) г. Мичуринска",
            kind="methodical_center", **MUNICIPALITY), phase=0)
        for provider_id, name, kind in PROVIDERS:
            self.add("training", day, tr.ProviderRegistered(provider_id=provider_id, name=name, kind=kind), phase=0)
        for program_id, provider_id, title, kind, hours, fmt, deficits in PROGRAMMES:
            self.add("training", day, tr.ProgramPublished(
                program_id=program_id, provider_id=provider_id, title=title, kind=kind, hours=hours, format=fmt,
                topics=deficits or None, in_federal_registry=provider_id == "prov-apr"), phase=0)

    def hire(self, org: str, position: str, started_on: date, young: bool = False,
             exp_since: date | None = None) -> Staff:
        self.next_person += 1
        pid = f"demo-p{self.next_person:04d}"
        if exp_since is None:
            exp_since = started_on if young else started_on - timedelta(days=self.rnd.randint(3 * 366, 30 * 365))
        birth = exp_since - timedelta(days=self.rnd.randint(22 * 365, 25 * 365))
        matches = self.rnd.choices([True, False, None], [88, 8, 4])[0]
        teaching = position in ("teacher", "senior_teacher", "leading_teacher")
        subjects = [self.rnd.choice(SUBJECTS)] if teaching else None
        self.add("registry", started_on, reg.EmploymentStarted(
            person_id=pid, org_id=org, position=position, started_on=started_on,
            pedagogical_experience_since=exp_since, birth_date=birth, subjects=subjects,
            education_matches_profile=matches), source=f"{SOURCE}/{org}/hr")
        person = Staff(pid, org, position, started_on, exp_since)
        self.staff[pid] = person
        return person

    def initial_staff(self, org: str, methodical: bool = False) -> None:
        roles = (["methodist"] * 6 if methodical else
                 ["director"] + ["deputy_director"] * 2 + ["educational_psychologist", "social_pedagogue",
                                                           "speech_therapist", "tutor"]
                 + ["teacher"] * self.rnd.randint(22, 25) + ["non_pedagogical"] * 2)
        for position in roles:
            young = position == "teacher" and self.rnd.random() < 0.15
            exp = (date(2016, 1, 1) + timedelta(days=self.rnd.randrange(1000)) if young
                   else date(1988, 1, 1) + timedelta(days=self.rnd.randrange(10000)))
            started = exp + timedelta(days=self.rnd.randrange(max(1, (date(2018, 12, 31) - exp).days)))
            person = self.hire(org, position, started, exp_since=min(exp, started))
            self.initial_category(person)

    def initial_category(self, person: Staff) -> None:
        if person.position == "non_pedagogical" or person.young(START) or self.rnd.random() > 0.75:
            return
        decided = date(2014, 1, 1) + timedelta(days=self.rnd.randrange(5 * 365))
        category = self.rnd.choices(["first", "highest", "position_compliance"], [45, 35, 20])[0]
        self.attest(person, category, decided)

    def attest(self, person: Staff, category: str, decided: date) -> None:
        valid = add_years(decided, 5)
        self.add("training", decided, tr.AttestationPassed(person_id=person.pid, category=category,
                                                           decided_on=decided, valid_until=valid))
        person.category = (category, decided, valid)

    def register_mentors(self) -> None:
        experienced = [s for s in self.active() if s.position == "teacher" and s.exp_since < date(2009, 1, 1)]
        for person in self.rnd.sample(experienced, min(len(experienced), 2 * len(self.schools))):
            self.new_mentor(f"mentor-{person.pid}", date(2019, 1, 10), person.pid)
        self.new_mentor("mentor-ext-progress", date(2019, 1, 10), None, "АО «Мичуринский завод «Прогресс»")
        self.new_mentor("mentor-ext-agro", date(2021, 2, 1), None, "ФГБОУ ВО «Мичуринский ГАУ»")

    def new_mentor(self, mentor_id: str, day: date, pid: str | None, external: str | None = None) -> None:
        self.add("mentoring", day, men.MentorRegistered(mentor_id=mentor_id, person_id=pid,
                                                        external_organization=external, registered_on=day))
        self.mentors[mentor_id] = {"pid": pid, "pairs": {}, "since": day}

    # --- one year -----------------------------------------------------------------------

    def simulate_year(self, year: int) -> None:
        self.turnover(year)
        self.transfers_and_positions(year)
        self.reserve(year)
        for person in list(self.active()):
            if person.position == "non_pedagogical":
                continue
            self.training_year(person, year)
            self.attestation_year(person, year)
            self.community_year(person, year)
        self.support_events(year)
        self.mentoring_year(year)

    def turnover(self, year: int) -> None:
        for person in list(self.active()):
            if person.position in ("director", "methodist"):
                continue
            rate = 0.12 if person.young(date(year, 1, 1)) else 0.05
            if self.rnd.random() >= rate:
                continue
            day = self.day_in(year, lo=person.since + timedelta(days=60))
            if day is None:
                continue
            reason = self.rnd.choices(["resignation", "retirement", "dismissal", "other"], [60, 25, 10, 5])[0]
            self.leave(person, day, reason)
            self.replace(person, day)

    def leave(self, person: Staff, day: date, reason: str) -> None:
        self.add("registry", day, reg.EmploymentEnded(person_id=person.pid, org_id=person.org, ended_on=day,
                                                      reason=reason), source=f"{SOURCE}/{person.org}/hr")
        person.active = False
        for community in sorted(person.communities, key=str):
            self.add("mentoring", day, men.CommunityLeft(person_id=person.pid, community_id=community, left_on=day))
        person.communities.clear()
        mentor = self.mentors.get(f"mentor-{person.pid}")
        if mentor is not None:
            mentor["retired"] = day
            for pair_id in self.open_pairs(mentor, day):
                self.end_pair(pair_id, day, "terminated")
        for pair_id in person.pairs:
            if pair_id not in self.pair_ends or self.pair_ends[pair_id][0] > day:
                self.end_pair(pair_id, day, "terminated")

    def open_pairs(self, mentor: dict, day: date) -> list[str]:
        return [p for p, (start, _) in mentor["pairs"].items()
                if start <= day and (p not in self.pair_ends or self.pair_ends[p][0] > day)]

    def replace(self, person: Staff, left_on: date) -> None:
        self.vacancy_seq += 1
        vacancy_id = f"demo-vac-{self.vacancy_seq:04d}"
        subject = self.rnd.choice(SUBJECTS) if person.position == "teacher" else None
        self.add("registry", left_on, reg.VacancyOpened(vacancy_id=vacancy_id, org_id=person.org,
                                                        position=person.position, subject=subject,
                                                        opened_on=left_on), source=f"{SOURCE}/{person.org}/hr")
        hired_on = self.later(left_on, 14, 120)
        if hired_on is None:
            return  # still open today
        filled = self.rnd.random() < 0.95
        self.add("registry", hired_on, reg.VacancyClosed(vacancy_id=vacancy_id, closed_on=hired_on, filled=filled),
                 source=f"{SOURCE}/{person.org}/hr")
        if filled:
            young = person.position == "teacher" and self.rnd.random() < 0.6
            newcomer = self.hire(person.org, person.position, hired_on, young=young)
            if young and self.rnd.random() < 0.8:
                self.assign_pair(newcomer, self.later(hired_on, 3, 40))

    def transfers_and_positions(self, year: int) -> None:
        teachers = [s for s in self.active() if s.position in ("teacher", "senior_teacher", "leading_teacher")]
        for person in teachers:
            roll = self.rnd.random()
            if roll < 0.012 and len(self.schools) > 1:
                day = self.day_in(year, lo=person.since + timedelta(days=30))
                if day is not None:
                    self.transfer(person, day)
            elif roll < 0.05 and year >= 2020:
                day = self.day_in(year, lo=person.since + timedelta(days=1))
                new = {"teacher": "senior_teacher", "senior_teacher": "leading_teacher"}.get(person.position)
                if day is not None and new:
                    self.add("registry", day, reg.PositionChanged(person_id=person.pid, org_id=person.org,
                                                                  position=new, changed_on=day),
                             source=f"{SOURCE}/{person.org}/hr")
                    person.position, person.since = new, day
            elif roll < 0.08:
                day = self.day_in(year, lo=person.since)
                if day is not None:
                    self.add("registry", day, reg.EducationProfileRecorded(
                        person_id=person.pid, matches_profile=self.rnd.random() < 0.93, recorded_on=day),
                        source=f"{SOURCE}/{person.org}/hr")

    def transfer(self, person: Staff, day: date) -> None:
        target = self.rnd.choice([s for s in self.schools if s != person.org])
        self.add("registry", day, reg.EmploymentEnded(person_id=person.pid, org_id=person.org, ended_on=day,
                                                      reason="transfer"), source=f"{SOURCE}/{person.org}/hr")
        self.add("registry", day, reg.EmploymentStarted(
            person_id=person.pid, org_id=target, position=person.position, started_on=day,
            pedagogical_experience_since=person.exp_since), source=f"{SOURCE}/{target}/hr")
        person.org, person.since = target, day

    def reserve(self, year: int) -> None:
        deputies = sorted((s for s in self.active() if s.position == "deputy_director" and not s.in_reserve),
                          key=lambda s: s.pid)
        plan = {2019: 2, 2021: 1, 2022: 1, 2024: 1}
        for person in self.rnd.sample(deputies, min(len(deputies), plan.get(year, 0))):
            day = self.day_in(year)
            if day is not None:
                self.add("registry", day, reg.ReserveEnrolled(person_id=person.pid, enrolled_on=day,
                                                              municipality_id=MUNICIPALITY["municipality_id"]))
                person.in_reserve = day
        if year in (2022, 2025):
            day = self.day_in(year, lo=date(year, 6, 1))
            members = sorted((s for s in self.active() if s.in_reserve and day and s.in_reserve < day
                              and s.since < day), key=lambda s: s.pid)
            if members:
                person = members[0]
                appointed = year == 2025 and len(self.schools) > 1  # to lead another school of the town
                self.add("registry", day, reg.ReserveLeft(person_id=person.pid, left_on=day,
                                                          municipality_id=MUNICIPALITY["municipality_id"],
                                                          reason="appointed" if appointed else "withdrawn"))
                person.in_reserve = None
                if appointed:
                    self.appoint_director(person, day)

    def appoint_director(self, person: Staff, day: date) -> None:
        """A reserve member becomes director of a school whose director retires that day."""
        school = next(s for s in self.schools if s != person.org)
        director = next((s for s in self.active(school) if s.position == "director" and s.since < day), None)
        if director is None:
            return
        self.leave(director, day, "retirement")
        self.add("registry", day, reg.EmploymentEnded(person_id=person.pid, org_id=person.org, ended_on=day,
                                                      reason="transfer"), source=f"{SOURCE}/{person.org}/hr")
        self.add("registry", day, reg.EmploymentStarted(
            person_id=person.pid, org_id=school, position="director", started_on=day,
            pedagogical_experience_since=person.exp_since), source=f"{SOURCE}/{school}/hr")
        person.org, person.position, person.since = school, "director", day

    # --- a person's year of growth ---------------------------------------------------------

    def training_year(self, person: Staff, year: int) -> None:
        young = person.young(date(year, 1, 1))
        rate = COURSE_RATE.get(year, 0.2) * (1.6 if young else 1.0)
        if self.rnd.random() < rate:
            self.course(person, year, self.rnd.choice([p for p in PROGRAMMES if p[3] == "advanced_training"]))
        if self.rnd.random() < 0.012:
            self.course(person, year, self.rnd.choice([p for p in PROGRAMMES if p[3] == "retraining"]), retrain=True)
        if year >= 2020 and self.rnd.random() < (0.12 if year == 2020 else 0.18):
            self.diagnostics(person, year)
        if year >= 2020 and self.rnd.random() < (0.3 if young else 0.07):
            self.route(person, year)
        if self.rnd.random() < (0.25 if young else 0.08):
            self.competition(person, year)
        if year >= 2020 and self.rnd.random() < 0.025:
            day = self.day_in(year, lo=person.since)
            if day is not None:
                self.add("training", day, tr.IndependentAssessmentPassed(
                    person_id=person.pid, qualification="Педагог (учитель) — 6 уровень квалификации", passed_on=day))

    def course(self, person: Staff, year: int, programme: tuple, retrain: bool = False,
               day: date | None = None, deficits: list[str] | None = None) -> None:
        day = day or self.day_in(year, lo=person.since)
        if day is None:
            return
        self.add("training", day, tr.CourseCompleted(
            person_id=person.pid, program_id=programme[0], completed_on=day,
            certificate_number=f"{programme[0].upper()}-{day.year}-{person.pid[-4:]}",
            addresses_deficits=deficits or None), source=f"{SOURCE}/{programme[1]}")
        if retrain:
            self.add("registry", day, reg.EducationProfileRecorded(person_id=person.pid, matches_profile=True,
                                                                   recorded_on=day), source=f"{SOURCE}/{person.org}/hr")

    def diagnostics(self, person: Staff, year: int) -> None:
        day = self.day_in(year, lo=person.since)
        if day is None:
            return
        found = self.rnd.sample(DEFICITS, self.rnd.choices([0, 1, 2, 3], [30, 35, 25, 10])[0])
        self.add("training", day, tr.DiagnosticsCompleted(
            person_id=person.pid, diagnostics_id=f"diag-{year}-{person.pid}", completed_on=day,
            deficits=[{"code": code, "area": area} for code, area in found]), source=f"{SOURCE}/prov-cnppm")
        if found and self.rnd.random() < 0.6:
            code = found[0][0]
            programme = next(p for p in PROGRAMMES if code in p[6])
            completed = self.later(day, 20, 150)
            if completed is not None:
                self.course(person, completed.year, programme, day=completed, deficits=[code])

    def route(self, person: Staff, year: int) -> None:
        day = self.day_in(year, lo=person.since)
        if day is None:
            return
        route_id = f"iom-{year}-{person.pid}"
        self.add("training", day, tr.RouteStarted(route_id=route_id, person_id=person.pid, started_on=day,
                                                  planned_until=day + timedelta(days=365)))
        done = self.later(day, 180, 420)
        if done is not None and self.rnd.random() < 0.8:
            self.add("training", done, tr.RouteCompleted(route_id=route_id, person_id=person.pid, completed_on=done))

    def competition(self, person: Staff, year: int) -> None:
        level, name, month = self.rnd.choice([
            ("institutional", "Лучший урок", 3), ("municipal", "Учитель года г. Мичуринска", 2),
            ("municipal", "Педагогический дебют", 4), ("regional", "Учитель года Тамбовской области", 5),
            ("federal", "Всероссийский конкурс «Педагог-наставник»", 10)])
        competition_id = f"{name}-{year}".replace(" ", "-").replace("«", "").replace("»", "")
        day = date(year, month, 15)
        if day > self.today or day < person.since:
            return
        result = self.rnd.choices(["participant", "laureate", "winner"], [80, 15, 5])[0]
        self.add("training", day, tr.CompetitionParticipated(
            person_id=person.pid, competition_id=competition_id, competition_name=f"{name} — {year}", level=level,
            participated_on=day, result=result))

    def attestation_year(self, person: Staff, year: int) -> None:
        if person.category is not None:
            category, decided, valid = person.category
            if valid.year == year and self.rnd.random() < 0.8:
                renewed = valid - timedelta(days=self.rnd.randint(5, 60))
                if renewed > decided and renewed <= self.today:
                    upgrade = {"position_compliance": "first", "first": "highest"}.get(category, category)
                    if year >= 2024 and person.position in ("senior_teacher", "leading_teacher"):
                        upgrade = self.rnd.choice(["pedagogue_methodist", "pedagogue_mentor"])
                    self.attest(person, upgrade if self.rnd.random() < 0.3 else category, renewed)
            return
        started = person.exp_since
        if year - started.year >= 2 and self.rnd.random() < 0.25:
            day = self.day_in(year, lo=person.since)
            if day is not None:
                self.attest(person, "first", day)

    def community_year(self, person: Staff, year: int) -> None:
        mo = f"mo-{person.org}"
        if mo not in person.communities and self.rnd.random() < (0.35 if year == 2019 else 0.14):
            day = self.day_in(year, lo=person.since)
            if day is not None:
                self.add("mentoring", day, men.CommunityJoined(
                    person_id=person.pid, community_id=mo, community_name=f"Школьное МО ({person.org})",
                    kind="methodical_association", level="school", joined_on=day))
                person.communities[mo] = day
        other = self.rnd.choice(COMMUNITIES)
        if other[0] not in person.communities and self.rnd.random() < 0.07:
            if other[0] == "com-young" and not person.young(date(year, 1, 1)):
                return
            day = self.day_in(year, lo=person.since)
            if day is not None:
                self.add("mentoring", day, men.CommunityJoined(
                    person_id=person.pid, community_id=other[0], community_name=other[1], kind=other[2],
                    level=other[3], joined_on=day))
                person.communities[other[0]] = day
        elif person.communities and self.rnd.random() < 0.04:
            community = sorted(person.communities)[0]
            day = self.day_in(year, lo=max(date(year, 7, 1), person.communities[community] + timedelta(days=1)))
            if day is not None:
                self.add("mentoring", day, men.CommunityLeft(person_id=person.pid, community_id=community, left_on=day))
                del person.communities[community]

    def support_events(self, year: int) -> None:
        events = [(f"smp-{year}", f"Школа молодого педагога — {year}", "young_teacher_school", date(year, 11, 2), True),
                  (f"seminar-{year}", f"Муниципальный семинар «Современный урок» — {year}", "seminar",
                   date(year, 3, 24), False),
                  (f"burnout-{year}", f"Тренинг профилактики профессионального выгорания — {year}",
                   "burnout_prevention", date(year, 10, 5), False),
                  (f"master-{year}", f"Мастер-класс победителей конкурсов — {year}", "master_class",
                   date(year, 4, 12), False)]
        for event_id, name, kind, day, for_young in events:
            if day > self.today:
                continue
            for person in self.active():
                if person.position == "non_pedagogical" or person.since > day:
                    continue
                rate = (0.75 if person.young(day) else 0.0) if for_young else (0.2 if person.young(day) else 0.08)
                if self.rnd.random() < rate:
                    speaker = kind == "master_class" and self.rnd.random() < 0.3  # presents their experience
                    self.add("mentoring", day, men.SupportEventAttended(
                        person_id=person.pid, event_id=event_id, event_name=name, kind=kind, attended_on=day,
                        role="speaker" if speaker else None))

    # --- mentoring ----------------------------------------------------------------------------

    def mentoring_year(self, year: int) -> None:
        if year != START.year:
            return
        for person in self.active():
            if (person.position == "teacher" and person.young(START) and person.since < START and not person.pairs
                    and self.rnd.random() < 0.7):
                self.assign_pair(person, date(2019, 1, 15) + timedelta(days=self.rnd.randrange(60)))

    def assign_pair(self, mentee: Staff, day: date | None) -> None:
        if day is None:
            return
        free = [m for m, info in sorted(self.mentors.items())
                if info["since"] <= day and info.get("retired", date.max) > day and info["pid"] != mentee.pid
                and len(self.open_pairs(info, day)) < 3]
        if not free:
            return
        mentor_id = self.rnd.choice(free)
        pair_id = f"pair-{mentee.pid}-{day.isoformat()}"
        form = "employer_teacher" if self.mentors[mentor_id]["pid"] is None else "teacher_teacher"
        self.add("mentoring", day, men.PairAssigned(pair_id=pair_id, mentor_id=mentor_id, mentee_person_id=mentee.pid,
                                                    form=form, started_on=day, program="Программа наставничества ОО"))
        self.mentors[mentor_id]["pairs"][pair_id] = (day, None)
        mentee.pairs.append(pair_id)
        ended = self.later(day, 300, 730)
        if ended is not None:
            self.end_pair(pair_id, ended, "completed")

    def end_pair(self, pair_id: str, day: date, outcome: str) -> None:
        """End a pair once; an earlier planned end is replaced by an earlier termination."""
        planned = self.pair_ends.get(pair_id)
        if planned is not None and planned[0] <= day:
            return
        if planned is not None:
            self.planned = [p for p in self.planned if not (isinstance(p.data, men.PairEnded)
                                                            and p.data.pair_id == pair_id)]
        self.pair_ends[pair_id] = (day, outcome)
        self.add("mentoring", day, men.PairEnded(pair_id=pair_id, ended_on=day, outcome=outcome))

    # --- the plan --------------------------------------------------------------------------------

    def add_plan(self) -> None:
        """The Мичуринск plan from deploy/plans, with most measures due by today done."""
        plan = load_plan(next(p for p in seed_files() if "michurinsk" in p.name)).event
        self.add("indicators", plan.period_start, plan, source=PLAN_SOURCE)
        for measure in plan.measures or []:
            if measure.due_on > self.today or measure.measure_id in ("2.4", "3.4"):
                continue  # left undone: the dashboard shows them overdue
            done = measure.due_on - timedelta(days=self.rnd.randint(0, 45))
            self.add("indicators", done, ind.MeasureCompleted(
                plan_id=plan.plan_id, measure_id=measure.measure_id, completed_on=done,
                evidence=f"Отчет УНО администрации г. Мичуринска за {done.year} год"))


PLAN_SOURCE = "/pedgrowth/plans"


def event_id(service: str, data: EventData) -> str:
    """Derived from the fact itself: the same fact always gets the same id."""
    body = json.dumps(data.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)
    return str(uuid5(NAMESPACE_URL, f"pedgrowth-demo:{service}:{data.event_type}:{body}"))


def demo_events(schools: int = 20, seed: int = 68, today: date = DEMO_TODAY) -> list[tuple[str, CloudEvent]]:
    """(service, CloudEvent) in the order they are published; each service's own events stay in order."""
    result = []
    seed_plan = load_plan(next(p for p in seed_files() if "michurinsk" in p.name))
    for item in DemoTown(schools, seed, today).build():
        if isinstance(item.data, ind.PlanAdopted) and item.data.plan_id == seed_plan.event.plan_id:
            result.append((item.service, plan_event(seed_plan)))
            continue
        stamp = datetime.combine(item.day, time(9, 0), UTC)
        result.append((item.service, new_event(item.data, source=item.source, id=event_id(item.service, item.data),
                                               time=stamp)))
    return result


async def publish(bootstrap: str, idempotence: bool, events: list[tuple[str, CloudEvent]]) -> int:
    """Send every event to its service's inbox, all on partition 0 so each inbox reads them in order."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=idempotence,
                                linger_ms=20, max_batch_size=256 * 1024)
    await producer.start()
    try:
        futures = [await producer.send(inbox_topic(service), value=event.to_bytes(),
                                       key=(event.subject or "").encode("utf-8"), partition=0)
                   for service, event in events]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(events)


def publish_demo(bootstrap: str, idempotence: bool, schools: int = 20) -> int:
    """Publish the demo municipality through the four inboxes; returns how many events were sent."""
    return asyncio.run(publish(bootstrap, idempotence, demo_events(schools)))
