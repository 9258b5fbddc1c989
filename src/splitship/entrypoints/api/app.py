"""The HTTP API: ``create_app`` mounts every router under ``/api/v1`` and answers every error
as ``application/problem+json`` (see ``problems``)."""

from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import splitship
from splitship.bootstrap import App
from splitship.entrypoints.api.problems import PROBLEM_JSON, install_problem_handlers
from splitship.entrypoints.api.routes import (
    audit,
    catalog,
    imports,
    inquiries,
    notifications,
    orders,
    packages,
    planning,
    settings,
    tracking,
)
from splitship.entrypoints.api.schemas import ProblemOut
from splitship.entrypoints.web import buyer as buyer_pages
from splitship.entrypoints.web import console as console_pages

API_PREFIX = "/api/v1"

DESCRIPTION = """
Split-shipment back office for marketplace sellers.

Authenticate with your shop's API key: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Errors are RFC 9457 `application/problem+json` with a stable `code`. Commands that change an
order take its `version` (in the body, or `If-Match` with the order's `ETag`); a stale version
answers 409 `version_conflict` and changes nothing.
"""

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ProblemOut, "description": "The request was refused (problem details)"},
    "5XX": {"model": ProblemOut, "description": "An unexpected failure (problem details)"},
}


class SplitshipAPI(FastAPI):
    def openapi(self) -> dict[str, Any]:
        """The generated document, with every error response served as problem+json."""
        if self.openapi_schema is None:
            schema = super().openapi()
            problem = {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for status, response in operation.get("responses", {}).items():
                        if status[0] in "45":
                            response["content"] = {PROBLEM_JSON: problem}
            for unused in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(unused, None)
        return self.openapi_schema or {}


def create_app(app: App) -> FastAPI:
    api = SplitshipAPI(
        title="splitship",
        version=splitship.__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
        redoc_url=None,
        responses=PROBLEM_RESPONSES,
    )
    api.state.splitship = app
    install_problem_handlers(api)
    # imports before orders: its fixed paths (/orders/import) must win over /orders/{order_id}.
    for module in (imports, orders, packages, audit, catalog, settings, notifications):
        api.include_router(module.router, prefix=API_PREFIX)
    for module in (tracking, inquiries, planning):
        api.include_router(module.router, prefix=API_PREFIX)
    # The buyer tracking page (/t/<token>) and the CSS of the server-rendered pages.
    api.include_router(buyer_pages.pages(app))
    api.mount("/static", StaticFiles(directory=buyer_pages.STATIC_DIR), name="static")
    api.include_router(console_pages.router)  # the seller console (/console) and / -> /console
    return api
