"""Bulk import of attendance lists, pair assignments, expert roles and project participants: table rows become
contract facts, one report line each.

Idempotent: each row's CloudEvent id is derived from its content, so importing the
same file again reports every row as a duplicate and records nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from uuid import NAMESPACE_URL, uuid5

from pydantic import ValidationError

from pedgrowth.contracts import EventData, Fact, new_event
from pedgrowth.contracts import mentoring as contract
from pedgrowth.kit.imports import FORBIDDEN, Column, Import, RowError, count_outcomes
from pedgrowth.kit.tables import Limits, TableError, parse_day, read_table

from .labels import (EXPERT_ROLE_SYNONYMS, EXPERT_ROLES, FORM_SYNONYMS, FORMS, KIND_SYNONYMS, LEVEL_SYNONYMS, LEVELS,
                     PROJECT_OUTCOME_SYNONYMS, PROJECT_OUTCOMES, SUPPORT_EVENT_KINDS, SUPPORT_ROLE_SYNONYMS, SUPPORT_ROLES,
                     code_of, normalise)

IMPORT_SOURCE = "/pedgrowth/mentoring/import"


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def cell_date(value: object) -> object:
    """A date from an XLSX date cell, `YYYY-MM-DD` or `ДД.ММ.ГГГГ`; anything else is left for the contract to refuse."""
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError:
        return cell_text(value)


def coded(code: Callable[[str], str]) -> Callable[[object], object]:
    """A cell holding a Russian name or a contract code, as the code (unknown text is left for the contract)."""
    def parse(value: object) -> object:
        text = cell_text(value)
        return None if text is None else code(text)
    return parse


def column(field: str, header: str, *aliases: str, required: bool = True,
           parse: Callable[[object], object] = cell_text) -> Column:
    """A column of a mentoring file (its cells are text unless ``parse`` says otherwise)."""
    return Column(field, header, aliases, required, parse)


def matches(column: Column, header: str) -> bool:
    """Whether the file's header names the column (its field name is accepted as well)."""
    return normalise(header) in {normalise(h) for h in (*column.headers, column.field)}


PERSON = column("person_id", "Код педагога", "Педагог", "Участник")
ATTENDANCE = Import(
    name="attendance", model=contract.SupportEventAttended,
    columns=(
        PERSON,
        column("event_id", "Код мероприятия"),
        column("event_name", "Название мероприятия", "Мероприятие"),
        column("kind", "Вид мероприятия", parse=coded(lambda v: code_of(v, SUPPORT_EVENT_KINDS, KIND_SYNONYMS))),
        column("attended_on", "Дата посещения", "Дата", parse=cell_date),
        column("role", "Форма участия", "Роль", required=False,
               parse=coded(lambda v: code_of(v, SUPPORT_ROLES, SUPPORT_ROLE_SYNONYMS))),
    ),
)
PAIRS = Import(
    name="pairs", model=contract.PairAssigned,
    columns=(
        column("pair_id", "Код пары", required=False),
        column("mentor_id", "Код наставника", "Наставник"),
        column("mentee_person_id", "Код наставляемого", "Наставляемый"),
        column("form", "Форма наставничества", "Форма", parse=coded(lambda v: code_of(v, FORMS, FORM_SYNONYMS))),
        column("started_on", "Дата начала", parse=cell_date),
        column("program", "Программа", "Программа наставничества", required=False),
    ),
)
ROLE_ID = column("role_id", "Код роли", "Код экспертной роли")
EXPERT_ROLES_STARTED = Import(
    name="expert-roles", model=contract.ExpertRoleStarted,
    columns=(
        PERSON,
        ROLE_ID,
        column("role", "Вид экспертной деятельности", "Роль", "Экспертная роль",
               parse=coded(lambda v: code_of(v, EXPERT_ROLES, EXPERT_ROLE_SYNONYMS))),
        column("level", "Уровень", parse=coded(lambda v: code_of(v, LEVELS, LEVEL_SYNONYMS))),
        column("started_on", "Дата начала", "Дата назначения", parse=cell_date),
    ),
)
EXPERT_ROLES_ENDED = Import(
    name="expert-roles-ended", model=contract.ExpertRoleEnded,
    columns=(PERSON, ROLE_ID, column("ended_on", "Дата окончания", "Дата завершения", parse=cell_date)),
)
PROJECT = column("project_id", "Код проекта")
PROJECT_PARTICIPANTS = Import(
    name="project-participants", model=contract.ProjectEnrolled,
    columns=(
        PERSON,
        PROJECT,
        column("project_name", "Название проекта", "Проект"),
        column("enrolled_on", "Дата включения", "Дата зачисления", parse=cell_date),
    ),
)
PROJECT_LEAVERS = Import(
    name="project-participants-left", model=contract.ProjectLeft,
    columns=(
        PERSON,
        PROJECT,
        column("left_on", "Дата выхода", "Дата окончания", parse=cell_date),
        column("outcome", "Итог", "Итог участия",
               parse=coded(lambda v: code_of(v, PROJECT_OUTCOMES, PROJECT_OUTCOME_SYNONYMS))),
    ),
)
IMPORTS = {kind.name: kind for kind in (ATTENDANCE, PAIRS, EXPERT_ROLES_STARTED, EXPERT_ROLES_ENDED,
                                        PROJECT_PARTICIPANTS, PROJECT_LEAVERS)}


def columns_of(kind: Import, headers: list[str]) -> dict[str, int]:
    """Contract field → column index; TableError naming the missing required header."""
    found = {}
    for column in kind.columns:
        index = next((i for i, h in enumerate(headers) if matches(column, h)), None)
        if index is not None:
            found[column.field] = index
        elif column.required:
            raise TableError(f"column «{column.header}» is missing; the table has: {', '.join(headers)}",
                             field=column.header)
    return found


def row_data(kind: Import, columns: dict[str, int], cells: list[object]) -> EventData:
    """The contract data of one row, or RowError naming the column."""
    values: dict[str, object] = {}
    by_field = {c.field: c for c in kind.columns}
    for field, index in columns.items():
        value = by_field[field].parse(cells[index] if index < len(cells) else None)
        if value is not None:
            values[field] = value
    if kind is PAIRS and "pair_id" not in values:
        values["pair_id"] = derived_pair_id(values)
    try:
        return kind.model.model_validate(values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else None
        header = next((c.header for c in kind.columns if c.field == field), None)
        problem = "is empty" if first["type"] == "missing" else f"is not valid: {first['msg']}"
        given = f" (got {first['input']!r})" if first["type"] != "missing" else ""
        raise RowError(f"«{header or field}» {problem}{given}", header, "schema") from None


def derived_pair_id(values: dict[str, object]) -> str:
    """A pair id for a row without one: the same row gives the same id."""
    key = "|".join(str(values.get(f, "")) for f in ("mentor_id", "mentee_person_id", "form", "started_on"))
    return f"pair-{uuid5(NAMESPACE_URL, 'pedgrowth:mentoring:pair:' + key).hex[:16]}"


def fact_of(data: EventData) -> Fact:
    """The row's fact, with an id derived from its content (the idempotence of imports)."""
    content = json.dumps(data.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)
    event_id = str(uuid5(NAMESPACE_URL, f"pedgrowth:mentoring:import:{data.event_type}:{content}"))
    return Fact(envelope=new_event(data, source=IMPORT_SOURCE, id=event_id), data=data)


def import_file(kind: Import, content: bytes, filename: str, authorize: Callable[[EventData], str | None],
                record: Callable[[Fact], object], limits: Limits = Limits()) -> dict:
    """Read the uploaded file and record its rows (synchronous: the route runs it on an import thread)."""
    return run_import(kind, parse(kind, content, filename, limits), authorize, record)


def parse(kind: Import, content: bytes, filename: str = "",
          limits: Limits = Limits()) -> list[tuple[int, Fact | RowError]]:
    """Every data row of the file as a fact or the reason it is not one."""
    table = read_table(content, filename, limits)
    columns = columns_of(kind, table.headers)
    parsed: list[tuple[int, Fact | RowError]] = []
    for number, cells in table.rows:
        try:
            parsed.append((number, fact_of(row_data(kind, columns, cells))))
        except RowError as bad:
            parsed.append((number, bad))
    return parsed


def run_import(kind: Import, parsed: list[tuple[int, Fact | RowError]],
               authorize: Callable[[EventData], str | None], record: Callable[[Fact], object]) -> dict:
    """Record each parsed row once (synchronous) and report every row: accepted, duplicate, waiting (for what it
    names: recorded once that is) or rejected."""
    rows = []
    for number, item in parsed:
        if isinstance(item, RowError):
            rows.append({"row": number, "outcome": "rejected", "reason_code": item.reason_code,
                         "field": item.column, "reason": str(item)})
            continue
        line = {"row": number, "subject": item.subject}
        forbidden = authorize(item.data)
        if forbidden:
            rows.append({**line, "outcome": "rejected", "reason_code": FORBIDDEN, "reason": forbidden})
            continue
        result = record(item).as_dict()
        if result.get("field"):
            result["field"] = header_of(kind, result["field"])
        rows.append({**line, **{k: str(v) for k, v in result.items()}})
    return {"kind": kind.name, "rows": rows, **count_outcomes(rows, ("accepted", "duplicate", "waiting", "rejected"))}


def header_of(kind: Import, field: str) -> str:
    """The Russian column header for a contract field path such as ``data.mentor_id``."""
    name = field.removeprefix("data.")
    return next((c.header for c in kind.columns if c.field == name), field)
