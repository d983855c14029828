"""Bulk import of attendance lists, pair assignments, expert roles and project participants: table rows become
contract facts, one report line each.

Idempotent: each row's CloudEvent id is derived from its content, so importing the
same file again reports every row as a duplicate and records nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from pydantic import ValidationError

from pedgrowth.contracts import EventData, Fact, new_event
from pedgrowth.contracts import mentoring as contract
from pedgrowth.kit.tables import Limits, TableError, parse_day, read_table

from .labels import (EXPERT_ROLE_SYNONYMS, EXPERT_ROLES, FORM_SYNONYMS, FORMS, KIND_SYNONYMS, LEVEL_SYNONYMS, LEVELS,
                     PROJECT_OUTCOME_SYNONYMS, PROJECT_OUTCOMES, SUPPORT_EVENT_KINDS, SUPPORT_ROLE_SYNONYMS, SUPPORT_ROLES,
                     code_of, normalise)

IMPORT_SOURCE = "/pedgrowth/mentoring/import"


@dataclass(frozen=True)
class Column:
    """One column of an import table: its Russian header, the contract field, other accepted headers."""

    header: str
    field: str
    required: bool = True
    aliases: tuple[str, ...] = ()

    def matches(self, header: str) -> bool:
        return normalise(header) in {normalise(h) for h in (self.header, self.field, *self.aliases)}


@dataclass(frozen=True)
class Layout:
    """What one kind of import table looks like and which contract event each row becomes."""

    name: str
    model: type[EventData]
    columns: tuple[Column, ...]
    dates: tuple[str, ...]
    codes: dict[str, Callable[[str], str]]


PERSON = Column("Код педагога", "person_id", aliases=("Педагог", "Участник"))
ATTENDANCE = Layout(
    name="attendance", model=contract.SupportEventAttended,
    columns=(
        PERSON,
        Column("Код мероприятия", "event_id"),
        Column("Название мероприятия", "event_name", aliases=("Мероприятие",)),
        Column("Вид мероприятия", "kind"),
        Column("Дата посещения", "attended_on", aliases=("Дата",)),
        Column("Форма участия", "role", required=False, aliases=("Роль",)),
    ),
    dates=("attended_on",),
    codes={"kind": lambda v: code_of(v, SUPPORT_EVENT_KINDS, KIND_SYNONYMS),
           "role": lambda v: code_of(v, SUPPORT_ROLES, SUPPORT_ROLE_SYNONYMS)},
)
PAIRS = Layout(
    name="pairs", model=contract.PairAssigned,
    columns=(
        Column("Код пары", "pair_id", required=False),
        Column("Код наставника", "mentor_id", aliases=("Наставник",)),
        Column("Код наставляемого", "mentee_person_id", aliases=("Наставляемый",)),
        Column("Форма наставничества", "form", aliases=("Форма",)),
        Column("Дата начала", "started_on"),
        Column("Программа", "program", required=False, aliases=("Программа наставничества",)),
    ),
    dates=("started_on",),
    codes={"form": lambda v: code_of(v, FORMS, FORM_SYNONYMS)},
)
ROLE_ID = Column("Код роли", "role_id", aliases=("Код экспертной роли",))
EXPERT_ROLES_STARTED = Layout(
    name="expert-roles", model=contract.ExpertRoleStarted,
    columns=(
        PERSON,
        ROLE_ID,
        Column("Вид экспертной деятельности", "role", aliases=("Роль", "Экспертная роль")),
        Column("Уровень", "level"),
        Column("Дата начала", "started_on", aliases=("Дата назначения",)),
    ),
    dates=("started_on",),
    codes={"role": lambda v: code_of(v, EXPERT_ROLES, EXPERT_ROLE_SYNONYMS),
           "level": lambda v: code_of(v, LEVELS, LEVEL_SYNONYMS)},
)
EXPERT_ROLES_ENDED = Layout(
    name="expert-roles-ended", model=contract.ExpertRoleEnded,
    columns=(PERSON, ROLE_ID, Column("Дата окончания", "ended_on", aliases=("Дата завершения",))),
    dates=("ended_on",), codes={},
)
PROJECT = Column("Код проекта", "project_id")
PROJECT_PARTICIPANTS = Layout(
    name="project-participants", model=contract.ProjectEnrolled,
    columns=(
        PERSON,
        PROJECT,
        Column("Название проекта", "project_name", aliases=("Проект",)),
        Column("Дата включения", "enrolled_on", aliases=("Дата зачисления",)),
    ),
    dates=("enrolled_on",), codes={},
)
PROJECT_LEAVERS = Layout(
    name="project-participants-left", model=contract.ProjectLeft,
    columns=(
        PERSON,
        PROJECT,
        Column("Дата выхода", "left_on", aliases=("Дата окончания",)),
        Column("Итог", "outcome", aliases=("Итог участия",)),
    ),
    dates=("left_on",),
    codes={"outcome": lambda v: code_of(v, PROJECT_OUTCOMES, PROJECT_OUTCOME_SYNONYMS)},
)
LAYOUTS = {layout.name: layout for layout in (ATTENDANCE, PAIRS, EXPERT_ROLES_STARTED, EXPERT_ROLES_ENDED,
                                              PROJECT_PARTICIPANTS, PROJECT_LEAVERS)}


class BadRow(ValueError):
    """A row that does not make a valid fact; ``column`` is the Russian header at fault."""

    def __init__(self, message: str, column: str | None):
        super().__init__(message)
        self.column = column


def columns_of(layout: Layout, headers: list[str]) -> dict[str, int]:
    """Contract field → column index; TableError naming the missing required header."""
    found = {}
    for column in layout.columns:
        index = next((i for i, h in enumerate(headers) if column.matches(h)), None)
        if index is not None:
            found[column.field] = index
        elif column.required:
            raise TableError(f"column «{column.header}» is missing; the table has: {', '.join(headers)}",
                             field=column.header)
    return found


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


def row_data(layout: Layout, columns: dict[str, int], cells: list[object]) -> EventData:
    """The contract data of one row, or BadRow naming the column."""
    values: dict[str, object] = {}
    for field, index in columns.items():
        raw = cells[index] if index < len(cells) else None
        value = cell_date(raw) if field in layout.dates else cell_text(raw)
        if isinstance(value, str) and field in layout.codes:
            value = layout.codes[field](value)
        if value is not None:
            values[field] = value
    if layout is PAIRS and "pair_id" not in values:
        values["pair_id"] = derived_pair_id(values)
    try:
        return layout.model.model_validate(values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else None
        header = next((c.header for c in layout.columns if c.field == field), None)
        problem = "is empty" if first["type"] == "missing" else f"is not valid: {first['msg']}"
        given = f" (got {first['input']!r})" if first["type"] != "missing" else ""
        raise BadRow(f"«{header or field}» {problem}{given}", header) from None


def derived_pair_id(values: dict[str, object]) -> str:
    """A pair id for a row without one: the same row gives the same id."""
    key = "|".join(str(values.get(f, "")) for f in ("mentor_id", "mentee_person_id", "form", "started_on"))
    return f"pair-{uuid5(NAMESPACE_URL, 'pedgrowth:mentoring:pair:' + key).hex[:16]}"


def fact_of(data: EventData) -> Fact:
    """The row's fact, with an id derived from its content (the idempotence of imports)."""
    content = json.dumps(data.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)
    event_id = str(uuid5(NAMESPACE_URL, f"pedgrowth:mentoring:import:{data.event_type}:{content}"))
    return Fact(envelope=new_event(data, source=IMPORT_SOURCE, id=event_id), data=data)


def import_file(layout: Layout, content: bytes, filename: str, authorize: Callable[[EventData], str | None],
                record: Callable[[Fact], object], limits: Limits = Limits()) -> dict:
    """Read the uploaded file and record its rows (synchronous: the route runs it on an import thread)."""
    return run_import(layout, parse(layout, content, filename, limits), authorize, record)


def parse(layout: Layout, content: bytes, filename: str = "", limits: Limits = Limits()) -> list[tuple[int, Fact | BadRow]]:
    """Every data row of the file as a fact or the reason it is not one."""
    table = read_table(content, filename, limits)
    columns = columns_of(layout, table.headers)
    parsed: list[tuple[int, Fact | BadRow]] = []
    for number, cells in table.rows:
        try:
            parsed.append((number, fact_of(row_data(layout, columns, cells))))
        except BadRow as bad:
            parsed.append((number, bad))
    return parsed


def run_import(layout: Layout, parsed: list[tuple[int, Fact | BadRow]],
               authorize: Callable[[EventData], str | None], record: Callable[[Fact], object]) -> dict:
    """Record each parsed row once (synchronous) and report every row: accepted, duplicate, waiting (for what it
    names: recorded once that is) or rejected."""
    rows = []
    for number, item in parsed:
        if isinstance(item, BadRow):
            rows.append({"row": number, "outcome": "rejected", "reason_code": "schema",
                         "field": item.column, "reason": str(item)})
            continue
        line = {"row": number, "subject": item.subject}
        forbidden = authorize(item.data)
        if forbidden:
            rows.append({**line, "outcome": "rejected", "reason_code": "forbidden", "reason": forbidden})
            continue
        result = record(item).as_dict()
        if result.get("field"):
            result["field"] = header_of(layout, result["field"])
        rows.append({**line, **{k: str(v) for k, v in result.items()}})
    counts = {outcome: sum(r["outcome"] == outcome for r in rows)
              for outcome in ("accepted", "duplicate", "waiting", "rejected")}
    return {"kind": layout.name, "rows": rows, **counts}


def header_of(layout: Layout, field: str) -> str:
    """The Russian column header for a contract field path such as ``data.mentor_id``."""
    name = field.removeprefix("data.")
    return next((c.header for c in layout.columns if c.field == name), field)
