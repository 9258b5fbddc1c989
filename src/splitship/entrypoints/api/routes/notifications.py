"""Notifications: webhook endpoints, buyer e-mail switches, and the log of every message sent.

A webhook secret appears in two answers only: creating the endpoint and rotating its secret.
"""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from splitship.adapters.db.notify_repository import SqlNotifyUnitOfWork
from splitship.domain.events import EVENT_NAMES
from splitship.entrypoints.api.deps import ApiCaller, Caller
from splitship.entrypoints.api.schemas import In
from splitship.services import notifications
from splitship.services.notification_repository import (
    AttemptRecord,
    Delivery,
    DeliveryChannel,
    DeliveryFilter,
    DeliveryPage,
    DeliveryStatus,
    WebhookEndpoint,
)

router = APIRouter(tags=["notifications"])


def _uow(caller: ApiCaller) -> SqlNotifyUnitOfWork:
    app = caller.app
    return SqlNotifyUnitOfWork(app.engine, app.clock, app.ids, caller.actor)


# ---- bodies ---------------------------------------------------------------------------------

Events = Annotated[
    list[str],
    Field(min_length=1, max_length=len(EVENT_NAMES), description=f"of {', '.join(EVENT_NAMES)}"),
]


class EndpointIn(In):
    url: str = Field(max_length=2000, description="https URL that receives signed POSTs")
    events: Events
    description: str = Field(default="", max_length=200)


class EndpointPatch(In):
    url: str | None = Field(default=None, max_length=2000)
    events: Events | None = None
    description: str | None = Field(default=None, max_length=200)


class RotateIn(In):
    keep_old_hours: int = Field(
        default=24, ge=0, le=168, description="how long messages also carry the old signature"
    )


class KindsPatch(In):
    package_shipped: bool | None = None
    order_shipped: bool | None = None
    package_delivered: bool | None = None
    inquiry_answered: bool | None = None


class KindsOut(BaseModel):
    kinds: dict[str, bool] = Field(description="buyer e-mail kind → on/off")


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    events: list[str]
    active: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_until: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, e: WebhookEndpoint) -> "EndpointOut":
        return cls(
            id=e.id,
            url=e.url,
            description=e.description,
            events=list(e.events),
            active=e.active,
            disabled_at=e.disabled_at,
            disabled_reason=e.disabled_reason,
            failing_since=e.failing_since,
            previous_secret_until=e.previous_secret_until,
            created_at=e.created_at,
            updated_at=e.updated_at,
        )


class EndpointSecretOut(EndpointOut):
    secret: str = Field(description="whsec_… signing secret; shown this once, store it now")


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error: str | None
    response_excerpt: str
    retry_at: datetime | None

    @classmethod
    def of(cls, a: AttemptRecord) -> "AttemptOut":
        return cls.model_validate(a, from_attributes=True)


class MessageOut(BaseModel):
    id: str = Field(description="also the webhook-id header, the same on every retry")
    event_id: str
    event: str
    order_id: str | None
    channel: DeliveryChannel
    endpoint_id: str | None
    recipient: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[AttemptOut]

    @classmethod
    def of(cls, d: Delivery) -> "MessageOut":
        return cls(
            id=d.id,
            event_id=d.event_id,
            event=d.event_name,
            order_id=d.order_id,
            channel=d.channel,
            endpoint_id=d.endpoint_id,
            recipient=d.recipient,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
            last_error=d.last_error,
            last_status_code=d.last_status_code,
            created_at=d.created_at,
            finished_at=d.finished_at,
            attempt_log=[AttemptOut.of(a) for a in d.attempt_log],
        )


class MessagePageOut(BaseModel):
    items: list[MessageOut]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: DeliveryPage, flt: DeliveryFilter) -> "MessagePageOut":
        items = [MessageOut.of(d) for d in page.items]
        return cls(items=items, total=page.total, limit=flt.limit, offset=flt.offset)


def _with_secret(response: Response, found: notifications.EndpointSecret) -> EndpointSecretOut:
    # The one answer that holds the secret must not linger in any cache.
    response.headers["Cache-Control"] = "no-store"
    return EndpointSecretOut(**EndpointOut.of(found.endpoint).model_dump(), secret=found.secret)


Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0)]


# ---- buyer e-mail switches ------------------------------------------------------------------


@router.get("/notifications/kinds")
def get_kinds(caller: Caller) -> KindsOut:
    return KindsOut(kinds=notifications.notification_kinds(_uow(caller), caller.shop_id))


@router.patch("/notifications/kinds")
def set_kinds(body: KindsPatch, caller: Caller) -> KindsOut:
    changes = body.model_dump(exclude_none=True)
    kinds = notifications.set_notification_kinds(_uow(caller), caller.shop_id, changes)
    return KindsOut(kinds=kinds)


# ---- messages -------------------------------------------------------------------------------


@router.get("/notifications/messages")
def list_messages(
    caller: Caller,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    channel: DeliveryChannel | None = None,
    event: Annotated[str | None, Query(max_length=64)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MessagePageOut:
    flt = DeliveryFilter(
        status=status_,
        channel=channel,
        event_name=event,
        order_id=order_id,
        limit=limit,
        offset=offset,
    )
    return MessagePageOut.of(notifications.list_deliveries(_uow(caller), caller.shop_id, flt), flt)


@router.get("/notifications/messages/{message_id}")
def get_message(message_id: str, caller: Caller) -> MessageOut:
    return MessageOut.of(notifications.get_delivery(_uow(caller), caller.shop_id, message_id))


@router.post("/notifications/messages/{message_id}/replay")
def replay_message(message_id: str, caller: Caller) -> MessageOut:
    return MessageOut.of(notifications.replay_delivery(_uow(caller), caller.shop_id, message_id))


# ---- webhook endpoints ----------------------------------------------------------------------


@router.get("/webhook-endpoints")
def list_endpoints(caller: Caller) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in notifications.list_endpoints(_uow(caller), caller.shop_id)]


@router.post("/webhook-endpoints", status_code=status.HTTP_201_CREATED)
def create_endpoint(body: EndpointIn, caller: Caller, response: Response) -> EndpointSecretOut:
    created = notifications.create_endpoint(
        _uow(caller), caller.shop_id, body.url, body.events, body.description
    )
    return _with_secret(response, created)


@router.get("/webhook-endpoints/{endpoint_id}")
def get_endpoint(endpoint_id: str, caller: Caller) -> EndpointOut:
    return EndpointOut.of(notifications.get_endpoint(_uow(caller), caller.shop_id, endpoint_id))


@router.patch("/webhook-endpoints/{endpoint_id}")
def update_endpoint(endpoint_id: str, body: EndpointPatch, caller: Caller) -> EndpointOut:
    endpoint = notifications.update_endpoint(
        _uow(caller),
        caller.shop_id,
        endpoint_id,
        url=body.url,
        events=body.events,
        description=body.description,
    )
    return EndpointOut.of(endpoint)


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_endpoint(endpoint_id: str, caller: Caller) -> None:
    notifications.delete_endpoint(_uow(caller), caller.shop_id, endpoint_id)


@router.post("/webhook-endpoints/{endpoint_id}/rotate-secret")
def rotate_secret(
    endpoint_id: str, caller: Caller, response: Response, body: RotateIn | None = None
) -> EndpointSecretOut:
    overlap = timedelta(hours=(body or RotateIn()).keep_old_hours)
    rotated = notifications.rotate_secret(_uow(caller), caller.shop_id, endpoint_id, overlap)
    return _with_secret(response, rotated)


@router.post("/webhook-endpoints/{endpoint_id}/disable")
def disable_endpoint(endpoint_id: str, caller: Caller) -> EndpointOut:
    endpoint = notifications.disable_endpoint(_uow(caller), caller.shop_id, endpoint_id)
    return EndpointOut.of(endpoint)


@router.post("/webhook-endpoints/{endpoint_id}/enable")
def enable_endpoint(endpoint_id: str, caller: Caller) -> EndpointOut:
    endpoint = notifications.enable_endpoint(_uow(caller), caller.shop_id, endpoint_id)
    return EndpointOut.of(endpoint)


@router.get("/webhook-endpoints/{endpoint_id}/deliveries")
def endpoint_deliveries(
    endpoint_id: str,
    caller: Caller,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> MessagePageOut:
    """The endpoint's delivery log: each message with every attempt, newest first."""
    flt = DeliveryFilter(
        status=status_, endpoint_id=endpoint_id, with_attempts=True, limit=limit, offset=offset
    )
    return MessagePageOut.of(notifications.list_deliveries(_uow(caller), caller.shop_id, flt), flt)
