"""The pages' static assets (CSS, vanilla JS and the vendored htmx, no CDN) and the scope list the dashboard picks from."""

from __future__ import annotations

import asyncio
import re
from importlib.resources import files

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from pedgrowth.kit.auth import CurrentPrincipal, Principal

from ..access import Access, Placement
from . import schemas

router = APIRouter()

STATIC = files("pedgrowth.indicators") / "static"
ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8",
          "htmx.min.js": "text/javascript; charset=utf-8", "plan.js": "text/javascript; charset=utf-8"}
LOAD_TIMEOUT = 60.0


@router.get("/static/{name}", include_in_schema=False)
async def asset(name: str) -> Response:
    """The page's script and style sheet (a fixed list: nothing else is served)."""
    if name not in ASSETS:
        raise HTTPException(404, f"{name} not found")
    return Response((STATIC / name).read_text(encoding="utf-8"), media_type=ASSETS[name],
                    headers={"Cache-Control": "no-cache"})


@router.get("/api/v1/scopes", tags=["indicators"], summary="Regions, municipalities and organisations the caller sees",
            response_model=schemas.Scopes)
async def scopes(request: Request, principal: CurrentPrincipal) -> dict:
    """The scope tree the dashboard's pickers offer: region → municipality → organisation, within the caller's scope."""
    read_model = request.app.state.read_model
    try:
        await asyncio.wait_for(read_model.loaded.wait(), LOAD_TIMEOUT)
    except TimeoutError as error:
        raise HTTPException(503, "the read model is still loading") from error
    return {"regions": scope_tree(registered_organisations(read_model), principal, request.app.state.access)}


def registered_organisations(read_model) -> list[dict]:
    """The organisations as organization_registered states them (a lookup in the engine, no lock)."""
    return read_model.answers.organizations()


def scope_tree(organisations: list[dict], principal: Principal, access: Access) -> list[dict]:
    """Nest organisation_registered data into regions and municipalities the caller may read.

    ``readable`` says whether the caller may ask for the whole region or municipality (a school
    system sees its school inside them, not their totals).
    """
    regions: dict[str, dict] = {}
    for org in organisations:
        if not access.can_read_place(principal, place_of(org)):
            continue
        region = regions.setdefault(org["region_id"], {
            "id": org["region_id"], "name": org["region_name"], "municipalities": {},
            "readable": access.can_read_place(principal, {"region_id": org["region_id"]})})
        municipality = region["municipalities"].setdefault(org["municipality_id"], {
            "id": org["municipality_id"], "name": org["municipality_name"], "organizations": [],
            "readable": access.can_read_place(principal, {"municipality_id": org["municipality_id"],
                                                          "region_id": org["region_id"]})})
        municipality["organizations"].append({"id": org["org_id"], "name": org["name"], "kind": org["kind"]})
    tree = []
    for region in sorted(regions.values(), key=lambda r: natural(r["name"])):
        municipalities = sorted(region.pop("municipalities").values(), key=lambda m: natural(m["name"]))
        for municipality in municipalities:
            municipality["organizations"].sort(key=lambda o: (natural(o["name"]), o["id"]))
        tree.append({**region, "municipalities": municipalities})
    return tree


def place_of(org: dict) -> Placement:
    """Where a registered organisation lies, as its organization_registered says."""
    return {"org_id": org["org_id"], "municipality_id": org["municipality_id"], "region_id": org["region_id"]}


def natural(text: str) -> tuple:
    """A sort key that orders the numbers inside names as numbers: «школа № 2» before «школа № 10»."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", text) if part)
