"""/docs (Swagger UI) and /redoc from assets vendored in this package: the API docs work with no internet."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

ASSETS = files("pedgrowth.kit") / "docs_assets"
PREFIX = "/docs/assets"
MEDIA = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
         "redoc.standalone.js": "text/javascript; charset=utf-8", "favicon-32x32.png": "image/png"}
"""The files served (a fixed list: nothing else of the package is reachable). Swagger UI 5.35.0 and
ReDoc 2.5.4 from their npm packages (swagger-ui-dist, redoc); licences beside them."""


def add_offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs and ReDoc at /redoc, loading only this service's own files.

    The app is created with ``docs_url=None, redoc_url=None``: FastAPI's own pages load from a CDN.
    """
    title = f"{app.title} — API"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=title,
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{PREFIX}/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url, title=title, redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                              redoc_favicon_url=f"{PREFIX}/favicon-32x32.png", with_google_fonts=False)

    @app.get(PREFIX + "/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in MEDIA:
            raise HTTPException(404, f"{name} not found")
        return Response((ASSETS / name).read_bytes(), media_type=MEDIA[name],
                        headers={"Cache-Control": "public, max-age=86400"})
