"""Carrier events (JSON, idempotent by event id; or a CSV file) and the buyer note of a package.

Events answer 200 with one result per event: a bad event does not stop the others, and one sent
again is acknowledged with ``applied: false`` and changes nothing.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import AwareDatetime, BaseModel, Field

from splitship.entrypoints.api.deps import Caller, IfMatch, expected_version
from splitship.entrypoints.api.routes.common import package_out
from splitship.entrypoints.api.schemas import In, PackageOut, RowErrorOut, Version
from splitship.entrypoints.api.uploads import Upload, read_csv_upload
from splitship.services import tracking_events
from splitship.services.tracking_csv import read_events_csv
from splitship.services.tracking_events import EventInput, EventResult

router = APIRouter(tags=["tracking"])


class TrackingEventIn(In):
    event_id: str = Field(min_length=1, max_length=128, description="the carrier's event id")
    status: str = Field(description=", ".join(tracking_events.EVENT_KINDS))
    occurred_at: AwareDatetime
    package_id: str | None = Field(default=None, max_length=64)
    tracking_number: str | None = Field(
        default=None, max_length=100, description="instead of package_id"
    )
    carrier: str | None = Field(default=None, max_length=32, description="narrows the number")
    description: str = Field(default="", max_length=tracking_events.MAX_DESCRIPTION)
    location: str = Field(default="", max_length=tracking_events.MAX_LOCATION)
    reason: str | None = Field(
        default=None,
        description="required for exception: " + ", ".join(tracking_events.EXCEPTION_REASONS),
    )

    def to_input(self) -> EventInput:
        return EventInput(
            event_id=self.event_id,
            status=self.status,
            occurred_at=self.occurred_at,
            package_id=self.package_id,
            tracking_number=self.tracking_number,
            carrier_code=self.carrier,
            description=self.description,
            location=self.location,
            reason=self.reason,
        )


class TrackingEventsIn(In):
    events: list[TrackingEventIn] = Field(min_length=1, max_length=1000)


class EventResultOut(BaseModel):
    event_id: str
    ok: bool
    applied: bool = Field(description="false for a duplicate (or a failure): nothing changed")
    package_id: str | None
    order_id: str | None
    package_status: str | None
    order_status: str | None
    code: str | None
    error: str | None
    field: str | None
    row: int | None = Field(description="the CSV row, for uploads")

    @classmethod
    def of(cls, r: EventResult) -> "EventResultOut":
        return cls(
            event_id=r.event_id,
            ok=r.ok,
            applied=r.applied,
            package_id=r.package_id,
            order_id=r.order_id,
            package_status=r.package_status,
            order_status=r.order_status,
            code=r.code,
            error=r.error,
            field=r.field,
            row=r.row or None,
        )


class EventsOut(BaseModel):
    recorded: int
    duplicates: int
    failed: int
    results: list[EventResultOut]
    errors: list[RowErrorOut] = Field(default_factory=list, description="CSV rows not read")


class BuyerNoteIn(In):
    buyer_note: str | None = Field(
        max_length=tracking_events.MAX_BUYER_NOTE,
        description="what the buyer reads while the package is prepared; null or '' clears it",
    )
    version: Version = None


_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _events_out(results: list[EventResult], errors: list[RowErrorOut] | None = None) -> EventsOut:
    return EventsOut(
        recorded=sum(1 for r in results if r.ok and r.applied),
        duplicates=sum(1 for r in results if r.ok and not r.applied),
        failed=sum(1 for r in results if not r.ok),
        results=[EventResultOut.of(r) for r in results],
        errors=errors or [],
    )


@router.post("/tracking-events")
def record_events(body: TrackingEventsIn, caller: Caller) -> EventsOut:
    """Record carrier events, found by package_id or tracking_number; idempotent by event_id."""
    results = tracking_events.record_tracking_events(
        caller.app.uow_factory(caller.actor), caller.shop_id, [e.to_input() for e in body.events]
    )
    return _events_out(results)


@router.post("/tracking-events/import", openapi_extra=_CSV_BODY)
def import_events(caller: Caller, upload: Annotated[Upload, Depends(read_csv_upload)]) -> EventsOut:
    """Record carrier events from CSV: event_id, status, occurred_at, package_id or
    tracking_number, and optionally carrier, description, location, reason."""
    assert upload.csv is not None
    items, errors = read_events_csv(upload.csv)
    results = tracking_events.record_tracking_events(
        caller.app.uow_factory(caller.actor), caller.shop_id, items
    )
    return _events_out(results, [RowErrorOut.of(e) for e in errors])


@router.put("/packages/{package_id}/buyer-note")
def set_buyer_note(
    package_id: str, body: BuyerNoteIn, caller: Caller, if_match: IfMatch, response: Response
) -> PackageOut:
    """Set what the buyer's tracking page says about a package not yet shipped (pre-sale...)."""
    order = tracking_events.set_buyer_note(
        caller.uow(),
        caller.shop_id,
        package_id,
        body.buyer_note,
        expected_version(body.version, if_match),
    )
    return package_out(order, package_id, response)
