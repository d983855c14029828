"""Training resources over HTTP (besides the shared POST /api/v1/events)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request

from pedgrowth.kit.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["training"])


@router.get("/programs/{program_id}")
async def get_program(program_id: str, request: Request, _: CurrentPrincipal) -> dict:
    """One programme of the catalogue."""
    app = request.app.state.service.app
    programme = await asyncio.to_thread(app.programme, program_id)
    if programme is None:
        raise HTTPException(404, f"programme {program_id} not found")
    return programme
