"""The five indicators of SPEC §4.1 the additions within v1 measure, and the variants project:<id> and
competitions_and_speaking, worked by hand on small streams (``evaluate`` also holds the engine to the oracle)."""

from __future__ import annotations

from datetime import date

from pedgrowth.contracts.scope import Scope
from pedgrowth.indicators.definitions import BY_CODE

from tests.indicators.builders import evaluate, hired, left, org, record

D = date(2024, 12, 31)
MUN, SCHOOL, REGION = Scope("municipality", "mun-1"), Scope("organization", "sch-1"), Scope("region", "reg-1")


def staff(*more):
    """Two schools of mun-1; p-1, p-2, p-3 at sch-1 (p-3 young since 2023), p-4 at sch-2; p-5 left in 2024."""
    return [org(), org("sch-2"), hired("p-1", "2015-01-01"), hired("p-2", "2015-01-01"),
            hired("p-3", "2023-09-01", since="2023-09-01"), hired("p-4", "2015-01-01", "sch-2"),
            hired("p-5", "2015-01-01"), left("p-5", "2024-06-01"), *more]


def variant(code: str, **chosen):
    return BY_CODE[code].default.choose(chosen)


def numbers(outcome):
    return outcome.numerator_count, outcome.denominator_count


def test_pd_requests_met_share_counts_requests_of_staff_submitted_in_w1_met_by_d():
    requests = [
        record("pd_request_submitted", request_id="r1", person_id="p-1", direction="digital", submitted_on="2024-02-01"),
        record("pd_request_met", request_id="r1", met_on="2024-05-01"),
        record("pd_request_submitted", request_id="r2", person_id="p-1", direction="subject", submitted_on="2024-03-01"),
        record("pd_request_met", request_id="r2", met_on="2025-02-01"),  # met after D: not yet
        record("pd_request_submitted", request_id="r3", person_id="p-2", direction="subject", submitted_on="2023-12-31"),
        record("pd_request_met", request_id="r3", met_on="2024-01-10"),  # submitted before W1
        record("pd_request_submitted", request_id="r4", person_id="p-5", direction="digital", submitted_on="2024-02-01"),
    ]
    found = evaluate(staff(*requests), MUN, D)["pd_requests_met_share"]
    assert (found.numerator, found.denominator) == ({"r1"}, {"r1", "r2"})  # p-5 left: not in STAFF
    assert found.value == 0.5
    calendar = evaluate(staff(*requests), MUN, date(2024, 12, 31), {"pd_requests_met_share": variant(
        "pd_requests_met_share", window="calendar_year")})["pd_requests_met_share"]
    assert numbers(calendar) == (1, 2)


def test_expert_involvement_counts_a_role_active_on_a_day_of_w1():
    roles = [
        record("expert_role_started", person_id="p-1", role_id="jury", role="competition_jury", level="municipal",
               started_on="2022-01-10"),
        record("expert_role_ended", person_id="p-1", role_id="jury", ended_on="2024-01-02"),  # last day 01.01.2024
        record("expert_role_started", person_id="p-2", role_id="att", role="attestation_commission", level="regional",
               started_on="2020-01-10"),
        record("expert_role_ended", person_id="p-2", role_id="att", ended_on="2024-01-01"),  # last day 31.12.2023
    ]
    # W1 of 31.12.2024 begins on 01.01.2024; of 30.12.2024 on 31.12.2023
    assert evaluate(staff(*roles), SCHOOL, D)["expert_involvement_share"].numerator == {"p-1"}
    assert evaluate(staff(*roles), SCHOOL, date(2024, 12, 30))["expert_involvement_share"].numerator == {"p-1", "p-2"}
    assert evaluate(staff(*roles), SCHOOL, D)["expert_involvement_share"].value == round(1 / 3, 4)


def test_methodical_asset_counts_members_in_staff_of_the_scope_and_not_for_a_school():
    asset = [
        record("asset_joined", person_id="p-1", municipality_id="mun-1", joined_on="2023-09-01"),
        record("asset_joined", person_id="p-4", municipality_id="mun-1", joined_on="2023-09-01"),
        record("asset_left", person_id="p-4", municipality_id="mun-1", left_on="2024-06-01"),
        record("asset_joined", person_id="p-5", municipality_id="mun-1", joined_on="2023-09-01"),  # left the staff
        record("asset_joined", person_id="p-2", municipality_id="mun-2", joined_on="2023-09-01"),  # another asset
    ]
    assert evaluate(staff(*asset), MUN, D)["methodical_asset_count"].numerator == {"p-1"}
    assert evaluate(staff(*asset), REGION, D)["methodical_asset_count"].numerator == {"p-1"}
    assert evaluate(staff(*asset), MUN, date(2024, 5, 31))["methodical_asset_count"].numerator == {"p-1", "p-4", "p-5"}
    assert evaluate(staff(*asset), SCHOOL, D)["methodical_asset_count"].numerator is None


def test_curated_orgs_share_counts_schools_with_staff_and_a_curator_in_office():
    curators = [
        record("curator_appointed", org_id="sch-1", person_id="p-1", appointed_on="2023-09-01"),
        record("curator_released", org_id="sch-1", person_id="p-1", released_on="2024-09-01"),
        record("curator_appointed", org_id="sch-1", person_id="p-2", appointed_on="2024-09-01"),  # replaced
        record("curator_appointed", org_id="sch-2", person_id="p-4", appointed_on="2025-01-10"),  # after D
    ]
    found = evaluate(staff(*curators), MUN, D)["curated_orgs_share"]
    assert (found.numerator, found.denominator, found.value) == ({"sch-1"}, {"sch-1", "sch-2"}, 0.5)
    assert evaluate(staff(*curators), SCHOOL, D)["curated_orgs_share"].numerator is None


def test_project_participation_counts_young_enrolled_on_d():
    projects = [
        record("project_enrolled", person_id="p-3", project_id="start", project_name="Стартуем вместе",
               enrolled_on="2023-10-01"),
        record("project_enrolled", person_id="p-1", project_id="start", project_name="Стартуем вместе",
               enrolled_on="2023-10-01"),  # not young: not in the denominator
    ]
    found = evaluate(staff(*projects), MUN, D)["project_participation_share"]
    assert (found.numerator, found.denominator) == ({"p-3"}, {"p-3"})
    gone = evaluate(staff(*projects, record("project_left", person_id="p-3", project_id="start", left_on="2024-12-31",
                                            outcome="completed")), MUN, D)["project_participation_share"]
    assert numbers(gone) == (0, 1)


def test_a_project_cohort_counts_young_shares_among_the_projects_participants():
    stream = staff(
        record("project_enrolled", person_id="p-1", project_id="start", project_name="Стартуем вместе",
               enrolled_on="2024-01-10"),
        record("project_enrolled", person_id="p-3", project_id="start", project_name="Стартуем вместе",
               enrolled_on="2024-01-10"),
        record("competition_participated", person_id="p-1", competition_id="c", competition_name="Учитель года",
               level="municipal", result="participant", participated_on="2024-03-01"))
    cohort = {"young_competition_share": variant("young_competition_share", cohort="project:start")}
    found = evaluate(stream, MUN, D, cohort)["young_competition_share"]
    assert (found.numerator, found.denominator) == ({"p-1"}, {"p-1", "p-3"})
    assert numbers(evaluate(stream, MUN, D)["young_competition_share"]) == (0, 1)  # all_young: p-3 only


def test_retention_of_a_project_cohort_reads_the_participants_three_years_before():
    stream = [org(), hired("y-1", "2021-09-01", since="2021-09-01"), hired("y-2", "2021-09-01", since="2021-09-01"),
              hired("y-3", "2021-09-01", since="2021-09-01"), left("y-2", "2023-08-31"),
              *(record("project_enrolled", person_id=p, project_id="start", project_name="Стартуем вместе",
                       enrolled_on="2021-09-01") for p in ("y-1", "y-2"))]
    cohort = {"young_retention_3y": variant("young_retention_3y", cohort="project:start")}
    found = evaluate(stream, MUN, date(2024, 10, 1), cohort)["young_retention_3y"]
    assert (found.numerator, found.denominator, found.value) == ({"y-1"}, {"y-1", "y-2"}, 0.5)


def test_support_by_a_project_counts_the_young_enrolled_in_it():
    stream = staff(record("project_enrolled", person_id="p-3", project_id="academy", project_name="Академия",
                          enrolled_on="2024-09-01"))
    academy = {"young_support_share": variant("young_support_share", support="project:academy")}
    assert numbers(evaluate(stream, MUN, D, academy)["young_support_share"]) == (1, 1)
    other = {"young_support_share": variant("young_support_share", support="project:other")}
    assert numbers(evaluate(stream, MUN, D, other)["young_support_share"]) == (0, 1)


def test_competitions_and_speaking_also_counts_speakers_at_support_events():
    stream = staff(
        record("support_event_attended", person_id="p-1", event_id="e", event_name="Семинар", kind="seminar",
               attended_on="2024-04-01", role="speaker"),
        record("support_event_attended", person_id="p-2", event_id="e", event_name="Семинар", kind="seminar",
               attended_on="2024-04-01"))
    speaking = {"competition_share": variant("competition_share", competition="competitions_and_speaking")}
    assert evaluate(stream, SCHOOL, D, speaking)["competition_share"].numerator == {"p-1"}
    assert evaluate(stream, SCHOOL, D)["competition_share"].numerator == set()


def test_a_plans_cohort_holds_for_its_retention_target_after_the_period():
    from pedgrowth.indicators.indicators.answers import Answers

    from tests.indicators.builders import engine_of

    plan = record("plan_adopted", plan_id="kem", municipality_id="mun-1", title="Стартуем вместе",
                  period_start="2021-09-01", period_end="2023-12-31",
                  targets=[{"indicator": "young_retention_3y", "year": 2024, "value": 0.6}],
                  definitions=[{"indicator": "young_retention_3y", "cohort": "project:start"}])
    stream = [org(), hired("y-1", "2021-09-01", since="2021-09-01"), hired("y-2", "2021-09-01", since="2021-09-01"),
              hired("y-3", "2021-09-01", since="2021-09-01"), left("y-2", "2023-08-31"), plan,
              *(record("project_enrolled", person_id=p, project_id="start", project_name="Стартуем вместе",
                       enrolled_on="2021-09-01") for p in ("y-1", "y-2"))]
    row = next(r for r in Answers(engine_of(stream)).indicators(MUN, D) if r["code"] == "young_retention_3y")
    assert (row["numerator"], row["denominator"], row["target"], row["status"]) == (1, 2, 0.6, "behind")
    assert row["definition"]["cohort"] == "project:start"
