"""Bulk import of providers' completion lists and attestation orders: table rows become contract facts.

Each row is turned into the contract event a school system would have sent, with
an id derived from the row's content, and recorded through the inbox like any
other event: the same row imported twice is recorded once, a row the contract or
the rules refuse is reported and the others are imported. Names never leave the
file: only the columns below are read (a «ФИО» column is ignored).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from pydantic import ValidationError

from pedgrowth.contracts import EventData, Fact, decode, new_event
from pedgrowth.contracts import training as contract
from pedgrowth.kit.inbox import Inbox, Result
from pedgrowth.kit.recording import Outcome

from .adapters.tabular import Table, TableError, normalise, parse_day

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


def parse_codes(value: object) -> list[str]:
    """Deficit codes separated by ';', ',' or spaces."""
    return [code for code in re.split(r"[;,\s]+", str(value)) if code]


def text(value: object) -> str:
    return str(value).strip()


@dataclass(frozen=True)
class Column:
    """One column of an import file: the contract field it fills and the headers it may have."""

    field: str
    headers: tuple[str, ...]
    required: bool = True
    parse: Callable[[object], object] = text

    @property
    def title(self) -> str:
        return self.headers[0]

    def find(self, present: set[str]) -> str | None:
        return next((normalise(h) for h in (*self.headers, self.field) if normalise(h) in present), None)


PERSON = Column("person_id", ("Идентификатор педагога",))


@dataclass(frozen=True)
class ImportKind:
    """A kind of file training imports, and the contract event each of its rows becomes."""

    name: str
    model: type[EventData]
    columns: tuple[Column, ...]

    @property
    def source(self) -> str:
        return f"/pedgrowth/training/imports/{self.name}"

    def column(self, field: str | None) -> Column | None:
        name = (field or "").removeprefix("data.").split(".")[0]
        return next((c for c in self.columns if c.field == name), None)


COURSE_COMPLETIONS = ImportKind("course-completions", contract.CourseCompleted, (
    PERSON,
    Column("program_id", ("Код программы",)),
    Column("completed_on", ("Дата окончания",), parse=parse_day),
    Column("certificate_number", ("Номер удостоверения",), required=False),
    Column("addresses_deficits", ("Коды дефицитов", "Устраненные дефициты"), required=False, parse=parse_codes),
))

ATTESTATIONS = ImportKind("attestations", contract.AttestationPassed, (
    PERSON,
    Column("category", ("Категория", "Квалификационная категория"), parse=parse_category),
    Column("decided_on", ("Дата решения", "Дата приказа"), parse=parse_day),
    Column("valid_until", ("Действует до", "Срок действия до"), required=False, parse=parse_day),
))

KINDS = {kind.name: kind for kind in (COURSE_COMPLETIONS, ATTESTATIONS)}


class RowRefused(Exception):
    """A row that is not a valid event; reported with the column at fault."""

    def __init__(self, reason_code: str, message: str, column: Column | None):
        super().__init__(message)
        self.reason_code = reason_code
        self.column = column


def import_table(inbox: Inbox, kind: ImportKind, table: Table) -> dict:
    """Record every valid row; the report has one entry per row (synchronous: run it in a thread)."""
    present = {normalise(h) for h in table.headers}
    missing = [c.title for c in kind.columns if c.required and c.find(present) is None]
    if missing:
        raise TableError(f"missing column {', '.join(f'«{m}»' for m in missing)}; "
                         f"the file has: {', '.join(h for h in table.headers if h) or 'no headers'}")
    entries = [import_row(inbox, kind, present, number, values) for number, values in table.rows]
    counts = Counter(e["outcome"] for e in entries)
    unknown = sorted({e["unknown_program"] for e in entries if "unknown_program" in e})
    return {"kind": kind.name, "rows": len(entries), **{o.value: counts.get(o.value, 0) for o in Outcome},
            "unknown_programs": unknown, "results": entries}


def import_row(inbox: Inbox, kind: ImportKind, present: set[str], number: int, values: dict) -> dict:
    try:
        fact = row_fact(kind, present, values)
    except RowRefused as refused:
        result = Result(Outcome.REJECTED, reason_code=refused.reason_code, reason=str(refused))
        inbox.count(result, "import")
        return row_entry(number, result, refused.column)
    result = inbox.record(fact)
    inbox.count(result, "import")
    entry = row_entry(number, result, kind.column(result.field), fact.data.person_id)
    if result.outcome is Outcome.REJECTED and result.field == "data.program_id":
        entry["unknown_program"] = fact.data.program_id
    return entry


def row_fact(kind: ImportKind, present: set[str], values: dict) -> Fact:
    data = {}
    for column in kind.columns:
        header = column.find(present)
        value = values.get(header) if header else None
        if value is None:
            if column.required:
                raise RowRefused("schema", f"«{column.title}» is empty", column)
            continue
        data[column.field] = column.parse(value)
    try:
        model = kind.model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        column = kind.column(str(first["loc"][0]) if first["loc"] else None)
        where = f"«{column.title}»" if column else "row"
        raise RowRefused("schema", f"{where}: {first['msg']}", column) from None
    return decode(new_event(model, source=kind.source, id=row_id(kind, model)))


def row_id(kind: ImportKind, model: EventData) -> str:
    """The event id of a row: the same content always gives the same id, so re-imports are duplicates."""
    content = json.dumps(model.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)
    return str(uuid5(NAMESPACE_URL, f"pedgrowth:training:import:{kind.name}:{content}"))


def row_entry(number: int, result: Result, column: Column | None, person_id: str | None = None) -> dict:
    entry = {"row": number, "outcome": result.outcome.value}
    if person_id:
        entry["person_id"] = person_id
    if result.id and result.outcome is not Outcome.REJECTED:
        entry["id"] = result.id
    if result.outcome is Outcome.REJECTED:
        entry.update(reason_code=result.reason_code, reason=result.reason)
        if column is not None:
            entry["column"] = column.title
            entry["field"] = f"data.{column.field}"
    return entry
