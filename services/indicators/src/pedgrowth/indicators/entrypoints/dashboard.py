"""The dashboard page at `/`: static HTML, CSS and vanilla JS, no CDN; the data comes from the API."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

STATIC = files("pedgrowth.indicators") / "static"
ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}


@router.get("/", response_class=HTMLResponse)
async def dashboard() -> HTMLResponse:
    """The page itself is public; it asks the API with the token the user gives it."""
    return HTMLResponse((STATIC / "dashboard.html").read_text(encoding="utf-8"),
                        headers={"Cache-Control": "no-cache"})


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    """The page's script and style sheet (a fixed list: nothing else is served)."""
    if name not in ASSETS:
        raise HTTPException(404, f"{name} not found")
    return Response((STATIC / name).read_text(encoding="utf-8"), media_type=ASSETS[name],
                    headers={"Cache-Control": "no-cache"})
