"""Importing teachers' PD requests and their being met (Russian headers, a report per row, idempotent)."""

from datetime import date

import pytest

from pedgrowth.kit.tables import TableError
from pedgrowth.training.domain.request import PdRequest, request_key
from pedgrowth.training.imports import PD_REQUESTS, PD_REQUESTS_MET
from tests.training.facts import recorded
from tests.training.tables import csv_bytes, xlsx_bytes
from tests.training.unit.test_imports import inbox, run  # noqa: F401 - the fixture

REQUEST_HEADERS = ["№", "ФИО", "Номер запроса", "Идентификатор педагога", "Направление", "Тема", "Дата подачи"]
MET_HEADERS = ["Номер запроса", "Дата удовлетворения", "Код программы"]


def test_requests_with_russian_direction_names_are_imported_and_names_stay_in_the_file(inbox, app):
    content = xlsx_bytes([REQUEST_HEADERS,
                          [1, "Иванова Анна", "req-1", "p-1", "Методическое", "Формирующее оценивание",
                           date(2023, 9, 5)],
                          [2, "Петров Пётр", "req-2", "p-2", "цифровое", None, "12.09.2023"],
                          [3, "Сидорова", "req-3", "p-3", "psychological_pedagogical", "", "2023-09-20"]])
    report = run(inbox, PD_REQUESTS, content, "Запросы.xlsx")
    assert (report["rows"], report["accepted"], report["rejected"]) == (3, 3, 0)
    assert [(r["request_id"], r["person_id"]) for r in report["results"]] == [
        ("req-1", "p-1"), ("req-2", "p-2"), ("req-3", "p-3")]
    assert [app.get_or_none(request_key(f"req-{i}")).direction for i in (1, 2, 3)] == [
        "methodical", "digital", "psychological_pedagogical"]
    stored = b"".join(n.state for n in app.recorder.select_notifications(1, 1000))
    assert "Иванова".encode() not in stored


def test_an_unknown_direction_is_reported_with_its_column_and_the_allowed_codes(inbox):
    content = csv_bytes([REQUEST_HEADERS, [1, "", "req-1", "p-1", "художественное", "", "05.09.2023"],
                         [2, "", "req-2", "p-2", "управленческое", "", "05.09.2023"]])
    report = run(inbox, PD_REQUESTS, content)
    bad = report["results"][0]
    assert (bad["outcome"], bad["column"], bad["field"]) == ("rejected", "Направление", "data.direction")
    assert "subject, methodical, psychological_pedagogical, communicative, digital, management, other" in bad["reason"]
    assert report["accepted"] == 1


def test_a_file_of_requests_without_the_request_number_is_refused_naming_the_column(inbox):
    with pytest.raises(TableError, match="«Номер запроса»"):
        run(inbox, PD_REQUESTS, csv_bytes([REQUEST_HEADERS[3:], ["p-1", "методическое", "", "05.09.2023"]]))


def test_met_requests_are_imported_once_and_the_rules_report_their_rows(inbox, app):
    run(inbox, PD_REQUESTS, csv_bytes([REQUEST_HEADERS, [1, "", "req-1", "p-1", "методическое", "", "05.09.2023"],
                                       [2, "", "req-2", "p-2", "цифровое", "", "05.09.2023"]]))
    met = csv_bytes([MET_HEADERS, ["req-1", "24.11.2023", "prog-1"], ["req-2", "01.09.2023", ""],
                     ["req-9", "01.12.2023", ""]])
    report = run(inbox, PD_REQUESTS_MET, met)
    assert [r["outcome"] for r in report["results"]] == ["accepted", "rejected", "waiting"]
    early = report["results"][1]
    assert (early["column"], early["field"], early["request_id"]) == ("Дата удовлетворения", "data.met_on", "req-2")
    assert report["unknown_programs"] == []
    again = run(inbox, PD_REQUESTS_MET, met)
    assert (again["accepted"], again["duplicate"], again["waiting"], again["rejected"]) == (0, 1, 1, 1)
    assert [(e.request_id, e.program_id) for e in recorded(app, PdRequest.Met)] == [("req-1", "prog-1")]


def test_a_met_row_the_caller_may_not_write_is_refused_on_its_own_naming_the_request(inbox, app):
    def authorize(data):
        return None if data.request_id == "req-1" else f"data.request_id: PD request {data.request_id} is not known"

    run(inbox, PD_REQUESTS, csv_bytes([REQUEST_HEADERS, [1, "", "req-1", "p-1", "методическое", "", "05.09.2023"]]))
    report = run(inbox, PD_REQUESTS_MET, csv_bytes([MET_HEADERS, ["req-1", "24.11.2023", ""],
                                                    ["req-9", "24.11.2023", ""]]), authorize=authorize)
    refused = report["results"][1]
    assert (refused["outcome"], refused["reason_code"], refused["column"]) == ("rejected", "forbidden", "Номер запроса")
    assert report["accepted"] == 1
