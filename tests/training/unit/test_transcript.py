"""The professional-development transcript of a person."""

from datetime import date

from tests.training.facts import (
    course, diagnostics, memory_app, programme, record, route_started, with_catalogue,
)

AS_OF = date(2024, 12, 31)


def test_two_diagnostics_and_three_courses_show_which_deficits_were_addressed():
    app = with_catalogue(memory_app(), programme("prog-meth"), programme("prog-dig", format="blended"),
                         programme("prog-psy", kind="retraining", hours=300, format="in_person"))
    record(app, diagnostics(diagnostics_id="diag-2022", completed_on="2022-09-15",
                            deficits=[("D-METH", "methodical"), ("D-DIG", "digital")]))
    record(app, diagnostics(diagnostics_id="diag-2024", completed_on="2024-02-01",
                            deficits=[("D-DIG", "digital"), ("D-PSY", "psychological_pedagogical")]))
    # before any diagnostics: addresses nothing found later
    record(app, course(program_id="prog-dig", completed_on="2022-03-01", addresses_deficits=["D-DIG"]))
    # after the first diagnostics, before the second: addresses D-METH of 2022
    record(app, course(program_id="prog-meth", completed_on="2023-04-20", addresses_deficits=["D-METH"]))
    # after the second: addresses D-PSY of 2024 (and would address D-DIG only if it listed it)
    record(app, course(program_id="prog-psy", completed_on="2024-06-10", addresses_deficits=["D-PSY"]))

    found = app.transcript("p-1", AS_OF)

    addressed = {(d["diagnostics_id"], x["code"]): x["addressed"] for d in found["diagnostics"] for x in d["deficits"]}
    assert addressed == {
        ("diag-2022", "D-METH"): True,
        ("diag-2022", "D-DIG"): False,
        ("diag-2024", "D-DIG"): False,
        ("diag-2024", "D-PSY"): True,
    }
    by = {x["code"]: x["addressed_by"] for x in found["diagnostics"][0]["deficits"]}
    assert by["D-METH"] == [{"program_id": "prog-meth", "completed_on": date(2023, 4, 20)}]


def test_courses_show_hours_and_provider_in_date_order(app):
    record(app, course(completed_on="2024-01-10"))
    record(app, course(completed_on="2021-01-10"))
    found = app.transcript("p-1", AS_OF)
    assert [c["completed_on"] for c in found["courses"]] == [date(2021, 1, 10), date(2024, 1, 10)]
    assert {(c["hours"], c["provider_name"]) for c in found["courses"]} == {(36, "ТОИПКРО")}
    assert found["total_hours"] == 72


def test_a_course_on_the_day_of_the_diagnostics_counts_as_later(app):
    record(app, diagnostics(completed_on="2023-10-02", deficits=[("D-1", "digital")]))
    record(app, course(completed_on="2023-10-02", addresses_deficits=["D-1"]))
    assert app.transcript("p-1", AS_OF)["diagnostics"][0]["deficits"][0]["addressed"] is True


def test_a_route_without_completion_is_active(app):
    record(app, route_started())
    assert app.transcript("p-1", AS_OF)["routes"][0]["status"] == "active"


def test_a_person_training_knows_nothing_of_has_no_transcript(app):
    assert app.transcript("p-unknown", AS_OF) is None
