"""The staff list and the managers' reserve as XLSX, with the same Russian headers the import reads."""

from __future__ import annotations

from datetime import date

from .adapters.spreadsheets import write_xlsx
from .importing import COLUMNS
from .labels import POSITION_LABELS, yes_no

RESERVE_HEADERS = ("Идентификатор", "ФИО", "Дата включения в резерв", "Место работы", "Должность", "Телефон", "Email")


def staff_xlsx(staff: list[dict], day: date) -> bytes:
    """An organisation's staff on ``day``; the file imports back unchanged."""
    rows = [[s["person_id"], s["full_name"], POSITION_LABELS.get(s["position"], s["position"]), s["started_on"],
             s["pedagogical_experience_since"], s["birth_date"], "; ".join(s["subjects"] or []),
             yes_no(s["education_matches_profile"]), s["phone"], s["email"]] for s in staff]
    return write_xlsx(f"Кадры {day.strftime('%d.%m.%Y')}", [c.header for c in COLUMNS], rows)


def reserve_xlsx(members: list[dict], org_names: dict[str, str], day: date) -> bytes:
    """A municipality's managers' reserve on ``day``."""
    rows = [[m["person_id"], m["full_name"], m["enrolled_on"],
             "; ".join(org_names.get(p["org_id"], p["org_id"]) for p in m["posts"]),
             "; ".join(POSITION_LABELS.get(p["position"], p["position"]) for p in m["posts"]),
             m["phone"], m["email"]] for m in members]
    return write_xlsx(f"Резерв {day.strftime('%d.%m.%Y')}", RESERVE_HEADERS, rows)
