"""«Загрузка данных» and «Качество данных»: spreadsheets forwarded to the service that owns them, per-row reports.

The page never records anything itself: the file goes, with the session's own token, to the
owning service's import route (registry: staff; training: courses, attestation, PD requests and
their being met; mentoring: pairs, attendance, expert roles, project participants), whose per-row
report is shown in Russian. Rejected rows (ids, columns and reasons,
never names) are kept in memory for «Качество данных», beside each service's dead letters,
facts waiting for a reference and counts of events delivered again, read from their operator API.
"""

from __future__ import annotations

import io
import re
import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Annotated

import httpx
from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import HTMLResponse, Response

from pedgrowth.contracts.scope import Scope
from pedgrowth.kit.auth import SESSION_COOKIE, Principal, check_same_origin
from pedgrowth.kit.bodies import refusal as route_refusal

from ..access import Access
from .pages import page, session, to_login

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class UploadKind:
    """One kind of spreadsheet the page takes: who owns it, where it goes, the documented headers."""

    title: str
    service: str
    path: str
    headers: tuple[str, ...]
    per_organisation: bool = False


KINDS = {
    "staff": UploadKind("Список педагогических работников организации", "registry",
                        "/api/v1/organisations/{org_id}/staff/import",
                        ("Идентификатор", "ФИО", "Должность", "Дата приёма", "Педагогический стаж с", "Дата рождения",
                         "Предметы", "Образование по профилю", "Телефон", "Email"), per_organisation=True),
    "courses": UploadKind("Повышение квалификации (список прошедших курсы)", "training",
                          "/api/v1/imports/course-completions",
                          ("Идентификатор педагога", "Код программы", "Дата окончания", "Номер удостоверения",
                           "Коды дефицитов")),
    "attestations": UploadKind("Аттестация (приказ о квалификационных категориях)", "training",
                               "/api/v1/imports/attestations",
                               ("Идентификатор педагога", "Категория", "Дата решения", "Действует до")),
    "pairs": UploadKind("Наставничество (закрепление пар)", "mentoring", "/api/v1/imports/pairs",
                        ("Код пары", "Код наставника", "Код наставляемого", "Форма наставничества", "Дата начала",
                         "Программа")),
    "attendance": UploadKind("Мероприятия поддержки (списки посещения)", "mentoring", "/api/v1/imports/attendance",
                             ("Код педагога", "Код мероприятия", "Название мероприятия", "Вид мероприятия",
                              "Дата посещения", "Форма участия")),
    "pd-requests": UploadKind("Запросы педагогов на повышение квалификации", "training", "/api/v1/imports/pd-requests",
                              ("Номер запроса", "Идентификатор педагога", "Направление", "Тема", "Дата подачи")),
    "pd-requests-met": UploadKind("Удовлетворённые запросы на повышение квалификации", "training",
                                  "/api/v1/imports/pd-requests-met",
                                  ("Номер запроса", "Дата удовлетворения", "Код программы")),
    "expert-roles": UploadKind("Экспертная деятельность (начало)", "mentoring", "/api/v1/imports/expert-roles",
                               ("Код педагога", "Код роли", "Вид экспертной деятельности", "Уровень", "Дата начала")),
    "expert-roles-ended": UploadKind("Экспертная деятельность (окончание)", "mentoring",
                                     "/api/v1/imports/expert-roles-ended",
                                     ("Код педагога", "Код роли", "Дата окончания")),
    "project-participants": UploadKind("Участники проектов (включение)", "mentoring",
                                       "/api/v1/imports/project-participants",
                                       ("Код педагога", "Код проекта", "Название проекта", "Дата включения")),
    "project-participants-left": UploadKind("Участники проектов (выход)", "mentoring",
                                            "/api/v1/imports/project-participants-left",
                                            ("Код педагога", "Код проекта", "Дата выхода", "Итог")),
}
SERVICE_TEXT = {"registry": "кадровый реестр", "training": "повышение квалификации", "mentoring": "наставничество"}
CHANNEL_TEXT = {"kafka": "шина", "http": "HTTP"}
OUTCOME_TEXT = {"accepted": "принята", "unchanged": "без изменений", "duplicate": "уже загружена",
                "waiting": "ждёт справочника", "rejected": "отклонена"}
# the importers answer in English (API text); the page says it in Russian, the original kept beside it
REASONS = [
    (re.compile(r"unknown position '(.+)'"), "неизвестная должность «{0}»: укажите должность из справочника"),
    (re.compile(r"(.+) is empty"), "не заполнен столбец «{0}»"),
    (re.compile(r"'(.+)' is not a calendar date"), "«{0}» — такой даты нет в календаре"),
    (re.compile(r"'(.+)' is not a date \(expected ДД\.ММ\.ГГГГ\)"), "«{0}» — не дата: укажите дату в виде ДД.ММ.ГГГГ"),
    (re.compile(r"expected a date ДД\.ММ\.ГГГГ or ГГГГ-ММ-ДД, got '(.*)'"),
     "ожидается дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, указано «{0}»"),
    (re.compile(r"(\S+) is employed here since (\S+), the file says (\S+)"),
     "{0} работает здесь с {1}, а в файле указано {2}"),
    (re.compile(r"(?:data\.person_id: )?person (\S+) is not employed on (\S+) or now at an organisation within "
                r"the caller's \w+.*"),
     "педагог {0} не работал на {1} и не работает сейчас в организации в пределах ваших прав "
     "(по данным кадрового реестра)"),
    (re.compile(r".*not (?:employed )?within the caller's scope.*|.*outside the caller's.*"),
     "запись о человеке вне вашей организации или муниципалитета"),
    (re.compile(r"the header row lacks required columns: (.+?) \(found: (.*)\)"),
     "в строке заголовков нет обязательных столбцов: {0} (найдены: {1})"),
]
KEPT_ROWS = 2000


# training says «Столбец»: …; mentoring «Столбец» is not valid: … (got …)
COLUMN = re.compile(r"«([^»]+)»(?::| is not valid:) (.+)")
GIVEN = re.compile(r".* \(got (.*)\)")


def in_russian(reason: str | None) -> str:
    """The importer's reason as the page says it; a phrase it does not know is said to be the service's, as it came."""
    if not reason:
        return ""
    text = reason.strip()
    empty = re.fullmatch(r"«([^»]+)» is empty", text)
    if empty:
        return f"не заполнен столбец «{empty[1]}»"
    for pattern, russian in REASONS:
        match = pattern.fullmatch(text)
        if match:
            return russian.format(*match.groups())
    column = COLUMN.fullmatch(text)
    if column:
        given = GIVEN.fullmatch(column[2])
        if given:
            return f"«{column[1]}»: недопустимое значение «{given[1].strip(chr(39) + chr(34))}»"
        return f"«{column[1]}»: {in_russian(column[2])}"
    return "сервис не принял строку: " + text


@dataclass(frozen=True)
class RejectedRow:
    """A row an owning service refused, as «Качество данных» lists it (ids, never names)."""

    at: str
    kind: str
    file: str
    org_id: str | None
    municipality_id: str | None
    row: int | None
    column: str
    reason: str
    reason_ru: str
    person_id: str | None = None
    upload: int = 0


class Rejections:
    """The recent rejected rows of uploads made through the page (bounded; kept while the service runs), and how
    many rows each organisation sent again that the owning service ignored (already recorded, or no change)."""

    def __init__(self, size: int = KEPT_ROWS):
        self._rows: deque[RejectedRow] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._uploads = 0
        self._repeats: Counter[tuple[str, str | None, str | None]] = Counter()

    def add(self, rows: list[RejectedRow], settled: set[tuple] = frozenset(),
            repeats: Counter | None = None) -> None:
        """Keep an upload's rejected rows; drop the earlier ones it settled ((kind, org, person) now taken);
        count its repeats ((kind, org, municipality) → rows ignored)."""
        with self._lock:
            self._repeats.update(repeats or {})
            self._uploads += 1
            if settled:
                kept = [r for r in self._rows if (r.kind, r.org_id, r.person_id) not in settled]
                self._rows.clear()
                self._rows.extend(kept)
            self._rows.extend(replace(row, upload=self._uploads) for row in rows)

    def visible(self, principal: Principal, access: Access) -> list[RejectedRow]:
        """The refused rows (person ids) of uploads for organisations or municipalities within the caller's scope."""
        if not access.can_read_members(principal):
            return []
        with self._lock:
            rows = list(self._rows)
        mine = [r for r in rows if access.can_read_place(principal, {"org_id": r.org_id,
                                                                     "municipality_id": r.municipality_id})]
        return sorted(mine, key=lambda r: (-r.upload, r.row or 0))  # the latest upload first, its rows in order

    def repeats(self, principal: Principal, access: Access) -> list[dict]:
        """Rows sent again and ignored, per kind and organisation, within the caller's scope: counts only (no
        names, no person ids), so a regional analyst sees its region's, placed through the read model."""
        with self._lock:
            counted = sorted(self._repeats.items(), key=lambda item: (item[0][0], item[0][1] or ""))
        return [{"kind": kind, "org_id": org, "count": count} for (kind, org, municipality), count in counted
                if access.can_read_place(principal, placed(access, org, municipality))]


def placed(access: Access, org_id: str | None, municipality_id: str | None) -> dict[str, str | None]:
    """Where an upload's organisation (or, without one, its municipality) lies, as the registered organisations
    say now: an upload records the organisation and the municipality, its region is the read model's."""
    where = access.placement(Scope("organization", org_id) if org_id else Scope("municipality", municipality_id)) \
        if org_id or municipality_id else {}
    return {"org_id": org_id, "municipality_id": where.get("municipality_id") or municipality_id,
            "region_id": where.get("region_id")}


def rejections(request: Request) -> Rejections:
    state = request.app.state
    if not hasattr(state, "rejections"):
        state.rejections = Rejections()
    return state.rejections


def peer_url(request: Request, service: str) -> str:
    settings = request.app.state.service.settings
    return getattr(settings, f"{service}_url").rstrip("/")


def organisations(request: Request, principal: Principal) -> list[dict]:
    """The organisations the caller may upload for (the registry's, as the read model knows them)."""
    from .dashboard import natural, place_of, registered_organisations

    orgs = registered_organisations(request.app.state.read_model)
    mine = [o for o in orgs if request.app.state.access.can_read_place(principal, place_of(o))]
    return sorted(mine, key=lambda o: natural(o["name"]))


@router.get("/uploads", response_class=HTMLResponse)
async def uploads_page(request: Request) -> Response:
    """«Загрузка данных»: choose the kind, the organisation and the file; the report comes back on the page."""
    principal = session(request)
    if principal is None:
        return to_login()
    return page(request, "uploads.html", principal, section="uploads", kinds=KINDS,
                organisations=organisations(request, principal))


@router.get("/uploads/template/{kind}.xlsx")
async def template(request: Request, kind: str) -> Response:
    """An empty spreadsheet with the documented headers of a kind, to fill in."""
    if session(request) is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first (/login)")
    if kind not in KINDS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no upload kind {kind!r}")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Данные"
    sheet.append(list(KINDS[kind].headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="template-{kind}.xlsx"'})


@router.post("/uploads", response_class=HTMLResponse)
async def upload(request: Request, kind: Annotated[str, Form()], file: Annotated[UploadFile, File()],
                 org_id: Annotated[str, Form()] = "") -> Response:
    """Forward the file to its owning service with the session's token; show its per-row report in Russian."""
    check_same_origin(request)
    principal = session(request)
    if principal is None:
        return to_login()
    chosen = KINDS.get(kind)
    if chosen is None:
        raise route_refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, ["body", "kind"], f"unknown upload kind {kind!r}")
    places = {o["org_id"]: o for o in organisations(request, principal)}
    if chosen.per_organisation and org_id not in places:
        return fragment(request, principal, error="Выберите организацию из списка: файл сотрудников загружается "
                                                  "для одной организации.")
    content = await file.read()
    url = peer_url(request, chosen.service) + chosen.path.format(org_id=org_id)
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        async with httpx.AsyncClient(timeout=request.app.state.service.settings.peer_timeout_seconds) as client:
            answer = await client.post(url, headers={"Authorization": f"Bearer {token}"},
                                       files={"file": (file.filename or "upload", content,
                                                       file.content_type or "application/octet-stream")})
    except httpx.HTTPError:
        return fragment(request, principal, error=f"Сервис «{SERVICE_TEXT[chosen.service]}» не отвечает; "
                                                  "попробуйте позже.")
    if answer.status_code != 200:
        return fragment(request, principal, error=refusal(answer))
    rows = report_rows(answer.json())
    place = places.get(org_id, {})
    municipality = place.get("municipality_id") or principal.municipality_id
    at = datetime.now(UTC).astimezone().strftime("%d.%m.%Y %H:%M")
    org = org_id or principal.org_id
    # a staff list has one row per person: a person taken now settles that person's earlier refusal here
    settled = {(chosen.title, org, r["person_id"]) for r in rows
               if chosen.per_organisation and r["person_id"] and r["outcome"] != "rejected"}
    repeated = sum(r["outcome"] in ("duplicate", "unchanged") for r in rows)
    rejections(request).add([
        RejectedRow(at, chosen.title, file.filename or "", org, municipality, r["row"], r["column"], r["reason"],
                    r["reason_ru"], r["person_id"]) for r in rows if r["outcome"] == "rejected"], settled,
        Counter({(chosen.title, org, municipality): repeated}) if repeated else None)
    return fragment(request, principal, kind=chosen, file=file.filename, rows=rows,
                    counts={text: sum(r["outcome"] == code for r in rows) for code, text in OUTCOME_TEXT.items()})


def report_rows(answer: dict) -> list[dict]:
    """The owning service's per-row report in one shape (registry says `status`, the others `outcome`)."""
    listed = answer.get("results") if isinstance(answer.get("results"), list) else answer.get("rows", [])
    rows = []
    for item in listed:
        outcome = item.get("status") or item.get("outcome") or ""
        rows.append({"row": item.get("row"), "outcome": outcome, "outcome_ru": OUTCOME_TEXT.get(outcome, outcome),
                     "person_id": item.get("person_id") or item.get("subject"), "column": column_of(item),
                     "reason": item.get("reason") or "", "reason_ru": in_russian(item.get("reason"))})
    return rows


def column_of(item: dict) -> str:
    """The column a row's reason is about: training and the registry say `column`; mentoring puts the header
    in `field` (a `data.…` field is no column)."""
    field = item.get("field") or ""
    return item.get("column") or ("" if field.startswith("data.") else field)


def refusal(answer: httpx.Response) -> str:
    """Why the owning service refused the whole file, in Russian."""
    if answer.status_code == 403:
        return "Нет прав загружать эти данные для выбранной организации."
    if answer.status_code == 413:
        return "Файл слишком большой."
    if answer.status_code == 401:
        return "Вход устарел: войдите заново."
    try:
        detail = answer.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, list) and detail:
        return "Файл не принят: " + "; ".join(in_russian(d.get("msg")) for d in detail if isinstance(d, dict))
    return f"Файл не принят (код {answer.status_code}): {in_russian(str(detail or answer.text))}"


def fragment(request: Request, principal: Principal, **context) -> HTMLResponse:
    """The report alone for htmx; the whole page when the form was sent without JavaScript."""
    if request.headers.get("hx-request"):
        return page(request, "upload_report.html", principal, **context)
    return page(request, "uploads.html", principal, section="uploads", kinds=KINDS,
                organisations=organisations(request, principal), report=context)


@router.get("/quality", response_class=HTMLResponse)
async def quality(request: Request) -> Response:
    """«Качество данных»: rejected rows of uploads, dead letters, waiting facts and per-organisation counts of events
    delivered again of every service."""
    principal = session(request)
    if principal is None:
        return to_login()
    return await quality_page(request, principal)


async def quality_page(request: Request, principal: Principal, note: str | None = None) -> HTMLResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    services = []
    async with httpx.AsyncClient(timeout=10.0, headers={"Authorization": f"Bearer {token}"}) as client:
        for name in ("registry", "training", "mentoring"):
            services.append({"name": name, "title": SERVICE_TEXT[name],
                             "letters": await listed(client, peer_url(request, name) + "/api/v1/dead-letters",
                                                     "letters"),
                             "waiting": await listed(client, peer_url(request, name) + "/api/v1/waiting", "facts"),
                             "duplicates": await listed(client, peer_url(request, name) + "/api/v1/duplicates",
                                                        "duplicates")})
    return page(request, "quality.html", principal, section="quality", note=note, channels=CHANNEL_TEXT,
                rows=[asdict(r) for r in rejections(request).visible(principal, request.app.state.access)],
                repeats=rejections(request).repeats(principal, request.app.state.access), services=services)


async def listed(client: httpx.AsyncClient, url: str, key: str) -> dict:
    """A peer's operator list, or why it could not be read (in Russian)."""
    try:
        answer = await client.get(url)
    except httpx.HTTPError:
        return {"error": "сервис не отвечает", "items": []}
    if answer.status_code == 403:
        return {"error": "нет доступа для вашей роли", "items": []}
    if answer.status_code != 200:
        return {"error": f"не удалось получить список (код {answer.status_code})", "items": []}
    return {"error": None, "items": answer.json().get(key, [])}


@router.post("/quality/replay/{service}", response_class=HTMLResponse)
async def replay(request: Request, service: str, letter_id: Annotated[str, Form(max_length=100)]) -> Response:
    """«Обработать снова»: the owning service replays one dead letter (recorded once however often)."""
    check_same_origin(request)
    principal = session(request)
    if principal is None:
        return to_login()
    if service not in SERVICE_TEXT:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no service {service!r}")
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        async with httpx.AsyncClient(timeout=30.0, headers={"Authorization": f"Bearer {token}"}) as client:
            answer = await client.post(peer_url(request, service) + "/api/v1/dead-letters/replay",
                                       json={"ids": [letter_id]})
    except httpx.HTTPError:
        answer = None
    if answer is None or answer.status_code != 200:
        note = "Сервис не выполнил повторную обработку" + ("" if answer is None else f" (код {answer.status_code})")
    else:
        outcomes = [o.get("outcome") for o in answer.json().get("outcomes", [])]
        note = ("Сообщение учтено." if outcomes and all(o in ("accepted", "duplicate") for o in outcomes)
                else "Сообщение снова не принято: устраните причину и повторите.")
    return await quality_page(request, principal, note)
