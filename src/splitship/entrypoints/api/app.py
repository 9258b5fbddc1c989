"""The HTTP API: ``create_app`` mounts every router under ``/api/v1`` and answers every error
as ``application/problem+json`` (see ``problems``)."""

from fastapi import FastAPI

import splitship
from splitship.bootstrap import App
from splitship.entrypoints.api.problems import install_problem_handlers
from splitship.entrypoints.api.routes import audit, catalog, imports, orders, packages, settings

API_PREFIX = "/api/v1"

DESCRIPTION = """
Split-shipment back office for marketplace sellers.

Authenticate with your shop's API key: `Authorization: Bearer <key>` or `X-API-Key: <key>`.
Errors are RFC 9457 `application/problem+json` with a stable `code`. Commands that change an
order take its `version` (in the body, or `If-Match` with the order's `ETag`); a stale version
answers 409 `version_conflict` and changes nothing.
"""


def create_app(app: App) -> FastAPI:
    api = FastAPI(
        title="splitship",
        version=splitship.__version__,
        description=DESCRIPTION,
        docs_url="/docs",
        openapi_url=f"{API_PREFIX}/openapi.json",
        redoc_url=None,
    )
    api.state.splitship = app
    install_problem_handlers(api)
    # imports before orders: its fixed paths (/orders/import) must win over /orders/{order_id}.
    for module in (imports, orders, packages, audit, catalog, settings):
        api.include_router(module.router, prefix=API_PREFIX)
    return api
