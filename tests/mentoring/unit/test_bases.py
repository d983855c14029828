"""The mentor and mentee bases, and their XLSX export read back with openpyxl."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from pedgrowth.mentoring import bases
from pedgrowth.mentoring.adapters.directory import Scope
from pedgrowth.mentoring.adapters.xlsx import mentee_base_xlsx, mentor_base_xlsx

from .helpers import day, mentor, new_app, pair, pair_end, record, small_town

MUN = Scope("municipality", "mun-1")


def town_app():
    app = new_app()
    record(app, mentor("m-1", person_id="p-2"))
    record(app, mentor("m-ext", person_id=None, external_organization="АО «Купол»"))
    record(app, pair("pair-1", mentor_id="m-1", mentee="p-1", on="2023-09-15"))
    record(app, pair("pair-5", mentor_id="m-ext", mentee="p-5", form="employer_teacher", on="2024-10-01"))
    return app


def test_the_mentee_base_lists_each_young_teacher_with_current_pairs():
    rows = town_app().query(lambda rm: bases.mentee_base(rm, small_town(), MUN, day("2024-12-31")))
    current = {r["person_id"]: [p["mentor_id"] for p in r["current_pairs"]] for r in rows}
    assert current == {"p-1": ["m-1"], "p-3": [], "p-5": ["m-ext"]}


def test_an_ended_pair_moves_to_the_past_pairs():
    app = town_app()
    record(app, pair_end("pair-1", on="2024-06-30"))
    rows = app.query(lambda rm: bases.mentee_base(rm, small_town(), MUN, day("2024-12-31")))
    p1 = next(r for r in rows if r["person_id"] == "p-1")
    assert (p1["current_pairs"], [p["pair_id"] for p in p1["past_pairs"]]) == ([], ["pair-1"])


def test_the_mentor_base_has_staff_mentors_and_enterprise_mentors_of_local_mentees():
    rows = town_app().query(lambda rm: bases.mentor_base(rm, small_town(), MUN, day("2024-12-31")))
    assert [(r["mentor_id"], r["active_mentees"]) for r in rows] == [("m-1", 1), ("m-ext", 1)]


def test_the_mentor_base_of_a_school_leaves_out_mentors_with_no_tie_to_it():
    rows = town_app().query(lambda rm: bases.mentor_base(rm, small_town(), Scope("organization", "sch-2"),
                                                         day("2024-12-31")))
    assert [r["mentor_id"] for r in rows] == ["m-ext"]


def test_the_mentee_base_export_names_the_mentor_or_none():
    rows = town_app().query(lambda rm: bases.mentee_base(rm, small_town(), MUN, day("2024-12-31")))
    sheet = load_workbook(io.BytesIO(mentee_base_xlsx(rows, str(MUN), day("2024-12-31")))).active
    table = list(sheet.iter_rows(min_row=2, values_only=True))
    header, body = table[0], {row[0]: row for row in table[1:]}
    mentor_column = header.index("Наставник")
    assert {person: row[mentor_column] for person, row in body.items()} == {
        "p-1": "m-1 (p-2)", "p-3": "нет", "p-5": "m-ext (АО «Купол»)"}


def test_a_person_history_has_pairs_communities_and_events():
    app = town_app()
    history = app.query(lambda rm: bases.person_history(rm, "p-2"))
    assert [m["mentor_id"] for m in history["as_mentor"]] == ["m-1"]
    assert [p["mentee_person_id"] for p in history["as_mentor"][0]["pairs"]] == ["p-1"]


def test_the_mentor_base_export_counts_active_mentees_with_forms():
    rows = town_app().query(lambda rm: bases.mentor_base(rm, small_town(), MUN, day("2024-12-31")))
    sheet = load_workbook(io.BytesIO(mentor_base_xlsx(rows, str(MUN), day("2024-12-31")))).active
    header, *body = list(sheet.iter_rows(min_row=2, values_only=True))
    table = {row[0]: dict(zip(header, row)) for row in body}
    assert table["m-ext"]["Организация-работодатель"] == "АО «Купол»"
    assert (table["m-1"]["Активных наставляемых"], table["m-1"]["Формы наставничества"]) == (1, "педагог – педагог")
