"""The mentor, mentee, curator and project-participant bases as XLSX workbooks (Russian headers), for the
methodical centre."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from ..labels import FORMS, NO, NOBODY, PROJECT_OUTCOMES, TAKING_PART, YES

MENTEE_HEADERS = ["Код педагога", "Организация", "Педагогический стаж с", "Молодой педагог", "Наставник",
                  "Форма наставничества", "Начало пары", "Программа", "Завершённых пар"]
MENTOR_HEADERS = ["Код наставника", "Код педагога", "Организация-работодатель", "Дата регистрации",
                  "Место работы", "Активных наставляемых", "Наставляемые", "Формы наставничества",
                  "Всего пар", "Завершено успешно"]

CURATOR_HEADERS = ["Код ОО", "Организация", "Куратор наставничества (код педагога)", "Назначен",
                   "Работает в ОО на дату", "Прежние кураторы"]
PROJECT_HEADERS = ["Код педагога", "Организация", "Молодой педагог", "Код проекта", "Проект", "Дата включения",
                   "Дата выхода", "Статус на дату"]


def who_mentors(pair: dict) -> str:
    """A mentor as a curator reads it: id and the staff member or enterprise behind it."""
    behind = pair["mentor_person_id"] or pair["mentor_external_organization"]
    return f"{pair['mentor_id']} ({behind})" if behind else pair["mentor_id"]


def joined(values) -> str:
    return "; ".join(str(v) for v in values if v)


def mentee_rows(rows: list[dict]) -> list[list]:
    out = []
    for r in rows:
        current = r["current_pairs"]
        out.append([
            r["person_id"], r["organization_names"], r["experience_since"], YES if r["young"] else NO,
            joined(who_mentors(p) for p in current) or NOBODY,
            joined(FORMS.get(p["form"], p["form"]) for p in current),
            joined(p["started_on"].isoformat() for p in current),
            joined(p["program"] for p in current),
            sum(p["outcome"] == "completed" for p in r["past_pairs"]),
        ])
    return out


def mentor_rows(rows: list[dict]) -> list[list]:
    return [[
        r["mentor_id"], r["person_id"], r["external_organization"], r["registered_on"], r["organization_names"],
        r["active_mentees"], joined(p["mentee_person_id"] for p in r["active_pairs"]),
        joined(sorted({FORMS.get(p["form"], p["form"]) for p in r["active_pairs"]})),
        r["pairs_total"], r["pairs_completed"],
    ] for r in rows]


def curator_rows(rows: list[dict]) -> list[list]:
    return [[
        r["org_id"], r["organization_name"], r["curator_person_id"] or NOBODY, r["appointed_on"],
        (YES if r["curator_works_here"] else NO) if r["curator_person_id"] else None,
        joined(f"{t['person_id']} ({t['started_on']:%d.%m.%Y}–{t['ended_on']:%d.%m.%Y})" for t in r["past_curators"]),
    ] for r in rows]


def project_rows(rows: list[dict]) -> list[list]:
    return [[
        r["person_id"], r["organization_names"], YES if r["young"] else NO, r["project_id"], r["project_name"],
        r["enrolled_on"], r["left_on"], TAKING_PART if r["active"] else PROJECT_OUTCOMES[r["outcome"]],
    ] for r in rows]


def workbook(title: str, caption: str, headers: list[str], rows: list[list]) -> bytes:
    """One sheet: a caption line, the headers, the rows; dates as Excel dates."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([caption])
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def mentee_base_xlsx(rows: list[dict], scope: str, day: date) -> bytes:
    return workbook("Наставляемые", f"База наставляемых: {scope} на {day:%d.%m.%Y}", MENTEE_HEADERS,
                    mentee_rows(rows))


def mentor_base_xlsx(rows: list[dict], scope: str, day: date) -> bytes:
    return workbook("Наставники", f"База наставников: {scope} на {day:%d.%m.%Y}", MENTOR_HEADERS,
                    mentor_rows(rows))




def curator_base_xlsx(rows: list[dict], scope: str, day: date) -> bytes:
    return workbook("Кураторы", f"Кураторы наставничества в ОО: {scope} на {day:%d.%m.%Y}", CURATOR_HEADERS,
                    curator_rows(rows))


def project_participants_xlsx(rows: list[dict], scope: str, day: date) -> bytes:
    return workbook("Участники проектов", f"Участники муниципальных проектов: {scope} на {day:%d.%m.%Y}",
                    PROJECT_HEADERS, project_rows(rows))
