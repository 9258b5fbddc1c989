"""Typed dependencies: the wired application, the calling shop, the expected order version."""

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from splitship.bootstrap import App
from splitship.domain.errors import InvalidInput, NotFound
from splitship.entrypoints.api.problems import Unauthorized
from splitship.services import shops
from splitship.services.unit_of_work import UnitOfWork


def get_app(request: Request) -> App:
    app: App = request.app.state.splitship
    return app


AppDep = Annotated[App, Depends(get_app)]


@dataclass(frozen=True)
class ApiCaller:
    """The shop an API key belongs to, and the actor its changes are recorded under."""

    app: App
    shop_id: str
    actor: str

    def uow(self) -> UnitOfWork:
        return self.app.uow(self.actor)


# Declared as security schemes so that the OpenAPI document (and /docs) knows both headers.
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="the shop's API key")


def get_caller(
    app: AppDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_api_key: Annotated[str | None, Depends(_api_key)],
) -> ApiCaller:
    key = (x_api_key or "").strip() or (bearer.credentials.strip() if bearer else "")
    if not key:
        raise Unauthorized(
            "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
        )
    try:
        shop_id = shops.authenticate(app.uow("api"), key)
    except NotFound:
        raise Unauthorized("this API key is unknown or revoked: create a new one") from None
    return ApiCaller(app, shop_id, f"api:{key[:8]}")


Caller = Annotated[ApiCaller, Depends(get_caller)]


def get_shop_id(caller: Caller) -> str:
    return caller.shop_id


def get_actor(caller: Caller) -> str:
    return caller.actor


ShopId = Annotated[str, Depends(get_shop_id)]
Actor = Annotated[str, Depends(get_actor)]

_ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


def get_if_match(
    if_match: Annotated[
        str | None,
        Header(description='The order version the change is based on, e.g. "3" (from ETag)'),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    found = _ETAG.match(if_match.strip())
    if found is None:
        raise InvalidInput(
            f'If-Match must be the order\'s ETag, like "3"; got {if_match!r}', field="If-Match"
        )
    return int(found.group(1))


IfMatch = Annotated[int | None, Depends(get_if_match)]


def expected_version(body_version: int | None, if_match: int | None) -> int | None:
    """The version a change is based on, from the body or the If-Match header (they must agree)."""
    if body_version is not None and if_match is not None and body_version != if_match:
        raise InvalidInput(
            f"version {body_version} in the body and If-Match {if_match} disagree: send one",
            field="version",
        )
    return body_version if body_version is not None else if_match
