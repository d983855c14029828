"""The operator's pages (server-rendered Jinja2), the «Вход» form that sets the session cookie, and «Выйти»."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from importlib.resources import files

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from pedgrowth.kit.auth import SESSION_COOKIE, Principal, Role, TokenError, check_same_origin

router = APIRouter(include_in_schema=False)

TEMPLATES = files("pedgrowth.indicators") / "templates"

templates = Jinja2Templates(env=Environment(loader=PackageLoader("pedgrowth.indicators", "templates"),
                                            autoescape=select_autoescape(), trim_blocks=True, lstrip_blocks=True))


def ru_time(iso: str | None) -> str:
    """An ISO time of a service's list (UTC) as the pages show times: ДД.ММ.ГГГГ ЧЧ:ММ, the server's local time."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().strftime("%d.%m.%Y %H:%M")


templates.env.filters["ru_time"] = ru_time
ROLE_TEXT = {Role.ADMIN: "администратор", Role.MUNICIPAL_OPERATOR: "оператор муниципалитета",
             Role.REGIONAL_ANALYST: "аналитик региона", Role.SCHOOL_SYSTEM: "образовательная организация"}
NO_STORE = {"Cache-Control": "no-store"}  # after «Выйти», «Назад» must not bring a page back from the cache


def session(request: Request) -> Principal | None:
    """The signed-in caller of a page (the session cookie), or None."""
    given = request.cookies.get(SESSION_COOKIE)
    if not given:
        return None
    try:
        return request.app.state.tokens.verify(given)
    except TokenError:
        return None


def page(request: Request, template: str, principal: Principal | None, **context) -> HTMLResponse:
    """A page with the navigation and who is signed in."""
    return templates.TemplateResponse(request, template, {
        "principal": principal, "role_text": ROLE_TEXT.get(principal.role) if principal else None,
        "may_see_persons": principal is not None and request.app.state.access.can_read_members(principal),
        **context},
        headers=NO_STORE, status_code=context.pop("status_code", 200))


def to_login() -> RedirectResponse:
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER, headers=NO_STORE)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    """«Вход»: the token is pasted once and kept in an HttpOnly cookie (never in the address)."""
    return page(request, "login.html", session(request))


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form(max_length=4096)] = "") -> Response:
    """Check the token, set the session cookie, go to the dashboard; a bad token is said in Russian."""
    check_same_origin(request)
    given = token.strip()
    try:
        request.app.state.tokens.verify(given)
    except TokenError:
        return page(request, "login.html", None, status_code=status.HTTP_401_UNAUTHORIZED,
                    error="Ключ не принят: он неверен, просрочен или выдан для другой установки.")
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER, headers=NO_STORE)
    response.set_cookie(SESSION_COOKIE, given, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """«Выйти»: the cookie is removed and the browser told to drop what it kept of the pages."""
    check_same_origin(request)
    response = to_login()
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    """The dashboard: cards per indicator against the plan, with their yearly charts."""
    principal = session(request)
    if principal is None:
        return to_login()
    from .report import DIMENSION_TEXT, VARIANT_TEXT

    return page(request, "dashboard.html", principal, section="dashboard",
                definition_words={"dimensions": DIMENSION_TEXT, "values": VARIANT_TEXT,
                                  "projects": request.app.state.read_model.answers.project_names()},
                may_submit=request.app.state.access.can_write_plans(principal, principal.municipality_id))


def signed_in(request: Request) -> Principal:
    """For pages' fragments: the session's caller or 401."""
    principal = session(request)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first (/login)")
    return principal
