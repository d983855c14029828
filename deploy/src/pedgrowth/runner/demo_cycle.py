"""The demo town's current year: a plan whose period covers today, the facts of the additions within v1
(PD requests, expert roles, the methodical asset, the «Стартуем вместе» cohort, curators, speakers) and
the yearly management cycle with one overdue step (the monitoring of last year, not submitted).

Written for ``demo.DemoTown``: it adds its facts through the town's ``add`` with the town's random
generator, so the demo stays the same every time.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from pedgrowth.contracts import indicators as ind
from pedgrowth.contracts import mentoring as men
from pedgrowth.contracts import training as tr

if TYPE_CHECKING:
    from .demo import DemoTown

PLAN_SOURCE = "/pedgrowth/plans"
DIRECTIONS = ["subject", "methodical", "psychological_pedagogical", "digital", "management"]
PROJECT = ("startuem-vmeste", "Стартуем вместе")


def current_plan(town: DemoTown) -> ind.PlanAdopted:
    """«Дорожная карта» for last year to next year (synthetic: the seeds' plans all end before today)."""
    y = town.today.year
    targets = {"training_coverage": (0.55, 0.6, 0.65), "young_mentoring_coverage": (0.7, 0.8, 0.9),
               "pd_requests_met_share": (0.6, 0.7, 0.8), "expert_involvement_share": (0.08, 0.1, 0.12),
               "curated_orgs_share": (0.5, 1.0, 1.0), "project_participation_share": (0.3, 0.4, 0.5),
               "methodical_asset_count": (20, 25, 30), "competition_share": (0.15, 0.2, 0.25)}
    measures = [
        ("1", "Адресные рекомендации образовательным организациям по итогам мониторинга", date(y, 3, 30)),
        ("2", "Назначение кураторов наставничества во всех общеобразовательных организациях", date(y, 9, 1)),
        ("3", "Запуск муниципального проекта «Стартуем вместе» для молодых педагогов", date(y - 1, 9, 1)),
        ("4", "Анализ эффективности принятых мер", date(y, 8, 31)),
        ("5", "Управленческие решения по итогам года", date(y, 12, 31)),
        ("6", f"Мониторинг показателей за {y} год", date(y + 1, 1, 20)),
    ]
    return ind.PlanAdopted(
        plan_id=f"michurinsk-{y - 1}-{y + 1}", municipality_id="michurinsk",
        title=f"Дорожная карта развития системы профессионального роста педагогов на {y - 1}–{y + 1} годы",
        period_start=date(y - 1, 1, 1), period_end=date(y + 1, 12, 31),
        targets=[ind.Target(indicator=code, year=y - 1 + i, value=value)
                 for code, values in targets.items() for i, value in enumerate(values)],
        measures=[ind.Measure(measure_id=m, title=title, due_on=due, responsible="Управление образования")
                  for m, title, due in measures],
        definitions=[ind.DefinitionChoice(indicator="competition_share", competition="competitions_and_speaking")])


def add_current_year(town: DemoTown) -> None:
    """Everything this module adds, in the order a town would publish it."""
    plan = current_plan(town)
    town.add("indicators", plan.period_start, plan, source=PLAN_SOURCE)
    y = town.today.year
    teachers = [s for s in town.active() if s.position in ("teacher", "senior_teacher", "leading_teacher")]
    requests(town, teachers, y)
    expert_roles(town, teachers, y)
    asset(town, teachers, y)
    cohort(town, y)
    curators(town, y)
    cycle(town, plan, y)


def requests(town: DemoTown, teachers: list, y: int) -> None:
    """About a third of the teachers ask for a PD direction each year; most requests are met within months."""
    for year in (y - 1, y):
        for person in teachers:
            if town.rnd.random() > 0.33:
                continue
            day = town.day_in(year, lo=person.since)
            if day is None:
                continue
            request_id = f"req-{person.pid}-{year}"
            town.add("training", day, tr.PdRequestSubmitted(
                request_id=request_id, person_id=person.pid, direction=town.rnd.choice(DIRECTIONS),
                submitted_on=day), source=f"/demo/michurinsk/{person.org}/requests")
            met = town.later(day, 20, 200)
            if met is not None and town.rnd.random() < 0.75:
                town.add("training", met, tr.PdRequestMet(request_id=request_id, met_on=met),
                         source="/demo/michurinsk/umiic")


def expert_roles(town: DemoTown, teachers: list, y: int) -> None:
    roles = [("attestation_commission", "municipal"), ("competition_jury", "municipal"),
             ("exam_expert", "regional"), ("program_reviewer", "municipal")]
    for n, person in enumerate(t for t in teachers if town.rnd.random() < 0.1):
        role, level = roles[n % len(roles)]
        started = town.day_in(y - 1, lo=person.since)
        if started is None:
            continue
        town.add("mentoring", started, men.ExpertRoleStarted(
            person_id=person.pid, role_id=f"{role}-{y - 1}", role=role, level=level, started_on=started))
        ended = town.later(started, 120, 400)
        if ended is not None and town.rnd.random() < 0.4:
            town.add("mentoring", ended, men.ExpertRoleEnded(person_id=person.pid, role_id=f"{role}-{y - 1}",
                                                             ended_on=ended))


def asset(town: DemoTown, teachers: list, y: int) -> None:
    """The municipal methodical asset: about 25 experienced teachers, from September of last year."""
    experienced = [t for t in teachers if not t.young(date(y - 1, 9, 1)) and t.since <= date(y - 1, 9, 1)]
    for person in town.rnd.sample(experienced, min(25, len(experienced))):
        town.add("mentoring", date(y - 1, 9, 1), men.AssetJoined(
            person_id=person.pid, municipality_id="michurinsk", joined_on=date(y - 1, 9, 1),
            role="руководитель методического объединения"))


def cohort(town: DemoTown, y: int) -> None:
    """«Стартуем вместе»: the young teachers of 1 September last year; some completed it this June."""
    start = date(y - 1, 9, 1)
    for person in town.active():
        if person.position == "non_pedagogical" or not person.young(start) or person.since > start:
            continue
        if town.rnd.random() < 0.2:
            continue
        town.add("mentoring", start, men.ProjectEnrolled(person_id=person.pid, project_id=PROJECT[0],
                                                         project_name=PROJECT[1], enrolled_on=start))
        if town.rnd.random() < 0.3 and date(y, 6, 30) <= town.today:
            town.add("mentoring", date(y, 6, 30), men.ProjectLeft(person_id=person.pid, project_id=PROJECT[0],
                                                                  left_on=date(y, 6, 30), outcome="completed"))


def curators(town: DemoTown, y: int) -> None:
    """Two schools in three have appointed a mentoring curator by 1 September (measure 2 is not done)."""
    on = date(y, 9, 1)
    if on > town.today:
        return
    for n, org in enumerate(town.schools):
        staff = [s for s in town.active(org) if s.position in ("deputy_director", "senior_teacher", "leading_teacher")
                 and s.since <= on]
        if n % 3 == 2 or not staff:
            continue
        town.add("mentoring", on, men.CuratorAppointed(org_id=org, person_id=staff[0].pid, appointed_on=on),
                 source=f"/demo/michurinsk/{org}/hr")
        town.add("indicators", on, ind.MeasureCompleted(  # the school reports its part of measure 2 («во всех ОО»)
            plan_id=f"michurinsk-{y - 1}-{y + 1}", measure_id="2", completed_on=on, org_id=org,
            evidence="Приказ о назначении куратора наставничества"), source=PLAN_SOURCE)


def cycle(town: DemoTown, plan: ind.PlanAdopted, y: int) -> None:
    """The cycle of this year: recommendations by 30 March (some done), a decision, the review by 31 August,
    the plan's measures due so far done but measure 2 — and no monitoring of last year submitted (overdue)."""
    issued = date(y, 3, 16)
    if issued > town.today:
        return
    recommended = [("training_coverage", "Направить на курсы ПК педагогов, не проходивших обучение три года"),
                   ("young_mentoring_coverage", "Закрепить наставников за всеми молодыми педагогами"),
                   ("pd_requests_met_share", "Согласовать с УМиИЦ план курсов по запросам педагогов")]
    for n, org in enumerate(town.schools):
        code, text = recommended[n % len(recommended)]
        rec_id = f"rec-{y}-{org}"
        town.add("indicators", issued, ind.RecommendationIssued(
            recommendation_id=rec_id, municipality_id="michurinsk", org_id=org, indicators=[code], text=text,
            issued_on=issued, due_on=date(y, 6, 30)), source=PLAN_SOURCE)
        done = issued + timedelta(days=30 + 10 * n)
        if n % 4 != 3 and done <= town.today:
            town.add("indicators", done, ind.RecommendationCompleted(
                recommendation_id=rec_id, completed_on=done, evidence=f"Приказ по школе от {done:%d.%m.%Y}"),
                source=PLAN_SOURCE)
    town.add("indicators", issued, ind.RecommendationIssued(
        recommendation_id=f"rec-{y}-all", municipality_id="michurinsk", indicators=["competition_share"],
        text="Включить выступления педагогов на семинарах в планы методических объединений", issued_on=issued,
        due_on=date(y, 12, 20)), source=PLAN_SOURCE)
    decided = date(y, 4, 10)
    town.add("indicators", decided, ind.DecisionRecorded(
        decision_id=f"dec-{y}-1", municipality_id="michurinsk", title="О назначении кураторов наставничества",
        document=f"Приказ управления образования № 64 от {decided:%d.%m.%Y}", decided_on=decided,
        indicators=["curated_orgs_share", "young_mentoring_coverage"], measure_ids=["2"]), source=PLAN_SOURCE)
    for measure in plan.measures:
        if measure.measure_id != "2" and measure.due_on <= town.today:
            done = measure.due_on - timedelta(days=5)
            town.add("indicators", done, ind.MeasureCompleted(plan_id=plan.plan_id, measure_id=measure.measure_id,
                                                              completed_on=done), source=PLAN_SOURCE)
    reviewed = date(y, 8, 27)
    if reviewed <= town.today:
        town.add("indicators", reviewed, ind.EffectivenessReviewed(
            review_id=f"rev-{y}", municipality_id="michurinsk", year=y, reviewed_on=reviewed, findings=[
                ind.Finding(indicator="young_mentoring_coverage", assessment="effective"),
                ind.Finding(indicator="training_coverage", assessment="partly_effective",
                            comment="Охват растёт, цель года не достигнута")]), source=PLAN_SOURCE)
