"""The provider report and the categories expiring soon, scoped through the workplaces index."""

from datetime import date

from pedgrowth.contracts.registry import EmploymentEnded, EmploymentStarted, OrganizationRegistered
from pedgrowth.training.adapters.workplaces import Scope
from pedgrowth.training.queries import add_months
from tests.training.facts import attestation, course, memory_app, programme, record, with_catalogue

MUN_1 = Scope("municipality", "mun-1")


def organisation(org_id, municipality_id):
    return OrganizationRegistered(org_id=org_id, name=f"Школа {org_id}", kind="school",
                                  municipality_id=municipality_id, municipality_name="М", region_id="reg-1",
                                  region_name="Р")


def employ(app, person_id, org_id, started_on="2015-09-01", ended_on=None):
    app.workplaces.apply(EmploymentStarted(person_id=person_id, org_id=org_id, position="teacher",
                                           started_on=started_on, pedagogical_experience_since=started_on))
    if ended_on:
        app.workplaces.apply(EmploymentEnded(person_id=person_id, org_id=org_id, ended_on=ended_on,
                                             reason="transfer"))


def town(app):
    """sch-1 in mun-1, sch-9 in mun-9; p-1 and p-2 at sch-1, p-9 at sch-9."""
    for org, mun in (("sch-1", "mun-1"), ("sch-9", "mun-9")):
        app.workplaces.apply(organisation(org, mun))
    employ(app, "p-1", "sch-1")
    employ(app, "p-2", "sch-1")
    employ(app, "p-9", "sch-9")
    return app


def test_the_provider_report_counts_completions_per_provider_per_year():
    app = with_catalogue(memory_app(), programme("prog-1"), programme("prog-pp", kind="retraining", hours=260))
    record(app, course(person_id="p-1", completed_on="2023-03-01"))
    record(app, course(person_id="p-2", completed_on="2023-05-01"))
    record(app, course(person_id="p-2", program_id="prog-pp", completed_on="2023-06-01"))
    record(app, course(person_id="p-1", completed_on="2024-03-01"))
    rows = app.provider_report(None)
    assert [(r["year"], r["completions"], r["persons"], r["retraining"], r["hours"]) for r in rows] == [
        (2023, 3, 2, 1, 332), (2024, 1, 1, 0, 36)]


def test_the_provider_report_of_a_municipality_counts_only_people_working_there_that_day(app):
    town(app)
    employ(app, "p-moved", "sch-1", started_on="2015-09-01", ended_on="2023-01-01")
    record(app, course(person_id="p-1", completed_on="2023-03-01"))
    record(app, course(person_id="p-9", completed_on="2023-03-01"))
    record(app, course(person_id="p-moved", completed_on="2023-03-01"))
    rows = app.provider_report(MUN_1, 2023, 2023)
    assert [(r["provider_id"], r["completions"]) for r in rows] == [("prov-1", 1)]


def test_categories_expiring_within_the_months_asked_are_listed_soonest_first(app):
    town(app)
    record(app, attestation(person_id="p-1", decided_on="2020-03-01"))   # ends 2025-03-01
    record(app, attestation(person_id="p-2", decided_on="2019-11-01"))   # ends 2024-11-01
    record(app, attestation(person_id="p-9", decided_on="2019-11-01"))   # other municipality
    found = app.expiring_categories(MUN_1, date(2024, 9, 1), months=6)
    assert [(f["person_id"], f["valid_until"], f["org_ids"]) for f in found] == [
        ("p-2", date(2024, 11, 1), ["sch-1"]), ("p-1", date(2025, 3, 1), ["sch-1"])]


def test_a_category_renewed_already_is_not_expiring(app):
    town(app)
    record(app, attestation(person_id="p-1", decided_on="2019-11-01"))
    record(app, attestation(person_id="p-1", decided_on="2024-05-01"))
    assert app.expiring_categories(MUN_1, date(2024, 9, 1), months=6) == []


def test_adding_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 15), 12) == date(2025, 1, 15)
