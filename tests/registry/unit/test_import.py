"""Bulk import of a staff list: per-row report, idempotent, people missing listed and ended only on request."""

import re
from datetime import date
from pathlib import Path

import pytest

from pedgrowth.kit.inbox import Inbox
from pedgrowth.kit.metrics import Metrics
from pedgrowth.kit.tables import TableError as UnreadableFile
from pedgrowth.registry.bootstrap import REJECTIONS
from pedgrowth.registry.exports import staff_xlsx
from pedgrowth.registry.importing import StaffImport
from tests.registry.builders import TODAY

HEADER = "Идентификатор;ФИО;Должность;Дата приёма;Педагогический стаж с;Предметы;Образование по профилю"
IVANOVA = "p-1;Иванова Мария Петровна;Учитель;01.09.2021;01.09.2021;математика, информатика;да"
PETROV = "p-2;Петров Иван Сергеевич;Директор;15.08.2015;01.09.2001;;"


def csv(*rows: str) -> bytes:
    return "\n".join((HEADER, *rows)).encode("utf-8")


def run(app, content: bytes, filename="staff.csv", **kw) -> dict:
    inbox = Inbox(app, "registry", dict(REJECTIONS), Metrics())
    allowed = lambda data: None  # noqa: E731 - an admin's import; the access rules have their own tests
    return StaffImport(app, inbox.record, "sch-1", TODAY, allowed).run(content, filename, **kw)


def test_rows_become_employments_with_names_kept_in_the_registry(app):
    report = run(app, csv(IVANOVA, PETROV))
    assert report["accepted"] == 2
    staff = {s["person_id"]: s for s in app.staff("sch-1", TODAY)}
    assert staff["p-1"]["full_name"] == "Иванова Мария Петровна"
    assert staff["p-1"]["subjects"] == ["математика", "информатика"]
    assert staff["p-2"]["position"] == "director"


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("p-3;Сидорова А. А.;Космонавт;01.09.2021;01.09.2021;;", "Должность", "unknown position"),
    ("p-3;Сидорова А. А.;Учитель;31.02.2021;01.09.2021;;", "Дата приёма", "not a date"),
    ("p-3;;Учитель;01.09.2021;01.09.2021;;", "ФИО", "ФИО is empty"),
    ("p-3;Сидорова А. А.;Учитель;01.09.2021;01.09.2022;;", "Педагогический стаж с", "after started_on"),
    ("p-3;Сидорова А. А.;Учитель;01.09.2030;01.09.2021;;", "Дата приёма", "in the future"),
    ("p-3;Сидорова А. А.;Учитель;01.09.2021;01.09.2021;;может быть", "Образование по профилю", "да or нет"),
    (";Сидорова А. А.;Учитель;01.09.2021;01.09.2021;;", "Идентификатор", "required"),
])
def test_a_bad_row_is_rejected_naming_its_column(app, row, column, reason):
    rejected = run(app, csv(IVANOVA, row))["rows"][1]
    assert (rejected["row"], rejected["status"], rejected["column"]) == (3, "rejected", column)
    assert reason in rejected["reason"]


def test_importing_the_same_file_again_records_nothing_new(app):
    run(app, csv(IVANOVA, PETROV))
    head = app.recorder.max_notification_id()
    report = run(app, csv(IVANOVA, PETROV))
    assert (report["accepted"], report["unchanged"]) == (0, 2)
    assert app.recorder.max_notification_id() == head


def test_a_changed_position_in_a_reimport_is_recorded_as_a_position_change(app):
    run(app, csv(IVANOVA))
    report = run(app, csv(IVANOVA.replace("Учитель", "Заместитель директора")))
    assert report["rows"][0]["recorded"] == ["position_changed"]
    assert app.staff("sch-1", TODAY)[0]["position"] == "deputy_director"


def test_a_different_hire_date_for_someone_employed_is_rejected(app):
    run(app, csv(IVANOVA))
    row = run(app, csv(IVANOVA.replace("01.09.2021;01.09.2021", "01.09.2022;01.09.2021")))["rows"][0]
    assert (row["status"], row["column"]) == ("rejected", "Дата приёма")


def test_people_missing_from_a_reimport_are_listed_not_dismissed(app):
    run(app, csv(IVANOVA, PETROV))
    report = run(app, csv(IVANOVA))
    assert [m["person_id"] for m in report["missing"]] == ["p-2"]
    assert report["ended"] == []
    assert {s["person_id"] for s in app.staff("sch-1", TODAY)} == {"p-1", "p-2"}


def test_people_missing_are_ended_when_the_caller_asks(app):
    run(app, csv(IVANOVA, PETROV))
    report = run(app, csv(IVANOVA), end_missing=True, ended_on=date(2024, 8, 31), end_reason="resignation")
    assert report["ended"] == [{"person_id": "p-2", "status": "ended", "ended_on": date(2024, 8, 31)}]
    assert {s["person_id"] for s in app.staff("sch-1", TODAY)} == {"p-1"}


def test_a_person_listed_twice_is_rejected_the_second_time(app):
    rows = run(app, csv(IVANOVA, IVANOVA))["rows"]
    assert rows[1]["status"] == "rejected" and "already appears in row 2" in rows[1]["reason"]


def test_a_file_without_a_required_column_is_refused_whole(app):
    with pytest.raises(UnreadableFile, match="Дата приёма"):
        run(app, "Идентификатор;ФИО;Должность;Педагогический стаж с\np-1;А;Учитель;01.09.2021".encode())


def test_a_windows_1251_csv_with_commas_is_read(app):
    content = csv(IVANOVA).decode().replace(";", ",").replace("математика, информатика", "математика")
    assert run(app, content.encode("cp1251"))["accepted"] == 1


def test_the_exported_staff_list_imports_back_unchanged(app):
    run(app, csv(IVANOVA, PETROV))
    exported = staff_xlsx(app.staff("sch-1", TODAY), TODAY)
    report = run(app, exported, filename="staff.xlsx")
    assert (report["unchanged"], report["rejected"], report["missing"]) == (2, 0, [])


def test_a_reimport_notes_differences_no_event_can_record(app):
    run(app, csv(IVANOVA))
    row = run(app, csv(IVANOVA.replace("01.09.2021;01.09.2021", "01.09.2021;01.09.2019")))["rows"][0]
    assert row["status"] == "unchanged"
    assert row["notes"][0].startswith("Педагогический стаж с: the file says 01.09.2019")


def test_the_example_in_the_docs_imports(app):
    doc = (Path(__file__).parents[3] / "docs" / "registry.md").read_text(encoding="utf-8")
    example = re.search(r"```\n(Идентификатор;.*?)```", doc, re.S).group(1)
    assert run(app, example.encode())["accepted"] == 1
