"""Bulk import of a school's staff list (CSV / XLSX with Russian headers), idempotent, with a per-row report.

Each row becomes the contract facts it implies — a hire, a position change, an
education-profile finding — recorded through the same inbox as any other event, with
CloudEvent ids derived from the row's content: importing a file again finds every
fact recorded already and records nothing new. People employed at the organisation
but missing from the file are listed, and dismissed only when the caller asks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from pydantic import ValidationError

from pedgrowth.contracts import EventData, Fact, new_event
from pedgrowth.contracts import registry as contract
from pedgrowth.kit.imports import FORBIDDEN, Column, Import, RowError, count_outcomes
from pedgrowth.kit.inbox import EventResult
from pedgrowth.kit.recording import Outcome
from pedgrowth.kit.tables import Cell, Limits, TableError, parse_day, read_table

from .application import RegistryApplication
from .labels import NO, YES, normalise, position_code


COLUMNS = (
    Column("person_id", "Идентификатор", ("id", "код сотрудника", "идентификатор сотрудника")),
    Column("full_name", "ФИО", ("ф.и.о.", "фамилия имя отчество")),
    Column("position", "Должность"),
    Column("started_on", "Дата приёма", ("дата приема на работу", "дата приёма на работу")),
    Column("pedagogical_experience_since", "Педагогический стаж с", ("дата начала педагогического стажа",)),
    Column("birth_date", "Дата рождения", required=False),
    Column("subjects", "Предметы", ("преподаваемые предметы", "предмет"), required=False),
    Column("education_matches_profile", "Образование по профилю", ("образование соответствует профилю",),
           required=False),
    Column("phone", "Телефон", required=False),
    Column("email", "Email", ("e-mail", "электронная почта", "эл. почта"), required=False),
)
STAFF = Import("staff", contract.EmploymentStarted, COLUMNS)
"""A school's staff list: each row is a hire (or the position change and profile finding that bring a known
employment to what the row says), and the person's name and contacts."""
HEADERS = {normalise(name): c for c in COLUMNS for name in c.headers}
HEADER_OF = {c.field: c.header for c in COLUMNS}
SUBJECT_SEPARATORS = re.compile(r"[;,\n]")
DATE_COLUMNS = ("started_on", "pedagogical_experience_since", "birth_date")


def refused(key: str, message: str, reason_code: str | None = None) -> RowError:
    """A row the import cannot record, at the column filling the field ``key`` (else named ``key`` itself)."""
    return RowError(message, HEADER_OF.get(key, key), reason_code)


@dataclass
class StaffRow:
    """What happened to one row of the file."""

    row: int
    status: str  # accepted | unchanged | rejected
    person_id: str | None = None
    recorded: list[str] = field(default_factory=list)
    column: str | None = None
    reason_code: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}


Record = Callable[[Fact], EventResult]
Authorize = Callable[[EventData], str | None]
"""The caller's write check (why a fact may not be written, or None): the registry's access rules."""


class StaffImport:
    """Imports one organisation's staff list through ``record`` (the service inbox's write)."""

    def __init__(self, app: RegistryApplication, record: Record, org_id: str, today: date, authorize: Authorize,
                 limits: Limits = Limits()):
        self.app = app
        self.limits = limits
        self.record = record
        self.authorize = authorize
        self.org_id = org_id
        self.today = today
        self.source = f"/registry/import/{org_id}"

    def run(self, content: bytes, filename: str, end_missing: bool = False, ended_on: date | None = None,
            end_reason: str = "other") -> dict[str, Any]:
        """Import the file; the report lists every row, the people missing from it, and who was ended."""
        table = read_table(content, filename, self.limits)
        columns, ignored = self.columns(table.headers)
        before = {s["person_id"]: s for s in self.app.current_staff(self.org_id)}
        seen: dict[str, int] = {}
        reports = [self.import_row(number, self.cells(columns, cells), seen) for number, cells in table.rows]
        missing = [summary(before[pid]) for pid in sorted(before.keys() - seen.keys())]
        ended = self.end(missing, ended_on or self.today, end_reason) if end_missing else []
        counts = count_outcomes(map(vars, reports), ("accepted", "unchanged", "rejected"), key="status")
        return {"org_id": self.org_id, **counts, "rows": [r.as_dict() for r in reports],
                "missing": missing, "ended": ended, "ignored_columns": ignored}

    @staticmethod
    def columns(header: list[str]) -> tuple[dict[int, Column], list[str]]:
        found, ignored = {}, []
        for index, title in enumerate(header):
            if not title:
                continue
            column = HEADERS.get(normalise(title))
            if column is None:
                ignored.append(title)
            else:
                found[index] = column
        absent = [c.header for c in STAFF.columns if c.required and c not in found.values()]
        if absent:
            raise TableError(f"the header row lacks required columns: {', '.join(absent)} "
                             f"(found: {', '.join(title for title in header if title)})")
        return found, ignored

    @staticmethod
    def cells(columns: dict[int, Column], cells: list[Cell]) -> dict[str, Cell]:
        return {column.field: cells[index] if index < len(cells) else None for index, column in columns.items()}

    def import_row(self, number: int, cells: dict[str, Cell], seen: dict[str, int]) -> StaffRow:
        person_id = text(cells.get("person_id"))
        report = StaffRow(row=number, status="rejected", person_id=person_id)
        if person_id and person_id in seen:
            report.column = HEADER_OF["person_id"]
            report.reason = f"{person_id} already appears in row {seen[person_id]}"
            return report
        if person_id:
            seen[person_id] = number
        try:
            started, details = parse_row(cells, self.org_id)
            report.recorded, report.notes = self.apply(started, details)
        except RowError as error:
            report.column, report.reason, report.reason_code = error.column, str(error), error.reason_code
            return report
        report.status = "accepted" if report.recorded else "unchanged"
        return report

    def apply(self, started: contract.EmploymentStarted, details: dict[str, str | None]) -> tuple[list[str], list[str]]:
        """Record what the row says that the registry does not know yet; returns what was recorded, and notes."""
        facts, notes = self.facts_for(started)
        recorded = [r.type.split(".")[2] for r in map(self.submit, facts) if r.outcome is Outcome.ACCEPTED]
        if self.app.record_details(started.person_id, **details):
            recorded.append("personal_details")
        return recorded, notes

    def facts_for(self, started: contract.EmploymentStarted) -> tuple[list[EventData], list[str]]:
        """The facts that bring the registry to what the row says, and what no fact can change."""
        current = self.app.active_employment(started.person_id, self.org_id)
        if current is None:
            return [started], []
        if current["started_on"] != started.started_on:
            raise refused("started_on", f"{started.person_id} is employed here since "
                                         f"{current['started_on'].strftime('%d.%m.%Y')}, the file says "
                                         f"{started.started_on.strftime('%d.%m.%Y')}")
        facts: list[EventData] = []
        if current["position"] != started.position.value:
            facts.append(contract.PositionChanged(person_id=started.person_id, org_id=self.org_id,
                                                  position=started.position, changed_on=self.today))
        wanted = started.education_matches_profile
        if wanted is not None and wanted != current["education_matches_profile"]:
            facts.append(contract.EducationProfileRecorded(person_id=started.person_id, matches_profile=wanted,
                                                           recorded_on=self.today))
        return facts, unchangeable(current, started)

    def submit(self, data: EventData) -> EventResult:
        forbidden = self.authorize(data)
        if forbidden:
            raise refused("person_id", forbidden, FORBIDDEN)
        result = self.record(Fact(envelope=self.envelope(data), data=data))
        if result.outcome is Outcome.REJECTED:
            raise refused(COLUMN_OF_FIELD.get(result.field or "", result.field or "row"), result.reason or "")
        return result

    def envelope(self, data: EventData):
        """The CloudEvent for an imported fact; its id depends only on what the row says."""
        content = data.model_dump(mode="json", exclude_none=True, exclude={"changed_on", "recorded_on"})
        basis = json.dumps({"org": self.org_id, "type": data.event_type, "data": content}, sort_keys=True,
                           ensure_ascii=False)
        return new_event(data, source=self.source, id=str(uuid5(NAMESPACE_URL, f"pedgrowth:registry:import:{basis}")),
                         time=datetime.now(UTC))

    def end(self, missing: list[dict], ended_on: date, reason: str) -> list[dict]:
        """End the employments of people missing from the file (only when asked)."""
        ended = []
        for person in missing:
            data = contract.EmploymentEnded(person_id=person["person_id"], org_id=self.org_id, ended_on=ended_on,
                                            reason=reason)
            try:
                self.submit(data)
            except RowError as error:
                ended.append({"person_id": person["person_id"], "status": "rejected", "reason": str(error)})
            else:
                ended.append({"person_id": person["person_id"], "status": "ended", "ended_on": ended_on})
        return ended


COLUMN_OF_FIELD = {f"data.{c.field}": c.field for c in COLUMNS} | {"data.org_id": "person_id",
                                                                "data.person_id": "person_id"}


def unchangeable(current: dict, started: contract.EmploymentStarted) -> list[str]:
    """Differences the file shows in fields that no registry event changes after the hire."""
    notes = []
    for key in ("pedagogical_experience_since", "birth_date", "subjects"):
        given = getattr(started, key)
        if given is not None and given != (current[key] or None):
            notes.append(f"{HEADER_OF[key]}: the file says {show(given)}, the registry keeps {show(current[key])} "
                         "(recorded at hiring; not changed by an import)")
    return notes


def show(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return "—" if value is None else str(value)


def summary(staff: dict) -> dict:
    return {k: staff.get(k) for k in ("person_id", "full_name", "position", "started_on")}


def parse_row(cells: dict[str, Cell], org_id: str) -> tuple[contract.EmploymentStarted, dict[str, str | None]]:
    """The hire a row describes and the personal details beside it, or RowError naming the column."""
    full_name = text(cells.get("full_name"))
    if not full_name:
        raise refused("full_name", "ФИО is empty")
    raw_position = text(cells.get("position"))
    position = position_code(raw_position or "")
    if position is None:
        raise refused("position", f"unknown position {raw_position!r}" if raw_position else "Должность is empty")
    values = {key: parse_date(key, cells.get(key)) for key in DATE_COLUMNS}
    for key in ("started_on", "pedagogical_experience_since"):
        if values[key] is None:
            raise refused(key, f"{HEADER_OF[key]} is empty")
    subjects = [s.strip() for s in SUBJECT_SEPARATORS.split(text(cells.get("subjects")) or "") if s.strip()]
    data = {"person_id": text(cells.get("person_id")), "org_id": org_id, "position": position,
            **{k: v for k, v in values.items() if v is not None}, "subjects": subjects or None,
            "education_matches_profile": parse_flag(cells.get("education_matches_profile"))}
    try:
        started = contract.EmploymentStarted.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        key = str(first["loc"][0]) if first["loc"] else "person_id"
        raise refused(key, "is required" if first["type"] == "missing" else first["msg"]) from None
    details = {"full_name": full_name, "phone": text(cells.get("phone")), "email": text(cells.get("email"))}
    return started, details


def text(cell: Cell) -> str | None:
    if cell is None:
        return None
    value = " ".join(str(cell).split())
    return value or None


def parse_date(key: str, cell: Cell) -> date | None:
    """A date cell, or text as ДД.ММ.ГГГГ or ГГГГ-ММ-ДД."""
    if cell is None:
        return None
    try:
        return parse_day(cell)
    except ValueError:
        raise refused(key, f"{cell!r} is not a date (expected ДД.ММ.ГГГГ)") from None


def parse_flag(cell: Cell) -> bool | None:
    """да / нет (also yes / no, 1 / 0); empty means unknown."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return cell
    value = normalise(str(cell))
    if value in YES:
        return True
    if value in NO:
        return False
    raise refused("education_matches_profile", f"{cell!r}: expected да or нет")

