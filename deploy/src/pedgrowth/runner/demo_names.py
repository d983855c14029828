"""Synthetic Russian ФИО for the demo's staff, loaded the way a school would: its staff import.

Names never travel on the bus: after the demo's events are recorded, each school's current
staff is read back from the registry and imported again as a staff list with a ФИО per person
(the same start, position and experience the registry holds, so the import records only the
personal details). Deterministic: a person id always gets the same name; a second run changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time

import httpx

MALE = ["Александр", "Алексей", "Андрей", "Владимир", "Дмитрий", "Евгений", "Иван", "Игорь", "Константин",
        "Михаил", "Николай", "Олег", "Павел", "Сергей", "Юрий"]
FEMALE = ["Анна", "Валентина", "Галина", "Екатерина", "Елена", "Ирина", "Людмила", "Марина", "Мария", "Наталья",
          "Ольга", "Светлана", "Татьяна", "Юлия", "Ксения"]
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
            "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Фролов", "Александров"]
PATRONYMIC_MALE = ["Александрович", "Алексеевич", "Андреевич", "Викторович", "Владимирович", "Дмитриевич",
                   "Иванович", "Михайлович", "Николаевич", "Петрович", "Сергеевич", "Юрьевич"]
PATRONYMIC_FEMALE = ["Александровна", "Алексеевна", "Андреевна", "Викторовна", "Владимировна", "Дмитриевна",
                     "Ивановна", "Михайловна", "Николаевна", "Петровна", "Сергеевна", "Юрьевна"]
HEADERS = ("Идентификатор", "ФИО", "Должность", "Дата приёма", "Педагогический стаж с")


def full_name(person_id: str) -> str:
    """A stable synthetic ФИО for a person id (about three in four pedagogical staff are women)."""
    digest = hashlib.sha256(person_id.encode()).digest()
    woman = digest[0] % 4 != 0
    surname = SURNAMES[digest[1] % len(SURNAMES)] + ("а" if woman else "")
    first = (FEMALE if woman else MALE)[digest[2] % 15]
    patronymic = (PATRONYMIC_FEMALE if woman else PATRONYMIC_MALE)[digest[3] % 12]
    return f"{surname} {first} {patronymic}"


def staff_list(staff: list[dict]) -> bytes:
    """A staff import file (CSV, `;`) naming each person the registry lists, with what it already holds."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in staff:
        writer.writerow([row["person_id"], row.get("full_name") or full_name(row["person_id"]),
                         row.get("position_label") or row["position"], day(row["started_on"]),
                         day(row["pedagogical_experience_since"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def day(iso: str) -> str:
    year, month, dom = iso[:10].split("-")
    return f"{dom}.{month}.{year}"


def name_demo_staff(registry_url: str, admin_token: str, org_ids: list[str], timeout: float = 300.0) -> int:
    """Wait until the registry has taken in the demo's staff, then import each school's with names; rows named."""
    named = 0
    with httpx.Client(base_url=registry_url, headers={"Authorization": f"Bearer {admin_token}"},
                      timeout=60.0) as registry:
        for org_id, staff in settled_staff(registry, org_ids, time.monotonic() + timeout).items():
            unnamed = [row for row in staff if not row.get("full_name")]
            if not unnamed:
                continue
            answer = registry.post(f"/api/v1/organisations/{org_id}/staff/import",
                                   files={"file": (f"staff-{org_id}.csv", staff_list(unnamed), "text/csv")})
            answer.raise_for_status()
            named += sum(1 for r in answer.json()["rows"] if r.get("status") != "rejected")
    return named


QUIET_READS = 5


def settled_staff(registry: httpx.Client, org_ids: list[str], deadline: float) -> dict[str, list[dict]]:
    """Every organisation's staff once QUIET_READS reads a second apart found the same staff
    (the demo's events are still arriving through the inbox), or what it holds when the time is up."""
    last, quiet = None, 0
    while True:
        staff = {}
        for org_id in org_ids:
            answer = registry.get(f"/api/v1/organisations/{org_id}/staff")
            staff[org_id] = answer.json()["staff"] if answer.status_code == 200 else []
        shape = {org: sorted((r["person_id"], r["position"]) for r in rows) for org, rows in staff.items()}
        quiet = quiet + 1 if shape == last and any(shape.values()) else 0
        if quiet >= QUIET_READS or time.monotonic() > deadline:
            return staff
        last = shape
        time.sleep(1.0)
