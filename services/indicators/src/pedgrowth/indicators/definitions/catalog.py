"""The indicators of SPEC §4 and §4.1 that today's events measure, one entry each."""

from __future__ import annotations

from dataclasses import dataclass, field

from .dimensions import Variant

ALL_SCOPES = ("organization", "municipality", "region")
WIDE_SCOPES = ("municipality", "region")
STAFF_KINDS = ("organization_registered", "employment_started", "employment_ended", "position_changed")
"""The event kinds STAFF(D, S) depends on (and so every indicator over persons)."""


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it is called, what it counts among whom, on which scopes, and its variants.

    ``among`` names the denominator set (None for a count), ``condition`` what puts a member of it
    in the numerator; both are written out once in the engine and once in the test oracle.
    ``default`` holds the default value of every dimension of §4.2 that applies (None: does not).
    """

    code: str
    name: str
    unit: str  # "share" (numerator / denominator) or "count"
    among: str | None
    condition: str
    depends_on: tuple[str, ...]
    default: Variant = field(default_factory=Variant)
    entity: str = "person"  # whose contributions are summed: person, mentor, vacancy, organization
    lower_is_better: bool = False
    scopes: tuple[str, ...] = ALL_SCOPES
    denominator_adds: str | None = None  # another indicator's numerator added below the line
    seed: str = ""  # where §4.1's indicators come from
    above_one: bool = False  # a ratio whose numerator is not part of its denominator (reserve_ratio)
    measured_after: int = 0  # years after a cohort's year the outcome is measured: a plan's target may lie that
    # far after its period (003's «сохранность … по истечении трех лет»); the plan's variant holds there too

    def applies_to(self, scope_kind: str) -> bool:
        return scope_kind in self.scopes

    @property
    def most(self) -> float | None:
        """The largest value the indicator can take: 1 for a share of its denominator, else unbounded."""
        return 1.0 if self.unit == "share" and not self.above_one else None


def _staff(*kinds: str) -> tuple[str, ...]:
    return STAFF_KINDS + kinds


PEOPLE = Variant(population="pedagogical")
W3 = Variant(window="rolling_3y", population="pedagogical")
W1 = Variant(window="rolling_1y", population="pedagogical")
YOUNG = Variant(population="pedagogical", young="experience_under_3y", cohort="all_young")
YOUNG_W1 = Variant(window="rolling_1y", population="pedagogical", young="experience_under_3y", cohort="all_young")
YOUNG_W3 = Variant(window="rolling_3y", population="pedagogical", young="experience_under_3y", cohort="all_young")
COURSES = ("course_completed",)
PROGRAMMES = ("program_published", "course_completed")
PROJECTS = ("project_enrolled", "project_left")
"""What cohort = project:<id> and support = project:<id> read."""
SPEAKING = ("support_event_attended",)
"""What competition = competitions_and_speaking also reads."""

INDICATORS: tuple[Indicator, ...] = (
    Indicator("training_coverage", "Доля педагогов, прошедших обучение по ДПП (ПК или ПП) за 3 года", "share",
              "staff", "courses", _staff(*COURSES), W3),
    Indicator("digital_training_coverage", "Доля педагогов, прошедших ДПП с применением дистанционных технологий",
              "share", "staff", "digital_courses", _staff(*PROGRAMMES), W3),
    Indicator("diagnostics_coverage", "Доля педагогов, прошедших диагностику профессиональных дефицитов", "share",
              "staff", "diagnostics", _staff("diagnostics_completed"), W3),
    Indicator("deficit_targeted_training", "Доля педагогов, прошедших ПК по выявленным дефицитам", "share",
              "staff_with_deficit", "deficit_training", _staff("diagnostics_completed", *COURSES), W3),
    Indicator("individual_route_coverage", "Доля педагогов, работающих по ИОМ", "share",
              "staff", "route", _staff("route_started", "route_completed"), PEOPLE),
    Indicator("retraining_count", "Число педагогов, прошедших профессиональную переподготовку", "count",
              None, "retraining_courses", _staff(*PROGRAMMES), W3),
    Indicator("category_share", "Доля педагогов с первой или высшей категорией", "share",
              "staff", "category", _staff("attestation_passed"), PEOPLE),
    Indicator("young_mentoring_coverage", "Доля молодых педагогов — наставляемых", "share",
              "young", "mentee_in_w1", _staff("pair_assigned", "pair_ended", *PROJECTS), YOUNG),
    Indicator("mentors_count", "Число наставников", "count",
              None, "active_mentor", _staff("pair_assigned", "pair_ended"), PEOPLE, entity="mentor"),
    Indicator("competition_share", "Доля педагогов — участников конкурсов профмастерства", "share",
              "staff", "competitions", _staff("competition_participated", *SPEAKING),
              Variant(window="rolling_1y", population="pedagogical", competition="competitions")),
    Indicator("young_competition_share", "Доля молодых педагогов — участников конкурсов", "share",
              "young", "competitions", _staff("competition_participated", *SPEAKING, *PROJECTS),
              Variant(window="rolling_1y", population="pedagogical", young="experience_under_3y",
                      competition="competitions", cohort="all_young")),
    Indicator("young_support_share", "Доля молодых педагогов, участвующих в совместных мероприятиях", "share",
              "young", "support", _staff("support_event_attended", "pair_assigned", "pair_ended",
                                         "community_joined", "community_left", *PROJECTS),
              Variant(window="rolling_1y", population="pedagogical", young="experience_under_3y",
                      support="support_events", cohort="all_young")),
    Indicator("young_training_coverage", "Доля молодых педагогов, освоивших ДПП", "share",
              "young", "courses", _staff(*COURSES, *PROJECTS), YOUNG_W3),
    Indicator("young_retention_3y", "Сохранность молодых педагогов через 3 года", "share",
              "young_3y_before", "in_staff", _staff(*PROJECTS), YOUNG, measured_after=3),
    Indicator("reserve_ratio", "Кадровый резерв руководителей к числу руководителей", "share",
              "heads", "reserve", _staff("reserve_enrolled", "reserve_left"), scopes=WIDE_SCOPES, above_one=True),
    Indicator("community_coverage", "Доля педагогов — членов профессиональных сообществ и МО", "share",
              "staff", "community", _staff("community_joined", "community_left"), PEOPLE),
    Indicator("profile_education_share", "Доля педагогов с образованием по профилю преподаваемого предмета",
              "share", "staff", "profile_match", _staff("education_profile_recorded"), PEOPLE),
    Indicator("independent_assessment_share", "Доля педагогов, прошедших независимую оценку квалификации",
              "share", "staff", "assessments", _staff("independent_assessment_passed"), W3),
    Indicator("open_vacancies", "Число открытых вакансий", "count",
              None, "open_vacancy", ("organization_registered", "vacancy_opened", "vacancy_closed"),
              entity="vacancy", lower_is_better=True),
    Indicator("staffing_ratio", "Коэффициент кадровой обеспеченности", "share",
              "staff", "in_staff", _staff("vacancy_opened", "vacancy_closed"), PEOPLE,
              denominator_adds="open_vacancies"),
    # SPEC §4.1: the eight that today's events measure
    Indicator("burnout_prevention_reach", "Доля педагогов, охваченных профилактикой профессионального выгорания",
              "share", "staff", "burnout_support", _staff("support_event_attended"), W1, seed="002 №22, 004"),
    Indicator("attestation_share_w1", "Доля педагогов, прошедших аттестацию за год", "share",
              "staff", "attestation", _staff("attestation_passed"), W1, seed="001"),
    Indicator("categories_expiring_count", "Число педагогов, у которых категория истекает в ближайшие 6 месяцев",
              "count", None, "category_expiring", _staff("attestation_passed"), PEOPLE, seed="000, 003"),
    Indicator("staff_turnover", "Текучесть педагогических кадров", "share",
              "staff_1y_before", "left_staff", _staff(), PEOPLE, lower_is_better=True, seed="004"),
    Indicator("young_inflow_share", "Доля молодых специалистов среди принятых за год", "share",
              "hires_in_w1", "young_at_hire", _staff(),
              Variant(population="pedagogical", young="experience_under_3y"), seed="001"),
    Indicator("age_60_plus_share", "Доля педагогов в возрасте 60 лет и старше", "share",
              "staff", "age_60_plus", _staff(), PEOPLE, seed="004"),
    Indicator("orgs_with_vacancies_share", "Доля ОО, испытывающих потребность в кадрах", "share",
              "orgs_with_staff", "org_open_vacancy", _staff("vacancy_opened", "vacancy_closed"),
              entity="organization", lower_is_better=True, scopes=WIDE_SCOPES, seed="004"),
    Indicator("employer_mentors_count", "Число наставников из числа работодателей", "count",
              None, "employer_mentor", _staff("mentor_registered", "pair_assigned", "pair_ended"), PEOPLE,
              entity="mentor", seed="004"),
    # SPEC §4.1: the five that the additions within v1 measure
    Indicator("pd_requests_met_share", "Доля запросов педагогов на направления ПК, удовлетворённых", "share",
              "requests_in_window", "request_met", _staff("pd_request_submitted", "pd_request_met"), W1,
              entity="request", seed="002 №4"),
    Indicator("expert_involvement_share", "Доля педагогов, вовлечённых в экспертную деятельность", "share",
              "staff", "expert_in_w1", _staff("expert_role_started", "expert_role_ended"), PEOPLE, seed="002"),
    Indicator("methodical_asset_count", "Численность методического актива", "count",
              None, "asset", _staff("asset_joined", "asset_left", "organization_registered"), PEOPLE,
              scopes=WIDE_SCOPES, seed="002"),
    Indicator("curated_orgs_share", "Доля ОО, в которых назначен куратор наставничества", "share",
              "orgs_with_staff", "org_curated", _staff("curator_appointed", "curator_released"),
              entity="organization", scopes=WIDE_SCOPES, seed="004"),
    Indicator("project_participation_share", "Доля молодых педагогов — участников муниципального проекта", "share",
              "young", "project", _staff(*PROJECTS), Variant(population="pedagogical", young="experience_under_3y"),
              seed="003, 004"),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}
CODES: tuple[str, ...] = tuple(BY_CODE)


def status(value: float | None, target: float | None, lower_is_better: bool = False) -> str:
    """met / behind against the target; no_target without one; no_data when there is no value."""
    if target is None:
        return "no_target"
    if value is None:
        return "no_data"
    met = value <= target if lower_is_better else value >= target
    return "met" if met else "behind"


def share(numerator: int, denominator: int) -> float | None:
    """numerator / denominator rounded to 4 decimals; None when the denominator is 0."""
    return round(numerator / denominator, 4) if denominator else None
