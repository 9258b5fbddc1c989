"""Buyer inquiries as the seller sees them: list (by status, overdue), detail, answer, resolve,
close. Each answer carries the inquiry's version as its ETag; changes take it back (body
``version`` or If-Match) and a stale one answers 409."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from splitship.domain.inquiry import MAX_MESSAGE_CHARS
from splitship.entrypoints.api.deps import Caller, IfMatch, expected_version
from splitship.entrypoints.api.schemas import In
from splitship.services import inquiries
from splitship.services.inquiries import InquiryWithOrder

router = APIRouter(prefix="/inquiries", tags=["inquiries"])

InquiryVersion = Annotated[
    int | None, Field(ge=0, description="The inquiry version this change is based on")
]


class MessageOut(BaseModel):
    author: str = Field(description="buyer or seller")
    body: str
    at: datetime


class InquiryOut(BaseModel):
    id: str
    order_id: str
    order_external_id: str
    package_id: str | None
    package_number: int | None
    category: str
    status: str
    overdue: bool
    opened_at: datetime
    reply_by: datetime | None = Field(description="when an open inquiry is due an answer")
    updated_at: datetime
    version: int
    messages: list[MessageOut]

    @classmethod
    def of(cls, found: InquiryWithOrder, now: datetime) -> "InquiryOut":
        i = found.inquiry
        return cls(
            id=i.id,
            order_id=i.order_id,
            order_external_id=found.external_id,
            package_id=i.package_id,
            package_number=found.package_number,
            category=i.category.value,
            status=i.status.value,
            overdue=i.is_overdue(now),
            opened_at=i.opened_at,
            reply_by=i.reply_by,
            updated_at=i.updated_at,
            version=i.version,
            messages=[MessageOut(author=m.author.value, body=m.body, at=m.at) for m in i.messages],
        )


class InquiryListOut(BaseModel):
    inquiries: list[InquiryOut]


class AnswerIn(In):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    version: InquiryVersion = None


class InquiryVersionIn(In):
    version: InquiryVersion = None


def _out(caller: Caller, inquiry_id: str, response: Response) -> InquiryOut:
    found = inquiries.get_inquiry(caller.uow(), caller.shop_id, inquiry_id)
    response.headers["ETag"] = f'"{found.inquiry.version}"'
    return InquiryOut.of(found, caller.app.clock())


@router.get("")
def list_inquiries(
    caller: Caller,
    status: Annotated[str | None, Query(description="open, answered, resolved or closed")] = None,
    overdue: Annotated[bool, Query(description="only open ones past their reply-by time")] = False,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> InquiryListOut:
    """The shop's inquiries, those due soonest first."""
    found = inquiries.list_inquiries(
        caller.uow(),
        caller.shop_id,
        status=status,
        overdue=overdue,
        order_id=order_id,
        limit=limit,
        offset=offset,
    )
    now = caller.app.clock()
    return InquiryListOut(inquiries=[InquiryOut.of(f, now) for f in found])


@router.get("/{inquiry_id}")
def get_inquiry(inquiry_id: str, caller: Caller, response: Response) -> InquiryOut:
    return _out(caller, inquiry_id, response)


@router.post("/{inquiry_id}/answer")
def answer_inquiry(
    inquiry_id: str, body: AnswerIn, caller: Caller, if_match: IfMatch, response: Response
) -> InquiryOut:
    """Write to the buyer; the answer shows on the tracking page and is e-mailed to the buyer."""
    inquiries.answer_inquiry(
        caller.uow(),
        caller.shop_id,
        inquiry_id,
        body.message,
        expected_version(body.version, if_match),
    )
    return _out(caller, inquiry_id, response)


@router.post("/{inquiry_id}/resolve")
def resolve_inquiry(
    inquiry_id: str, body: InquiryVersionIn, caller: Caller, if_match: IfMatch, response: Response
) -> InquiryOut:
    inquiries.resolve_inquiry(
        caller.uow(), caller.shop_id, inquiry_id, expected_version(body.version, if_match)
    )
    return _out(caller, inquiry_id, response)


@router.post("/{inquiry_id}/close")
def close_inquiry(
    inquiry_id: str, body: InquiryVersionIn, caller: Caller, if_match: IfMatch, response: Response
) -> InquiryOut:
    inquiries.close_inquiry(
        caller.uow(), caller.shop_id, inquiry_id, expected_version(body.version, if_match)
    )
    return _out(caller, inquiry_id, response)
