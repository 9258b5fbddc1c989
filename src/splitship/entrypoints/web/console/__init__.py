"""The seller console: server-rendered pages under ``/console`` (see docs/console.md).

``router`` holds every page and form; ``api.include_router(router)`` mounts it. Static files
(``console.css``, ``console.js``) are served by a route of the router itself, so one include
line is all the application needs; ``/`` redirects to the console.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from splitship.entrypoints.web.console import (
    auth,
    batch,
    inquiries,
    order,
    queue,
    rules,
    settings,
)
from splitship.entrypoints.web.console.deps import PREFIX

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "console"
_STATIC_FILES = {p.name: p for p in STATIC_DIR.glob("*") if p.is_file()}

PAGE_MODULES = (auth, queue, order, batch, rules, settings, inquiries)

router = APIRouter(include_in_schema=False)
for module in PAGE_MODULES:
    router.include_router(module.router, prefix=PREFIX)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse(PREFIX + "/", status_code=307)


@router.get(PREFIX + "/static/{name}")
def static_file(name: str) -> FileResponse:
    path = _STATIC_FILES.get(name)  # only files that exist at start-up: no path traversal
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})


__all__ = ["PAGE_MODULES", "PREFIX", "router"]
