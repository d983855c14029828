"""Bulk import: Russian headers, CSV and XLSX, idempotent, one report line per row."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from pedgrowth.kit.inbox import Inbox
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.tables import TableError as UnreadableTable
from pedgrowth.mentoring.bootstrap import REJECTIONS
from pedgrowth.mentoring.imports import ATTENDANCE, PAIRS, parse, run_import

from .helpers import mentor, new_app, record

ATTENDANCE_CSV = (
    "Код педагога;Код мероприятия;Название мероприятия;Вид мероприятия;Дата посещения\n"
    "p-1;shmp-2024-1;Школа молодого педагога: занятие 1;Школа молодого педагога;12.10.2024\n"
    "p-3;shmp-2024-1;Школа молодого педагога: занятие 1;young_teacher_school;2024-10-12\n"
)


def run(app, layout, content: bytes, filename="list.csv"):
    inbox = Inbox(app, "mentoring", dict(REJECTIONS), Metrics())
    return run_import(layout, parse(layout, content, filename), lambda data: None, inbox.record)


def outcomes(report) -> list[str]:
    return [row["outcome"] for row in report["rows"]]


def test_an_attendance_list_with_russian_headers_and_names_is_recorded():
    app = new_app()
    report = run(app, ATTENDANCE, ATTENDANCE_CSV.encode())
    assert outcomes(report) == ["accepted", "accepted"]
    assert app.query(lambda rm: [a["person_id"] for a in rm.attendance("shmp-2024-1")]) == ["p-1", "p-3"]


def test_importing_the_same_file_again_records_nothing_twice():
    app = new_app()
    run(app, ATTENDANCE, ATTENDANCE_CSV.encode())
    report = run(app, ATTENDANCE, ATTENDANCE_CSV.encode())
    assert (report["accepted"], report["duplicate"]) == (0, 2)


def test_a_windows_1251_csv_is_read():
    assert outcomes(run(new_app(), ATTENDANCE, ATTENDANCE_CSV.encode("cp1251"))) == ["accepted", "accepted"]


def test_a_bad_row_is_reported_by_its_column_and_the_others_are_recorded():
    text = ATTENDANCE_CSV + "p-4;shmp-2024-1;Школа молодого педагога;пикник;13.10.2024\n"
    report = run(new_app(), ATTENDANCE, text.encode())
    bad = report["rows"][2]
    assert (report["accepted"], bad["row"], bad["outcome"], bad["field"]) == (2, 4, "rejected", "Вид мероприятия")


def test_an_empty_required_cell_is_reported_by_its_column():
    text = ATTENDANCE_CSV + "p-4;shmp-2024-1;Школа молодого педагога;семинар;\n"
    bad = run(new_app(), ATTENDANCE, text.encode())["rows"][2]
    assert (bad["field"], bad["reason"]) == ("Дата посещения", "«Дата посещения» is empty")


def test_a_missing_column_refuses_the_whole_file():
    with pytest.raises(UnreadableTable) as error:
        parse(ATTENDANCE, "Код педагога;Дата посещения\np-1;12.10.2024\n".encode())
    assert error.value.field == "Код мероприятия"


def pairs_xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(["Код наставника", "Код наставляемого", "Форма наставничества", "Дата начала", "Программа"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_pair_assignments_are_imported_from_xlsx_with_derived_pair_ids():
    from datetime import date

    app = new_app()
    record(app, mentor("m-1", person_id="p-2"))
    content = pairs_xlsx([["m-1", "p-1", "педагог – педагог", date(2024, 9, 2), "Адаптация"]])
    first = run(app, PAIRS, content, "pairs.xlsx")
    again = run(app, PAIRS, content, "pairs.xlsx")
    assert (outcomes(first), outcomes(again)) == (["accepted"], ["duplicate"])
    assert first["rows"][0]["subject"].startswith("pair-")


def test_a_rule_broken_by_a_row_names_the_russian_column():
    app = new_app()
    record(app, mentor("m-1", person_id="p-2"))
    row = run(app, PAIRS, pairs_xlsx([["m-1", "p-2", "teacher_teacher", "01.09.2024", None]]), "p.xlsx")["rows"][0]
    assert (row["outcome"], row["field"], row["reason_code"]) == ("rejected", "Код наставляемого", "business_rule")


def test_a_pair_whose_mentor_is_not_registered_yet_waits():
    app = new_app()
    row = run(app, PAIRS, pairs_xlsx([["m-404", "p-1", "teacher_teacher", "01.09.2024", None]]), "p.xlsx")["rows"][0]
    assert row["outcome"] == "waiting"


def test_the_report_counts_the_rows_that_wait_as_it_counts_the_others():
    app = new_app()
    record(app, mentor("m-1", person_id="p-2"))
    report = run(app, PAIRS, pairs_xlsx([["m-404", "p-1", "teacher_teacher", "01.09.2024", None],
                                         ["m-1", "p-3", "teacher_teacher", "01.09.2024", None],
                                         ["m-405", "p-4", "teacher_teacher", "01.09.2024", None]]), "p.xlsx")
    assert outcomes(report) == ["waiting", "accepted", "waiting"]
    assert (report["accepted"], report["duplicate"], report["waiting"], report["rejected"]) == (1, 0, 2, 0)
