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


def name_demo_staff(registry_url: str, admin_token: str, org_ids: list[str], published: int,
                    timeout: float = 600.0) -> int:
    """Wait until the registry's inbox has taken in the ``published`` demo events, then import each
    organisation's staff with names; how many rows were named."""
    named = 0
    with httpx.Client(base_url=registry_url, headers={"Authorization": f"Bearer {admin_token}"},
                      timeout=60.0) as registry:
        deadline = time.monotonic() + timeout
        while inbox_taken(registry) < published and time.monotonic() < deadline:
            time.sleep(1.0)
        for org_id in org_ids:
            answer = registry.get(f"/api/v1/organisations/{org_id}/staff")
            unnamed = [row for row in answer.json().get("staff", []) if not row.get("full_name")]
            if answer.status_code != 200 or not unnamed:
                continue
            answer = registry.post(f"/api/v1/organisations/{org_id}/staff/import",
                                   files={"file": (f"staff-{org_id}.csv", staff_list(unnamed), "text/csv")})
            answer.raise_for_status()
            named += sum(1 for r in answer.json()["rows"] if r.get("status") != "rejected")
    return named


def inbox_taken(registry: httpx.Client) -> float:
    """Messages the registry's Kafka inbox has handled, whatever their outcome (from its /metrics)."""
    total = 0.0
    for line in registry.get("/metrics").text.splitlines():
        if line.startswith("pedgrowth_inbox_messages_total{") and 'channel="kafka"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total
