"""Each indicator of SPEC §4 on small fact sets, at the edges of its windows."""

from datetime import date

import pytest
from pedgrowth.contracts.scope import Scope

from tests.indicators.builders import course, evaluate, facts_of, hired, left, org, program, record

MUN = Scope("municipality", "mun-1")
D = date(2024, 12, 31)


def answer(facts, code, d=D, scope=MUN):
    outcome = evaluate(facts, scope, d)[code]
    return outcome.numerator_count, outcome.denominator_count


def school(*more):
    """sch-1 in mun-1 with one teacher p-1 (experienced) and one young teacher y-1."""
    return facts_of(org(), hired("p-1", "2010-09-01"), hired("y-1", "2023-09-01", since="2023-09-01"), *more)


@pytest.mark.parametrize(("completed", "counted"), [
    ("2021-12-31", False),  # exactly D − 3 years: outside W3
    ("2022-01-01", True),
    ("2024-12-31", True),  # D itself
    ("2025-01-01", False),
])
def test_training_coverage_counts_courses_in_the_three_years_up_to_d(completed, counted):
    facts = school(program(), course("p-1", completed))
    assert answer(facts, "training_coverage") == (1 if counted else 0, 2)


def test_w3_of_29_february_starts_after_28_february():
    facts = school(program(), course("p-1", "2021-02-28"), course("y-1", "2021-03-01"))
    facts.add(hired("y-1", "2020-01-01", since="2020-01-01"))
    assert evaluate(facts, MUN, date(2024, 2, 29))["training_coverage"].numerator == {"y-1"}


def test_w1_of_28_february_after_a_leap_year_includes_29_february():
    facts = school(*[record("competition_participated", person_id=p, competition_id="c", competition_name="Учитель года",
                            level="municipal", participated_on=on, result="participant")
                     for p, on in (("p-1", "2024-02-28"), ("y-1", "2024-02-29"))])
    assert evaluate(facts, MUN, date(2025, 2, 28))["competition_share"].numerator == {"y-1"}


def test_digital_and_retraining_follow_the_programme_format_and_kind():
    facts = school(program("dist", format="distance"), program("pp", kind="retraining", format="blended"),
                   program("inp"), course("p-1", "2024-05-01", "dist"), course("y-1", "2024-05-01", "inp"),
                   course("y-1", "2022-01-01", "pp"), course("p-1", "2024-05-01", "unknown-programme"))
    assert answer(facts, "digital_training_coverage") == (2, 2)
    assert answer(facts, "retraining_count") == (1, None)
    assert evaluate(facts, MUN, D)["retraining_count"].value == 1.0
    assert answer(facts, "training_coverage") == (2, 2)


def test_diagnostics_coverage_and_deficit_targeted_training():
    def diag(person, on, *codes):
        return record("diagnostics_completed", person_id=person, diagnostics_id="dg", completed_on=on,
                      deficits=[{"code": c, "area": "methodical"} for c in codes])
    facts = school(program(), org("sch-2"),
                   hired("a", "2010-01-01", "sch-2"), hired("b", "2010-01-01", "sch-2"),
                   hired("c", "2010-01-01", "sch-2"), hired("e", "2010-01-01", "sch-2"),
                   diag("p-1", "2024-03-01", "D1"), course("p-1", "2024-03-01", addresses_deficits=["D1"]),
                   diag("y-1", "2024-03-01", "D1"), course("y-1", "2024-02-28", addresses_deficits=["D1"]),
                   diag("a", "2024-03-01", "D1", "D2"), course("a", "2024-06-01", addresses_deficits=["D3"]),
                   diag("b", "2024-03-01"), course("b", "2024-06-01", addresses_deficits=["D1"]),
                   diag("c", "2021-12-31", "D1"), course("c", "2024-06-01", addresses_deficits=["D1"]))
    assert answer(facts, "diagnostics_coverage") == (4, 6)  # c's diagnostics is outside W3
    assert evaluate(facts, MUN, D)["deficit_targeted_training"].numerator == {"p-1"}
    assert answer(facts, "deficit_targeted_training") == (1, 3)  # p-1, y-1, a found deficits


def test_individual_route_is_counted_while_active_or_completed_within_w1():
    def route(rid, person, started, completed=None):
        out = [record("route_started", route_id=rid, person_id=person, started_on=started)]
        if completed:
            out.append(record("route_completed", route_id=rid, person_id=person, completed_on=completed))
        return out
    facts = school(org("sch-2"), hired("a", "2010-01-01", "sch-2"), hired("b", "2010-01-01", "sch-2"),
                   *route("r1", "p-1", "2022-01-01", "2023-12-31"),  # completed on D − 1y: before W1
                   *route("r2", "y-1", "2022-01-01", "2024-01-01"),  # first day of W1
                   *route("r3", "a", "2024-12-31"),  # started on D
                   *route("r4", "b", "2024-06-01", "2025-03-01"))  # completed after D: active at D
    assert evaluate(facts, MUN, D)["individual_route_coverage"].numerator == {"y-1", "a", "b"}


def test_category_share_counts_a_valid_first_or_higher_category():
    def attest(person, category, decided, until=None):
        return record("attestation_passed", person_id=person, category=category, decided_on=decided,
                      **({"valid_until": until} if until else {}))
    facts = school(org("sch-2"), hired("a", "2010-01-01", "sch-2"), hired("b", "2010-01-01", "sch-2"),
                   attest("p-1", "highest", "2019-12-31"),  # valid until 2024-12-31 = D: expired
                   attest("y-1", "first", "2024-12-31"),  # decided on D
                   attest("a", "position_compliance", "2023-01-01"),
                   attest("b", "pedagogue_mentor", "2020-01-01", "2025-01-01"))
    assert evaluate(facts, MUN, D)["category_share"].numerator == {"y-1", "b"}
    assert answer(facts, "category_share") == (2, 4)


def pair(pid, mentor, mentee, started, ended=None):
    out = [record("pair_assigned", pair_id=pid, mentor_id=mentor, mentee_person_id=mentee,
                  form="teacher_teacher", started_on=started)]
    if ended:
        out.append(record("pair_ended", pair_id=pid, ended_on=ended, outcome="completed"))
    return out


def test_young_mentoring_needs_a_pair_active_on_a_day_of_w1():
    young = [hired(p, "2023-09-01", since="2023-09-01") for p in ("y-2", "y-3", "y-4")]
    facts = school(*young, *pair("a", "m-1", "y-1", "2023-01-01", "2024-01-01"),  # last day 2023-12-31
                   *pair("b", "m-1", "y-2", "2023-01-01", "2024-01-02"),  # active on 2024-01-01
                   *pair("c", "m-2", "y-3", "2024-12-31"),  # starts on D
                   *pair("d", "m-2", "y-4", "2025-01-01"))
    assert evaluate(facts, MUN, D)["young_mentoring_coverage"].numerator == {"y-2", "y-3"}
    assert answer(facts, "young_mentoring_coverage") == (2, 4)


def test_mentors_count_counts_distinct_mentors_of_active_pairs_with_staff_mentees():
    facts = school(*pair("a", "m-1", "p-1", "2024-01-01"), *pair("b", "m-1", "y-1", "2024-01-01"),
                   *pair("c", "m-2", "y-1", "2023-01-01", "2024-12-31"),  # ends on D
                   *pair("d", "m-3", "outsider", "2024-01-01"))
    assert evaluate(facts, MUN, D)["mentors_count"].numerator == {"m-1"}
    assert answer(facts, "mentors_count") == (1, None)


def test_young_shares_of_competitions_support_and_training():
    facts = school(program(), hired("y-2", "2024-09-01", since="2024-09-01"),
                   record("competition_participated", person_id="y-1", competition_id="c", competition_name="К",
                          level="regional", participated_on="2024-01-01", result="winner"),
                   record("competition_participated", person_id="p-1", competition_id="c", competition_name="К",
                          level="regional", participated_on="2023-12-31", result="winner"),
                   record("support_event_attended", person_id="y-2", event_id="e", event_name="ШМП",
                          kind="young_teacher_school", attended_on="2024-12-31"),
                   course("y-2", "2024-11-01"))
    assert answer(facts, "competition_share") == (1, 3)
    assert answer(facts, "young_competition_share") == (1, 2)
    assert answer(facts, "young_support_share") == (1, 2)
    assert answer(facts, "young_training_coverage") == (1, 2)


def test_young_retention_follows_the_young_of_three_years_ago():
    facts = school(hired("y-0", "2021-09-01", since="2021-09-01"), left("y-0", "2023-06-30"),
                   hired("y-9", "2021-09-01", since="2021-09-01"),
                   hired("old", "2021-09-01", since="2018-12-31"))  # exactly 3 years before then: not young
    # at 2021-12-31 the young were y-0 and y-9 (y-1 not yet hired); y-9 stayed
    assert evaluate(facts, MUN, D)["young_retention_3y"].numerator == {"y-9"}
    assert answer(facts, "young_retention_3y") == (1, 2)


def test_reserve_ratio_against_heads_and_not_for_an_organisation():
    def enrol(person, municipality, on):
        return record("reserve_enrolled", person_id=person, municipality_id=municipality, enrolled_on=on)
    facts = school(org("sch-2", "mun-2"), hired("dir-1", "2010-01-01", position="director"),
                   hired("dir-2", "2010-01-01", "sch-2", position="director"),
                   enrol("r-1", "mun-1", "2024-12-31"), enrol("r-2", "mun-1", "2023-01-01"),
                   record("reserve_left", person_id="r-2", municipality_id="mun-1", left_on="2024-12-31",
                          reason="appointed"),
                   enrol("r-3", "mun-2", "2020-01-01"), enrol("r-4", "mun-9", "2020-01-01"))
    assert answer(facts, "reserve_ratio") == (1, 1)
    assert answer(facts, "reserve_ratio", scope=Scope("region", "reg-1")) == (2, 2)
    assert evaluate(facts, Scope("organization", "sch-1"), D)["reserve_ratio"].value is None


def test_community_membership_active_at_d():
    def join(person, community, on):
        return record("community_joined", person_id=person, community_id=community, community_name="МО",
                      kind="methodical_association", level="school", joined_on=on)
    facts = school(join("p-1", "mo-1", "2024-12-31"), join("y-1", "mo-1", "2024-01-01"),
                   record("community_left", person_id="y-1", community_id="mo-1", left_on="2024-12-31"))
    assert evaluate(facts, MUN, D)["community_coverage"].numerator == {"p-1"}


def test_profile_education_latest_record_else_the_employment_value_unknown_does_not_match():
    facts = facts_of(org(), hired("a", "2010-01-01", education_matches_profile=False),
                     record("education_profile_recorded", person_id="a", matches_profile=True, recorded_on="2024-12-31"),
                     hired("b", "2010-01-01", education_matches_profile=True),
                     record("education_profile_recorded", person_id="b", matches_profile=False, recorded_on="2025-01-01"),
                     hired("c", "2010-01-01"),
                     hired("e", "2010-01-01", education_matches_profile=True),
                     record("education_profile_recorded", person_id="e", matches_profile=False, recorded_on="2015-01-01"))
    assert evaluate(facts, MUN, D)["profile_education_share"].numerator == {"a", "b"}
    assert answer(facts, "profile_education_share", d=date(2024, 12, 30)) == (1, 4)


def test_independent_assessment_in_w3():
    facts = school(record("independent_assessment_passed", person_id="p-1", qualification="Педагог",
                          passed_on="2022-01-01"),
                   record("independent_assessment_passed", person_id="y-1", qualification="Педагог",
                          passed_on="2021-12-31"))
    assert answer(facts, "independent_assessment_share") == (1, 2)


def test_open_vacancies_and_staffing_ratio():
    def opened(vid, on, org_id="sch-1"):
        return record("vacancy_opened", vacancy_id=vid, org_id=org_id, position="teacher", opened_on=on)
    facts = school(opened("v1", "2024-12-31"), opened("v2", "2024-01-01"),
                   record("vacancy_closed", vacancy_id="v2", closed_on="2024-12-31", filled=True),
                   opened("v3", "2025-01-01"), opened("v4", "2024-01-01", "elsewhere"),
                   record("vacancy_closed", vacancy_id="v9", closed_on="2024-01-01", filled=False))
    assert answer(facts, "open_vacancies") == (1, None)
    assert answer(facts, "staffing_ratio") == (2, 3)
    assert evaluate(facts, MUN, D)["staffing_ratio"].value == 0.6667


def test_shares_are_null_when_nobody_is_counted():
    outcome = evaluate(facts_of(org()), MUN, D)
    assert outcome["training_coverage"].value is None
    assert outcome["training_coverage"].numerator_count == 0
    assert outcome["open_vacancies"].value == 0.0


def test_a_late_fact_changes_a_past_value():
    facts = school(program())
    assert answer(facts, "training_coverage", d=date(2023, 12, 31)) == (0, 2)
    facts.add(course("p-1", "2023-05-01"))
    assert answer(facts, "training_coverage", d=date(2023, 12, 31)) == (1, 2)
