"""Bulk import of providers' completion lists, attestation orders and teachers' PD requests (submitted, met):
table rows become contract facts.

Each row is turned into the contract event a school system would have sent, with
an id derived from the row's content, and recorded through the inbox like any
other event: the same row imported twice is recorded once, a row the contract or
the rules refuse is reported and the others are imported. Names never leave the
file: only the columns below are read (a «ФИО» column is ignored).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from pedgrowth.contracts import ContractViolation, EventData, Fact, decode, new_event
from pedgrowth.contracts import training as contract
from pedgrowth.kit import tables
from pedgrowth.kit.imports import FORBIDDEN, Column, Import, RowError, count_outcomes
from pedgrowth.kit.inbox import Inbox, EventResult
from pedgrowth.kit.recording import Outcome
from pedgrowth.kit.tables import Limits, TableError, parse_day
from pedgrowth.kit.tables import normalise_header as normalise

CATEGORY_NAMES = {
    "соответствие занимаемой должности": "position_compliance",
    "сзд": "position_compliance",
    "первая": "first",
    "первая квалификационная категория": "first",
    "высшая": "highest",
    "высшая квалификационная категория": "highest",
    "педагог-методист": "pedagogue_methodist",
    "педагог-наставник": "pedagogue_mentor",
}


def parse_category(value: object) -> object:
    """A category by its Russian name or its contract code."""
    return CATEGORY_NAMES.get(normalise(value), str(value).strip())


DIRECTION_NAMES = {
    "предметное": "subject",
    "предметная область": "subject",
    "методическое": "methodical",
    "психолого-педагогическое": "psychological_pedagogical",
    "коммуникативное": "communicative",
    "цифровое": "digital",
    "цифровые компетенции": "digital",
    "икт": "digital",
    "управленческое": "management",
    "управление": "management",
    "другое": "other",
    "иное": "other",
}
"""Directions of a PD request by their Russian names (the contract codes are accepted as well)."""


def parse_direction(value: object) -> object:
    """A PD direction by its Russian name or its contract code."""
    return DIRECTION_NAMES.get(normalise(value), str(value).strip())


def parse_codes(value: object) -> list[str]:
    """Deficit codes separated by ';', ',' or spaces."""
    return [code for code in re.split(r"[;,\s]+", str(value)) if code]


def text(value: object) -> str:
    return str(value).strip()


def column(field: str, header: str, *aliases: str, required: bool = True,
           parse: Callable[[object], object] = text) -> Column:
    """A column of a training file (its cells are text unless ``parse`` says otherwise)."""
    return Column(field, header, aliases, required, parse)


def find_header(column: Column, present: set[str]) -> str | None:
    """The normalised header under which the file has the column (its field name is accepted as well)."""
    return next((normalise(h) for h in (*column.headers, column.field) if normalise(h) in present), None)


def source_of(kind: Import) -> str:
    return f"/pedgrowth/training/imports/{kind.name}"


PERSON = column("person_id", "Идентификатор педагога")

COURSE_COMPLETIONS = Import("course-completions", contract.CourseCompleted, (
    PERSON,
    column("program_id", "Код программы"),
    column("completed_on", "Дата окончания", parse=parse_day),
    column("certificate_number", "Номер удостоверения", required=False),
    column("addresses_deficits", "Коды дефицитов", "Устраненные дефициты", required=False, parse=parse_codes),
))

ATTESTATIONS = Import("attestations", contract.AttestationPassed, (
    PERSON,
    column("category", "Категория", "Квалификационная категория", parse=parse_category),
    column("decided_on", "Дата решения", "Дата приказа", parse=parse_day),
    column("valid_until", "Действует до", "Срок действия до", required=False, parse=parse_day),
))

REQUEST = column("request_id", "Номер запроса", "Код запроса")

PD_REQUESTS = Import("pd-requests", contract.PdRequestSubmitted, (
    REQUEST,
    PERSON,
    column("direction", "Направление", "Направление ПК", parse=parse_direction),
    column("topic", "Тема", "Тема запроса", required=False),
    column("submitted_on", "Дата подачи", "Дата запроса", parse=parse_day),
))

PD_REQUESTS_MET = Import("pd-requests-met", contract.PdRequestMet, (
    REQUEST,
    column("met_on", "Дата удовлетворения", "Дата исполнения", parse=parse_day),
    column("program_id", "Код программы", required=False),
))

IMPORTS = {kind.name: kind for kind in (COURSE_COMPLETIONS, ATTESTATIONS, PD_REQUESTS, PD_REQUESTS_MET)}


@dataclass(frozen=True)
class Table:
    """Headers as written in the file, and data rows keyed by normalised header, with their row numbers."""

    headers: list[str]
    rows: list[tuple[int, dict[str, object]]]


def read_table(content: bytes, filename: str, limits: Limits = Limits()) -> Table:
    """The uploaded .csv or .xlsx file (read by the kit) as rows keyed by normalised header."""
    table = tables.read_table(content, filename, limits)
    return Table(table.headers, table.records(normalise))


@dataclass(frozen=True)
class Layout:
    """Where each column of an import is in one file, and its header as the file writes it."""

    kind: Import
    keys: dict[str, str]
    titles: dict[str, str]

    @classmethod
    def of(cls, kind: Import, headers: list[str]) -> Layout:
        present = {normalise(h): h for h in headers if h}
        missing = [c.header for c in kind.columns if c.required and find_header(c, set(present)) is None]
        if missing:
            raise TableError(f"missing column {', '.join(f'«{m}»' for m in missing)}; "
                             f"the file has: {', '.join(present.values()) or 'no headers'}")
        keys = {c.field: key for c in kind.columns if (key := find_header(c, set(present)))}
        return cls(kind, keys, {c.field: present[keys[c.field]] if c.field in keys else c.header
                                for c in kind.columns})

    def title(self, column: Column) -> str:
        return self.titles[column.field]

    def error(self, column: Column | None, message: str, reason_code: str = "schema") -> RowError:
        """A row refused at this column (None: the row as a whole)."""
        if column is None:
            return RowError(message, reason_code=reason_code)
        return RowError(message, self.title(column), reason_code, f"data.{column.field}")


Authorize = Callable[[EventData], str | None]
"""The caller's write check (why a fact may not be written, or None): the service's access rules."""


def import_file(inbox: Inbox, kind: Import, content: bytes, filename: str, authorize: Authorize,
                limits: Limits = Limits()) -> dict:
    """Read the uploaded file and import its rows (synchronous: the route runs it on an import thread)."""
    return import_table(inbox, kind, read_table(content, filename, limits), authorize)


def import_table(inbox: Inbox, kind: Import, table: Table, authorize: Authorize) -> dict:
    """Record every valid row the caller may write; one report entry per row (synchronous: run it in a thread)."""
    layout = Layout.of(kind, table.headers)
    entries = [import_row(inbox, layout, number, values, authorize) for number, values in table.rows]
    unknown = sorted({e["unknown_program"] for e in entries if "unknown_program" in e})
    return {"kind": kind.name, "rows": len(entries), **count_outcomes(entries, [o.value for o in Outcome]),
            "unknown_programs": unknown, "results": entries}


def import_row(inbox: Inbox, layout: Layout, number: int, values: dict, authorize: Authorize) -> dict:
    try:
        fact = row_fact(layout, values)
    except RowError as refused:
        result = EventResult(Outcome.REJECTED, reason_code=refused.reason_code, reason=str(refused))
        inbox.count(result, "import")
        return row_entry(layout, number, result, layout.kind.column(refused.field))
    forbidden = authorize(fact.data)
    if forbidden:
        field = "data.request_id" if forbidden.startswith("data.request_id") else "data.person_id"
        result = EventResult(Outcome.REJECTED, reason_code=FORBIDDEN, reason=forbidden, field=field)
        inbox.count(result, "import")
        return row_entry(layout, number, result, layout.kind.column(result.field), fact.data)
    result = inbox.record(fact)
    inbox.count(result, "import")
    entry = row_entry(layout, number, result, layout.kind.column(result.field), fact.data)
    if isinstance(fact.data, contract.CourseCompleted) and (
            result.outcome is Outcome.WAITING or (result.outcome is Outcome.REJECTED and result.field == "data.program_id")):
        entry["unknown_program"] = fact.data.program_id
    return entry


def row_fact(layout: Layout, values: dict) -> Fact:
    """The row as a checked contract fact with its content-derived id, or RowError naming the column."""
    kind, data = layout.kind, {}
    for column in kind.columns:
        key = layout.keys.get(column.field)
        value = values.get(key) if key else None
        if value is None:
            if column.required:
                raise layout.error(column, f"«{layout.title(column)}» is empty")
            continue
        try:
            data[column.field] = column.parse(value)
        except ValueError as error:
            raise layout.error(column, f"«{layout.title(column)}»: {error}") from None
    try:
        checked = decode({"specversion": "1.0", "id": "row", "source": source_of(kind),
                          "type": kind.model.event_type, "time": datetime.now(UTC).isoformat(), "data": data})
    except ContractViolation as violation:
        column = kind.column(violation.field)
        where = f"«{layout.title(column)}»" if column else "row"
        raise layout.error(column, f"{where}: {violation.message}", violation.reason) from None
    return decode(new_event(checked.data, source=source_of(kind), id=row_id(kind, checked.data)))


def row_id(kind: Import, model: EventData) -> str:
    """The event id of a row: the same content always gives the same id, so re-imports are duplicates."""
    content = json.dumps(model.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)
    return str(uuid5(NAMESPACE_URL, f"pedgrowth:training:import:{kind.name}:{content}"))


def row_entry(layout: Layout, number: int, result: EventResult, column: Column | None,
              data: EventData | None = None) -> dict:
    entry = {"row": number, "outcome": result.outcome.value}
    for name in ("person_id", "request_id"):
        if getattr(data, name, None):
            entry[name] = getattr(data, name)
    if result.id and result.outcome is not Outcome.REJECTED:
        entry["id"] = result.id
    if result.outcome is Outcome.REJECTED:
        entry.update(reason_code=result.reason_code, reason=result.reason)
        if column is not None:
            entry["column"] = layout.title(column)
            entry["field"] = f"data.{column.field}"
    return entry
