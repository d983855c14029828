"""The indicators the projection computes: code, Russian name, unit, and how a target is met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """One indicator of SPEC §4 as the API and the report present it."""

    code: str
    name: str
    unit: str  # "share" (numerator / denominator) or "count"
    lower_is_better: bool = False
    organization_scope: bool = True


INDICATORS: tuple[Definition, ...] = (
    Definition("training_coverage", "Доля педагогов, прошедших обучение по ДПП (ПК или ПП) за 3 года", "share"),
    Definition("digital_training_coverage",
               "Доля педагогов, прошедших ДПП с применением дистанционных технологий", "share"),
    Definition("diagnostics_coverage", "Доля педагогов, прошедших диагностику профессиональных дефицитов", "share"),
    Definition("deficit_targeted_training", "Доля педагогов, прошедших ПК по выявленным дефицитам", "share"),
    Definition("individual_route_coverage", "Доля педагогов, работающих по ИОМ", "share"),
    Definition("retraining_count", "Число педагогов, прошедших профессиональную переподготовку", "count"),
    Definition("category_share", "Доля педагогов с первой или высшей категорией", "share"),
    Definition("young_mentoring_coverage", "Доля молодых педагогов — наставляемых", "share"),
    Definition("mentors_count", "Число наставников", "count"),
    Definition("competition_share", "Доля педагогов — участников конкурсов профмастерства", "share"),
    Definition("young_competition_share", "Доля молодых педагогов — участников конкурсов", "share"),
    Definition("young_support_share", "Доля молодых педагогов, участвующих в совместных мероприятиях", "share"),
    Definition("young_training_coverage", "Доля молодых педагогов, освоивших ДПП", "share"),
    Definition("young_retention_3y", "Сохранность молодых педагогов через 3 года", "share"),
    Definition("reserve_ratio", "Кадровый резерв руководителей к числу руководителей", "share",
               organization_scope=False),
    Definition("community_coverage", "Доля педагогов — членов профессиональных сообществ и МО", "share"),
    Definition("profile_education_share",
               "Доля педагогов с образованием по профилю преподаваемого предмета", "share"),
    Definition("independent_assessment_share",
               "Доля педагогов, прошедших независимую оценку квалификации", "share"),
    Definition("open_vacancies", "Число открытых вакансий", "count", lower_is_better=True),
    Definition("staffing_ratio", "Коэффициент кадровой обеспеченности", "share"),
)

BY_CODE: dict[str, Definition] = {d.code: d for d in INDICATORS}
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
