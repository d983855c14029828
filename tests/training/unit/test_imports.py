"""Bulk import of completion lists and attestation orders (CSV/XLSX with Russian headers)."""

from datetime import date

import pytest

from pedgrowth.kit.inbox import Inbox
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.tables import TableError
from pedgrowth.training.bootstrap import REJECTIONS
from pedgrowth.training.domain.learner import Learner
from pedgrowth.training.imports import ATTESTATIONS, COURSE_COMPLETIONS, import_table, read_table
from tests.training.facts import recorded
from tests.training.tables import csv_bytes, xlsx_bytes

COURSE_HEADERS = ["№", "ФИО", "Идентификатор педагога", "Код программы", "Дата окончания", "Номер удостоверения"]


@pytest.fixture
def inbox(app):
    return Inbox(app, "training", dict(REJECTIONS), Metrics())


def run(inbox, kind, content, filename="list.csv", authorize=lambda data: None):
    """Import as a caller allowed every row (the access rules have their own tests)."""
    return import_table(inbox, kind, read_table(content, filename), authorize)


def test_a_csv_list_with_russian_headers_and_dotted_dates_is_imported(inbox, app):
    content = csv_bytes([COURSE_HEADERS, [1, "Иванова Анна Петровна", "p-1", "prog-1", "24.11.2023", "7701"]])
    report = run(inbox, COURSE_COMPLETIONS, content)
    assert (report["rows"], report["accepted"]) == (1, 1)
    assert app.transcript("p-1", date(2024, 1, 1))["courses"][0]["certificate_number"] == "7701"


def test_importing_the_same_file_again_records_nothing_new(inbox, app):
    content = csv_bytes([COURSE_HEADERS, [1, "—", "p-1", "prog-1", "2023-11-24", "7701"]])
    run(inbox, COURSE_COMPLETIONS, content)
    again = run(inbox, COURSE_COMPLETIONS, content)
    assert (again["accepted"], again["duplicate"]) == (0, 1)
    assert len(recorded(app, Learner.CourseCompleted)) == 1


def test_names_in_the_file_never_reach_the_store(inbox, app):
    run(inbox, COURSE_COMPLETIONS, csv_bytes([COURSE_HEADERS, [1, "Иванова Анна", "p-1", "prog-1", "2023-11-24", ""]]))
    stored = b"".join(n.state for n in app.recorder.select_notifications(1, 1000))
    assert "Иванова".encode() not in stored


def test_a_bad_row_is_reported_with_its_column_and_the_others_are_imported(inbox):
    content = csv_bytes([COURSE_HEADERS, [1, "", "p-1", "prog-1", "31.02.2023", ""],
                         [2, "", "p-2", "prog-1", "2023-03-01", ""]])
    report = run(inbox, COURSE_COMPLETIONS, content)
    bad = report["results"][0]
    assert (bad["row"], bad["outcome"], bad["column"]) == (2, "rejected", "Дата окончания")
    assert report["accepted"] == 1


def test_a_file_without_a_required_column_is_refused_naming_it(inbox):
    content = csv_bytes([["Идентификатор педагога", "Дата окончания"], ["p-1", "2023-03-01"]])
    with pytest.raises(TableError, match="«Код программы»"):
        run(inbox, COURSE_COMPLETIONS, content)


def test_unknown_programmes_are_reported_and_the_rest_imported(inbox):
    content = xlsx_bytes([COURSE_HEADERS, [1, "", "p-1", "prog-1", date(2023, 5, 1), "1"],
                          [2, "", "p-2", "prog-x", date(2023, 5, 1), "2"]])
    report = run(inbox, COURSE_COMPLETIONS, content, "list.xlsx")
    assert report["unknown_programs"] == ["prog-x"]
    assert (report["accepted"], report["waiting"], report["rejected"]) == (1, 1, 0)


def test_an_attestation_order_with_russian_category_names_is_imported(inbox, app):
    content = xlsx_bytes([["Идентификатор педагога", "ФИО", "Категория", "Дата приказа", "Номер приказа"],
                          ["p-2", "Петров П. П.", "Высшая", "20.12.2022", "№ 1234"],
                          ["p-3", "Сидорова С. С.", "первая квалификационная категория", date(2023, 1, 10), "№ 7"],
                          ["p-4", "Кто-то", "вторая", "2023-01-10", "№ 8"]])
    report = run(inbox, ATTESTATIONS, content, "order.xlsx")
    assert [r["outcome"] for r in report["results"]] == ["accepted", "accepted", "rejected"]
    assert report["results"][2]["column"] == "Категория"
    assert app.transcript("p-2", date(2024, 1, 1))["current_category"]["valid_until"] == date(2027, 12, 20)


def test_a_windows_1251_comma_separated_file_is_read():
    table = read_table(csv_bytes([["Идентификатор педагога", "Код программы"], ["p-1", "prog-1"]],
                                 delimiter=",", encoding="cp1251"), "list.csv")
    assert table.rows == [(2, {"идентификатор педагога": "p-1", "код программы": "prog-1"})]
