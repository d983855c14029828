"""The persons behind an indicator, with names: ids from this service, ФИО, school and position from the registry.

Names are fetched from the registry's API with the caller's own token for each page view and
never stored here; roles that may not see persons get a refusal before anything is fetched.
"""

from __future__ import annotations

import asyncio
import io
from datetime import date

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from pedgrowth.kit.auth import SESSION_COOKIE

from .dashboard import natural, registered_organisations
from .pages import page, signed_in
from .uploads import peer_url

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def organisations_of(request: Request, scope: str) -> dict[str, str]:
    """org_id → name of the organisations inside a scope (as the read model knows them)."""
    kind, _, scope_id = scope.partition(":")
    key = {"organization": "org_id", "municipality": "municipality_id", "region": "region_id"}.get(kind)
    orgs = registered_organisations(request.app.state.read_model)
    return {o["org_id"]: o["name"] for o in orgs if key and o[key] == scope_id}


def refused(answer: httpx.Response, code: str, scope: str) -> str:
    """Why the API gave no list, in Russian for the page: the refusal, the unknown indicator, the field at fault."""
    if answer.status_code == 403:
        return f"Нет доступа к сведениям о людях территории «{scope}»: она вне вашей области доступа."
    if answer.status_code == 404:
        return f"Для показателя «{code}» нет списка людей: такого показателя нет."
    if answer.status_code == 422:
        try:
            detail = answer.json().get("detail")
        except ValueError:
            detail = None
        fields = [error for error in detail if isinstance(error, dict)] if isinstance(detail, list) else []
        named = "; ".join(f"{error['loc'][-1]}: {error['msg']}" for error in fields if error.get("loc")) \
            or answer.text
        return f"Запрос не принят ({named})."
    if answer.status_code == 503:
        return "Показатели ещё загружаются; повторите через минуту."
    return f"Список недоступен (код {answer.status_code})."


async def member_lists(request: Request, code: str, scope: str, as_of: date | None) -> dict:
    """Numerator and «не охвачены» (in the denominator, not in the numerator) with names, or why not: ``error``
    in Russian and ``status``, the API's own (403 a refusal, 404 an unknown indicator, 422 a bad field)."""
    token = request.cookies.get(SESSION_COOKIE, "")
    bearer = {"Authorization": f"Bearer {token}"}
    params = {"scope": scope, **({"as_of": as_of.isoformat()} if as_of else {})}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=request.app), base_url="http://self") as own:
        answer = await own.get(f"/api/v1/indicators/{code}/members", params=params, headers=bearer)
    if answer.status_code != 200:
        return {"error": refused(answer, code, scope), "status": answer.status_code}
    ids = answer.json()
    orgs = await asyncio.to_thread(organisations_of, request, scope)
    people: dict[str, dict] = {}
    day = (as_of or date.today()).isoformat()
    async with httpx.AsyncClient(base_url=peer_url(request, "registry"), headers=bearer, timeout=30.0) as registry:
        answers = await asyncio.gather(*(registry.get(f"/api/v1/organisations/{org}/staff", params={"as_of": day})
                                         for org in orgs), return_exceptions=True)
    for org, staff in zip(orgs, answers, strict=True):
        if isinstance(staff, httpx.Response) and staff.status_code == 200:
            for row in staff.json()["staff"]:
                people.setdefault(row["person_id"], {"full_name": row.get("full_name") or "", "school": orgs[org],
                                                     "position": row.get("position_label") or row["position"]})
    unknown = {"full_name": "", "school": "", "position": ""}

    def listed(person_ids) -> list[dict]:
        rows = [{"person_id": pid, **people.get(pid, unknown)} for pid in person_ids]
        return sorted(rows, key=lambda r: (natural(r["school"]), r["full_name"], r["person_id"]))

    numerator = ids["numerator"] or []
    missing = sorted(set(ids["denominator"] or []) - set(numerator))
    return {"error": None, "status": 200, "numerator": listed(numerator), "missing": listed(missing),
            "denominator_count": len(ids["denominator"] or []), "code": code, "scope": scope, "as_of": day}


@router.get("/members/{code}.xlsx")
async def members_xlsx(request: Request, code: str, scope: str, as_of: date | None = None) -> Response:
    """The same two lists as a spreadsheet (declared first: «{code}» of the page would take «code.xlsx»)."""
    principal = signed_in(request)
    if not request.app.state.access.can_read_members(principal):
        return Response("Ваша роль видит только сводные показатели.", status_code=403,
                        media_type="text/plain; charset=utf-8")
    lists = await member_lists(request, code, scope, as_of)
    if lists["error"]:
        return Response(lists["error"], status_code=lists["status"], media_type="text/plain; charset=utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    for index, (title, rows) in enumerate((("Учтены", lists["numerator"]), ("Не охвачены", lists["missing"]))):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(["ФИО", "Организация", "Должность", "Идентификатор"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([row["full_name"], row["school"], row["position"], row["person_id"]])
        for column, width in zip("ABCD", (36, 60, 28, 16), strict=True):
            sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in f"{code}-{scope}")
    return Response(out.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="members-{safe}-{lists["as_of"]}.xlsx"'})


@router.get("/members/{code}", response_class=HTMLResponse)
async def members(request: Request, code: str, scope: str, as_of: date | None = None) -> Response:
    """The dashboard's «Показать педагогов»: two lists with ФИО, school and position, and an XLSX link."""
    principal = signed_in(request)
    if not request.app.state.access.can_read_members(principal):
        return page(request, "members.html", principal, error="Ваша роль видит только сводные показатели, "
                                                               "без сведений о людях.", status_code=403)
    lists = await member_lists(request, code, scope, as_of)
    return page(request, "members.html", principal, status_code=lists.pop("status"), **lists)
