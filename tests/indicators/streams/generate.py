"""Write recorded.jsonl: the CloudEvents of two small municipalities, as the services publish them.

Run ``python -m tests.indicators.streams.generate`` after changing it; the file is checked in.
The world (worked through by hand in test_recorded_stream.py):

* region ``rec-reg``; municipality ``rec-mun-a`` (schools rec-a1, rec-a2) and ``rec-mun-b`` (rec-b1, rec-b2);
* each school: ten regular teachers t01…t10 (hired 2015-09-01, career since 2010) whose facts follow
  their number k, and three young teachers y1, y2, y3 with mentoring pairs crossing the W1 edges;
* a handful of special people in each municipality: a transfer, position changes, an employment
  ending and one starting exactly on 2024-12-31, a young teacher who resigned;
* vacancies and reserve enrolments on window boundaries; a plan of rec-mun-a with a target changed later,
  and a survey value it reported;
* after those (so their ids stay), the additions within v1: PD requests, expert roles, the methodical asset,
  curators, the project «Стартуем вместе» and a speaker, on the windows' edges as well.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pedgrowth.contracts import EVENT_MODELS, decode, new_event

HERE = Path(__file__).parent
OUT = HERE / "recorded.jsonl"
NAMESPACE = uuid.UUID("6f1c9d2e-8a41-4c3b-9e57-2b0d4c1a7f00")
MODELS = {m.type_suffix: m for m in EVENT_MODELS.values()}


class Stream:
    """Events in recording order, with ids and times as the relays give them."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.clock = datetime(2025, 1, 20, 8, 0, tzinfo=UTC)

    def add(self, kind: str, /, **data) -> None:
        model = MODELS[kind]
        n = len(self.events)
        envelope = new_event(model(**data), source=f"/pedgrowth/{model.service}",
                             id=str(uuid.uuid5(NAMESPACE, f"{n}")), time=self.clock + timedelta(seconds=n),
                             sequence=str(n + 1))
        decode(envelope)  # every line holds to the contract
        self.events.append(envelope.to_json())


def school(s: Stream, org: str, municipality: str, name: str) -> None:
    s.add("organization_registered", org_id=org, name=name, kind="school", municipality_id=municipality,
          municipality_name={"rec-mun-a": "Город А", "rec-mun-b": "Район Б"}[municipality],
          region_id="rec-reg", region_name="Область")


def regular_teacher(s: Stream, org: str, k: int) -> None:
    p = f"{org}-t{k:02}"
    s.add("employment_started", person_id=p, org_id=org, position="teacher", started_on="2015-09-01",
          pedagogical_experience_since="2010-09-01", education_matches_profile=k <= 7)
    if k % 2 == 1:
        s.add("course_completed", person_id=p, program_id="rec-pk-dist", completed_on="2023-03-15",
              addresses_deficits=["D-METH"])
    if k == 2:
        s.add("course_completed", person_id=p, program_id="rec-pp-inp", completed_on="2022-06-01",
              addresses_deficits=["D-METH"])
    if k <= 4:
        s.add("diagnostics_completed", person_id=p, diagnostics_id=f"diag-{p}", completed_on="2023-02-01",
              deficits=[{"code": "D-METH", "area": "methodical"}] if k <= 3 else [])
    if k <= 3:
        s.add("attestation_passed", person_id=p, category="highest", decided_on="2020-01-15")
    if k == 4:
        s.add("attestation_passed", person_id=p, category="first", decided_on="2019-06-01")
    if k == 5:
        s.add("attestation_passed", person_id=p, category="position_compliance", decided_on="2022-01-01")
    if k <= 2:
        s.add("competition_participated", person_id=p, competition_id="rec-c-2024",
              competition_name="Учитель года", level="municipal", participated_on="2024-05-10", result="participant")
    if k <= 5:
        s.add("community_joined", person_id=p, community_id=f"mo-{org}", community_name="МО учителей",
              kind="methodical_association", level="school", joined_on="2018-09-01")
    if k == 5:
        s.add("community_left", person_id=p, community_id=f"mo-{org}", left_on="2024-06-01")
    if k == 6:
        s.add("independent_assessment_passed", person_id=p, qualification="Учитель", passed_on="2022-03-01")
    if k == 7:
        s.add("route_started", route_id=f"route-{p}", person_id=p, started_on="2024-01-10")
    if k == 8:
        s.add("route_started", route_id=f"route-{p}", person_id=p, started_on="2021-01-01", planned_until="2023-06-30")
        s.add("route_completed", route_id=f"route-{p}", person_id=p, completed_on="2023-06-30")
        s.add("education_profile_recorded", person_id=p, matches_profile=True, recorded_on="2024-03-01")
    if k == 1:
        s.add("education_profile_recorded", person_id=p, matches_profile=False, recorded_on="2024-09-01")
        s.add("mentor_registered", mentor_id=f"m-{org}", person_id=p, registered_on="2021-01-01")
    if k == 10:
        s.add("pair_assigned", pair_id=f"pair-{org}-t10", mentor_id=f"m-{org}", mentee_person_id=p,
              form="peer_group", started_on="2024-06-01")


def young_teachers(s: Stream, org: str) -> None:
    y1, y2, y3 = (f"{org}-y{i}" for i in (1, 2, 3))
    s.add("employment_started", person_id=y1, org_id=org, position="teacher", started_on="2022-09-01",
          pedagogical_experience_since="2022-09-01")
    s.add("employment_started", person_id=y2, org_id=org, position="teacher", started_on="2021-09-01",
          pedagogical_experience_since="2021-09-01")
    s.add("employment_started", person_id=y3, org_id=org, position="teacher", started_on="2023-09-01",
          pedagogical_experience_since="2023-09-01")
    mentor = f"m-{org}"
    s.add("pair_assigned", pair_id=f"pair-{y1}", mentor_id=mentor, mentee_person_id=y1, form="teacher_teacher",
          started_on="2022-09-15")
    s.add("pair_ended", pair_id=f"pair-{y1}", ended_on="2024-01-02", outcome="completed")
    s.add("pair_assigned", pair_id=f"pair-{y3}", mentor_id=mentor, mentee_person_id=y3, form="teacher_teacher",
          started_on="2023-09-15")
    s.add("pair_ended", pair_id=f"pair-{y3}", ended_on="2024-01-01", outcome="terminated")
    s.add("course_completed", person_id=y1, program_id="rec-pk-inp", completed_on="2024-04-01")
    s.add("competition_participated", person_id=y1, competition_id="rec-c-young", competition_name="Педагогический дебют",
          level="municipal", participated_on="2024-12-31", result="laureate")
    s.add("support_event_attended", person_id=y1, event_id="rec-ev-1", event_name="Школа молодого педагога",
          kind="young_teacher_school", attended_on="2023-12-31")
    s.add("support_event_attended", person_id=y3, event_id="rec-ev-2", event_name="Школа молодого педагога",
          kind="young_teacher_school", attended_on="2024-12-31")


def specials_a(s: Stream) -> None:
    hire = {"position": "teacher", "pedagogical_experience_since": "2005-09-01"}
    s.add("employment_started", person_id="rec-a-d1", org_id="rec-a1", started_on="2012-01-01",
          **{**hire, "position": "director"})
    s.add("employment_started", person_id="rec-a-x1", org_id="rec-a1", started_on="2016-09-01", **hire)
    s.add("employment_ended", person_id="rec-a-x1", org_id="rec-a1", ended_on="2024-03-31", reason="transfer")
    s.add("employment_started", person_id="rec-a-x1", org_id="rec-a2", started_on="2024-04-01", **hire)
    s.add("employment_started", person_id="rec-a-x2", org_id="rec-a2", started_on="2014-09-01", **hire)
    s.add("position_changed", person_id="rec-a-x2", org_id="rec-a2", position="director", changed_on="2024-09-01")
    s.add("employment_started", person_id="rec-a-x3", org_id="rec-a1", started_on="2014-09-01", **hire)
    s.add("position_changed", person_id="rec-a-x3", org_id="rec-a1", position="non_pedagogical",
          changed_on="2024-12-31")
    s.add("employment_started", person_id="rec-a-x4", org_id="rec-a2", started_on="2019-01-01", **hire)
    s.add("employment_ended", person_id="rec-a-x4", org_id="rec-a2", ended_on="2024-12-31", reason="retirement")
    s.add("employment_started", person_id="rec-a-x5", org_id="rec-a2", started_on="2024-12-31",
          **{**hire, "pedagogical_experience_since": "2024-12-31"})
    s.add("vacancy_opened", vacancy_id="rec-v-a1", org_id="rec-a2", position="teacher", subject="физика",
          opened_on="2024-12-31")
    s.add("reserve_enrolled", person_id="rec-a1-t05", municipality_id="rec-mun-a", enrolled_on="2023-03-01")
    s.add("reserve_enrolled", person_id="rec-a1-t06", municipality_id="rec-mun-a", enrolled_on="2022-01-01")
    s.add("reserve_left", person_id="rec-a1-t06", municipality_id="rec-mun-a", left_on="2024-12-31",
          reason="appointed")


def specials_b(s: Stream) -> None:
    hire = {"pedagogical_experience_since": "2005-09-01"}
    s.add("employment_started", person_id="rec-b-d1", org_id="rec-b1", position="director",
          started_on="2010-01-01", **hire)
    s.add("employment_started", person_id="rec-b-d2", org_id="rec-b2", position="director",
          started_on="2011-01-01", **hire)
    s.add("employment_started", person_id="rec-b-r1", org_id="rec-b1", position="teacher", started_on="2020-09-01",
          pedagogical_experience_since="2020-09-01")
    s.add("employment_ended", person_id="rec-b-r1", org_id="rec-b1", ended_on="2023-06-30", reason="resignation")
    s.add("vacancy_opened", vacancy_id="rec-v-b1", org_id="rec-b1", position="teacher", opened_on="2024-05-01")
    s.add("vacancy_opened", vacancy_id="rec-v-b2", org_id="rec-b2", position="teacher", opened_on="2023-01-10")
    s.add("vacancy_closed", vacancy_id="rec-v-b2", closed_on="2024-12-31", filled=True)
    s.add("vacancy_opened", vacancy_id="rec-v-b3", org_id="rec-b2", position="methodist", opened_on="2025-01-15")
    s.add("reserve_enrolled", person_id="rec-b1-t05", municipality_id="rec-mun-b", enrolled_on="2024-02-29")


def plans(s: Stream) -> None:
    s.add("plan_adopted", plan_id="rec-plan-a", municipality_id="rec-mun-a", title="План развития кадров",
          period_start="2023-01-01", period_end="2025-12-31",
          targets=[{"indicator": "training_coverage", "year": 2023, "value": 0.6},
                   {"indicator": "training_coverage", "year": 2024, "value": 0.5},
                   {"indicator": "category_share", "year": 2024, "value": 0.3}],
          measures=[{"measure_id": "rec-m1", "title": "Семинар", "due_on": "2024-06-01", "responsible": "ИМЦ"}])
    s.add("value_reported", municipality_id="rec-mun-a", indicator="teacher_readiness", year=2024, value=0.8,
          method="survey")


def additions(s: Stream) -> None:
    """PD requests, expert roles, the asset, curators and a project (hand-worked in test_recorded_stream.py)."""
    for person, request, submitted, met in (("rec-a1-t01", "rq-1", "2024-03-01", "2024-05-01"),
                                            ("rec-a1-t02", "rq-2", "2024-01-01", None),
                                            ("rec-a2-t01", "rq-3", "2023-12-31", "2024-02-01"),
                                            ("rec-a-x4", "rq-4", "2024-06-01", "2024-07-01"),
                                            ("rec-a2-t03", "rq-5", "2024-12-31", "2024-12-31")):
        s.add("pd_request_submitted", request_id=request, person_id=person, direction="digital", submitted_on=submitted)
        if met:
            s.add("pd_request_met", request_id=request, met_on=met)
    for person, role, started, ended in (("rec-a1-t03", "jury", "2023-01-10", "2024-01-02"),
                                         ("rec-a2-t04", "commission", "2024-12-31", None),
                                         ("rec-a2-t05", "commission", "2022-01-01", "2023-12-31")):
        s.add("expert_role_started", person_id=person, role_id=role, role="competition_jury", level="municipal",
              started_on=started)
        if ended:
            s.add("expert_role_ended", person_id=person, role_id=role, ended_on=ended)
    for person, municipality, joined, left in (("rec-a1-t01", "rec-mun-a", "2023-09-01", None),
                                               ("rec-a2-t02", "rec-mun-a", "2023-09-01", "2024-12-31"),
                                               ("rec-b1-t01", "rec-mun-a", "2024-01-01", None),
                                               ("rec-b2-t02", "rec-mun-b", "2024-02-29", None)):
        s.add("asset_joined", person_id=person, municipality_id=municipality, joined_on=joined)
        if left:
            s.add("asset_left", person_id=person, municipality_id=municipality, left_on=left)
    s.add("curator_appointed", org_id="rec-a1", person_id="rec-a1-t01", appointed_on="2023-09-01")
    s.add("curator_appointed", org_id="rec-a2", person_id="rec-a2-t01", appointed_on="2024-01-15")
    s.add("curator_released", org_id="rec-a2", person_id="rec-a2-t01", released_on="2024-12-31")
    s.add("curator_appointed", org_id="rec-b1", person_id="rec-b1-t01", appointed_on="2024-02-29")
    for person, enrolled in (("rec-a1-y1", "2023-09-01"), ("rec-a1-y3", "2023-09-01"), ("rec-a2-y1", "2024-09-01"),
                             ("rec-a1-t01", "2023-09-01")):
        s.add("project_enrolled", person_id=person, project_id="start", project_name="Стартуем вместе",
              enrolled_on=enrolled)
    s.add("project_left", person_id="rec-a1-y3", project_id="start", left_on="2024-06-30", outcome="completed")
    s.add("support_event_attended", person_id="rec-a1-t04", event_id="rec-ev-3", event_name="Семинар",
          kind="seminar", attended_on="2024-10-01", role="speaker")


def build() -> list[dict]:
    s = Stream()
    s.add("provider_registered", provider_id="rec-prov", name="Институт развития образования",
          kind="regional_institute")
    s.add("program_published", program_id="rec-pk-dist", provider_id="rec-prov", title="Цифровая дидактика",
          kind="advanced_training", hours=36, format="distance", in_federal_registry=True)
    s.add("program_published", program_id="rec-pp-inp", provider_id="rec-prov", title="Педагогика",
          kind="retraining", hours=300, format="in_person", in_federal_registry=True)
    s.add("program_published", program_id="rec-pk-inp", provider_id="rec-prov", title="Наставничество",
          kind="advanced_training", hours=24, format="in_person", in_federal_registry=False)
    for org, municipality in (("rec-a1", "rec-mun-a"), ("rec-a2", "rec-mun-a"),
                              ("rec-b1", "rec-mun-b"), ("rec-b2", "rec-mun-b")):
        school(s, org, municipality, f"Школа {org}")
        for k in range(1, 11):
            regular_teacher(s, org, k)
        young_teachers(s, org)
    specials_a(s)
    specials_b(s)
    plans(s)
    s.add("target_set", plan_id="rec-plan-a", indicator="training_coverage", year=2024, value=0.45)
    additions(s)
    return s.events


def main() -> None:
    events = build()
    OUT.write_text("".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in events),
                   encoding="utf-8")
    print(f"{OUT}: {len(events)} events")


if __name__ == "__main__":
    main()
