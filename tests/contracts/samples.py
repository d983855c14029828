"""One valid `data` per event type, all about the same small municipality, for tests to reuse.

School "sch-1" is in municipality "mun-1" of region "reg-1". Teacher "p-1" (a young
teacher since 2021) is mentored by "m-1", who is staff member "p-2"; "p-4" went from the
managers' reserve to a post and "p-5" retired. Programme "prog-1" of provider "prov-1"
addresses deficit "D-METH-01" that diagnostics "diag-1" found for "p-1"; plan "plan-1"
of "mun-1" has measure "meas-1". "p-1" asked for methodical PD ("req-1"), met by "prog-1", and took part in
the project «Стартуем вместе» ("proj-1"); "p-2" sat on the attestation commission ("role-1"), was in the
municipal methodical asset and was the mentoring curator of "sch-1".
"""

from datetime import UTC, datetime
from typing import Any

SAMPLES: dict[str, dict[str, Any]] = {
    # registry
    "pedgrowth.registry.organization_registered.v1": {
        "org_id": "sch-1",
        "name": "МБОУ «Средняя общеобразовательная школа № 1»",
        "kind": "school",
        "municipality_id": "mun-1",
        "municipality_name": "Городской округ Мичуринск",
        "region_id": "reg-1",
        "region_name": "Тамбовская область",
    },
    "pedgrowth.registry.employment_started.v1": {
        "person_id": "p-1",
        "org_id": "sch-1",
        "position": "teacher",
        "started_on": "2021-09-01",
        "pedagogical_experience_since": "2021-09-01",
        "birth_date": "1998-04-12",
        "subjects": ["математика", "информатика"],
        "education_matches_profile": True,
    },
    "pedgrowth.registry.employment_ended.v1": {
        "person_id": "p-5",
        "org_id": "sch-1",
        "ended_on": "2024-06-30",
        "reason": "retirement",
    },
    "pedgrowth.registry.position_changed.v1": {
        "person_id": "p-2",
        "org_id": "sch-1",
        "position": "leading_teacher",
        "changed_on": "2023-09-01",
    },
    "pedgrowth.registry.education_profile_recorded.v1": {
        "person_id": "p-1",
        "matches_profile": True,
        "recorded_on": "2023-01-15",
    },
    "pedgrowth.registry.vacancy_opened.v1": {
        "vacancy_id": "vac-1",
        "org_id": "sch-1",
        "position": "teacher",
        "subject": "физика",
        "opened_on": "2024-05-20",
    },
    "pedgrowth.registry.vacancy_closed.v1": {
        "vacancy_id": "vac-1",
        "closed_on": "2024-08-26",
        "filled": True,
    },
    "pedgrowth.registry.reserve_enrolled.v1": {
        "person_id": "p-4",
        "municipality_id": "mun-1",
        "enrolled_on": "2022-03-01",
    },
    "pedgrowth.registry.reserve_left.v1": {
        "person_id": "p-4",
        "municipality_id": "mun-1",
        "left_on": "2024-08-15",
        "reason": "appointed",
    },
    # training
    "pedgrowth.training.provider_registered.v1": {
        "provider_id": "prov-1",
        "name": "ТОГОАУ ДПО «Институт повышения квалификации работников образования»",
        "kind": "regional_institute",
    },
    "pedgrowth.training.program_published.v1": {
        "program_id": "prog-1",
        "provider_id": "prov-1",
        "title": "Формирование функциональной грамотности на уроках математики",
        "kind": "advanced_training",
        "hours": 36,
        "format": "blended",
        "topics": ["функциональная грамотность", "методика"],
        "in_federal_registry": True,
    },
    "pedgrowth.training.course_completed.v1": {
        "person_id": "p-1",
        "program_id": "prog-1",
        "completed_on": "2023-11-24",
        "certificate_number": "682418765432",
        "addresses_deficits": ["D-METH-01"],
    },
    "pedgrowth.training.diagnostics_completed.v1": {
        "person_id": "p-1",
        "diagnostics_id": "diag-1",
        "completed_on": "2023-10-02",
        "deficits": [
            {"code": "D-METH-01", "area": "methodical"},
            {"code": "D-DIG-02", "area": "digital"},
        ],
    },
    "pedgrowth.training.route_started.v1": {
        "route_id": "route-1",
        "person_id": "p-1",
        "started_on": "2023-10-10",
        "planned_until": "2024-05-31",
    },
    "pedgrowth.training.route_completed.v1": {
        "route_id": "route-1",
        "person_id": "p-1",
        "completed_on": "2024-05-28",
    },
    "pedgrowth.training.attestation_passed.v1": {
        "person_id": "p-2",
        "category": "highest",
        "decided_on": "2022-12-20",
        "valid_until": "2027-12-20",
    },
    "pedgrowth.training.competition_participated.v1": {
        "person_id": "p-1",
        "competition_id": "comp-2024-1",
        "competition_name": "Педагогический дебют — 2024",
        "level": "municipal",
        "participated_on": "2024-02-15",
        "result": "laureate",
    },
    "pedgrowth.training.independent_assessment_passed.v1": {
        "person_id": "p-2",
        "qualification": "Учитель математики (7-й уровень квалификации)",
        "passed_on": "2023-04-11",
    },
    "pedgrowth.training.pd_request_submitted.v1": {
        "request_id": "req-1",
        "person_id": "p-1",
        "direction": "methodical",
        "topic": "Формирующее оценивание на уроках математики",
        "submitted_on": "2023-09-05",
    },
    "pedgrowth.training.pd_request_met.v1": {
        "request_id": "req-1",
        "met_on": "2023-11-24",
        "program_id": "prog-1",
    },
    # mentoring
    "pedgrowth.mentoring.mentor_registered.v1": {
        "mentor_id": "m-1",
        "person_id": "p-2",
        "registered_on": "2021-09-10",
    },
    "pedgrowth.mentoring.pair_assigned.v1": {
        "pair_id": "pair-1",
        "mentor_id": "m-1",
        "mentee_person_id": "p-1",
        "form": "teacher_teacher",
        "started_on": "2021-09-15",
        "program": "Программа наставничества «Стартуем вместе»",
    },
    "pedgrowth.mentoring.pair_ended.v1": {
        "pair_id": "pair-1",
        "ended_on": "2023-06-30",
        "outcome": "completed",
    },
    "pedgrowth.mentoring.community_joined.v1": {
        "person_id": "p-1",
        "community_id": "mo-math-1",
        "community_name": "Городское методическое объединение учителей математики",
        "kind": "methodical_association",
        "level": "municipal",
        "joined_on": "2022-09-01",
    },
    "pedgrowth.mentoring.community_left.v1": {
        "person_id": "p-1",
        "community_id": "mo-math-1",
        "left_on": "2024-08-31",
    },
    "pedgrowth.mentoring.support_event_attended.v1": {
        "person_id": "p-1",
        "event_id": "ev-1",
        "event_name": "Школа молодого педагога: первое родительское собрание",
        "kind": "young_teacher_school",
        "attended_on": "2024-03-21",
    },
    "pedgrowth.mentoring.expert_role_started.v1": {
        "person_id": "p-2",
        "role_id": "role-1",
        "role": "attestation_commission",
        "level": "municipal",
        "started_on": "2023-01-10",
    },
    "pedgrowth.mentoring.expert_role_ended.v1": {
        "person_id": "p-2",
        "role_id": "role-1",
        "ended_on": "2024-12-31",
    },
    "pedgrowth.mentoring.asset_joined.v1": {
        "person_id": "p-2",
        "municipality_id": "mun-1",
        "joined_on": "2022-09-01",
        "role": "Руководитель городского МО учителей математики",
    },
    "pedgrowth.mentoring.asset_left.v1": {
        "person_id": "p-2",
        "municipality_id": "mun-1",
        "left_on": "2024-08-31",
    },
    "pedgrowth.mentoring.project_enrolled.v1": {
        "person_id": "p-1",
        "project_id": "proj-1",
        "project_name": "Стартуем вместе",
        "enrolled_on": "2021-09-15",
    },
    "pedgrowth.mentoring.project_left.v1": {
        "person_id": "p-1",
        "project_id": "proj-1",
        "left_on": "2024-06-30",
        "outcome": "completed",
    },
    "pedgrowth.mentoring.curator_appointed.v1": {
        "org_id": "sch-1",
        "person_id": "p-2",
        "appointed_on": "2021-09-01",
    },
    "pedgrowth.mentoring.curator_released.v1": {
        "org_id": "sch-1",
        "person_id": "p-2",
        "released_on": "2024-08-31",
    },
    # indicators
    "pedgrowth.indicators.plan_adopted.v1": {
        "plan_id": "plan-1",
        "municipality_id": "mun-1",
        "title": "План мероприятий по развитию системы профессионального роста педагогов",
        "period_start": "2020-01-01",
        "period_end": "2024-12-31",
        "targets": [
            {"indicator": "training_coverage", "year": 2023, "value": 0.4},
            {"indicator": "training_coverage", "year": 2024, "value": 0.5},
            {"indicator": "young_mentoring_coverage", "year": 2024, "value": 0.7},
        ],
        "measures": [
            {
                "measure_id": "meas-1",
                "title": "Мониторинг профессиональных дефицитов педагогов",
                "due_on": "2024-01-20",
                "responsible": "МКУ «Информационно-методический центр»",
                "expected_result": "Аналитическая справка по итогам мониторинга",
            }
        ],
    },
    "pedgrowth.indicators.target_set.v1": {
        "plan_id": "plan-1",
        "indicator": "community_coverage",
        "year": 2024,
        "value": 0.6,
    },
    "pedgrowth.indicators.baseline_set.v1": {
        "plan_id": "plan-1",
        "indicator": "community_coverage",
        "year": 2021,
        "value": 0.35,
    },
    "pedgrowth.indicators.value_reported.v1": {
        "municipality_id": "mun-1",
        "indicator": "teacher_readiness",
        "year": 2023,
        "value": 0.8,
        "method": "survey",
    },
    "pedgrowth.indicators.measure_completed.v1": {
        "plan_id": "plan-1",
        "measure_id": "meas-1",
        "completed_on": "2024-01-18",
        "evidence": "Приказ управления образования № 12 от 18.01.2024",
    },
    "pedgrowth.indicators.recommendation_issued.v1": {
        "recommendation_id": "rec-1",
        "municipality_id": "mun-1",
        "org_id": "sch-1",
        "indicators": ["young_mentoring_coverage"],
        "text": "Закрепить наставников за всеми молодыми педагогами школы",
        "issued_on": "2024-03-25",
        "due_on": "2024-09-01",
    },
    "pedgrowth.indicators.recommendation_completed.v1": {
        "recommendation_id": "rec-1",
        "completed_on": "2024-08-30",
        "evidence": "Приказ по школе № 45 о закреплении наставников",
    },
    "pedgrowth.indicators.decision_recorded.v1": {
        "decision_id": "dec-1",
        "municipality_id": "mun-1",
        "title": "О развитии наставничества в общеобразовательных организациях",
        "document": "Приказ управления образования № 88 от 10.04.2024",
        "decided_on": "2024-04-10",
        "indicators": ["young_mentoring_coverage", "mentors_count"],
        "measure_ids": ["meas-1"],
    },
    "pedgrowth.indicators.effectiveness_reviewed.v1": {
        "review_id": "rev-2024",
        "municipality_id": "mun-1",
        "year": 2024,
        "reviewed_on": "2024-08-28",
        "findings": [
            {"indicator": "young_mentoring_coverage", "assessment": "effective"},
            {"indicator": "training_coverage", "assessment": "partly_effective",
             "comment": "Охват вырос, но цель года не достигнута"},
        ],
    },
    "pedgrowth.indicators.monitoring_submitted.v1": {
        "submission_id": "mon-mun-1-2023",
        "municipality_id": "mun-1",
        "year": 2023,
        "as_of": "2023-12-31",
        "submitted_on": "2024-01-18",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "positions": {"registry.events": {"0": 120, "1": 98, "2": 110}, "training.events": {"0": 40}},
    },
}

SOURCE = "/schools/sch-1/hr"
TIME = datetime(2024, 9, 1, 9, 30, tzinfo=UTC)


def sample_envelope(event_type: str, **overrides: Any) -> dict[str, Any]:
    """A valid CloudEvent (as a JSON object) carrying the sample data of a type."""
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": f"sample-{event_type}",
        "source": SOURCE,
        "type": event_type,
        "time": TIME.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": dict(SAMPLES[event_type]),
    }
    envelope.update(overrides)
    return envelope
