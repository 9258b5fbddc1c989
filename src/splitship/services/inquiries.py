"""Inquiries: the buyer opens and writes (through the tracking token), the seller answers.

Every change is version-checked, audited and published (``inquiry.opened``,
``inquiry.answered``) in the same transaction as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from splitship.domain.errors import NotFound, VersionConflict
from splitship.domain.inquiry import (
    MAX_ACTIVE_PER_ORDER,
    Inquiry,
    TooManyInquiries,
    parse_category,
    parse_status,
)
from splitship.domain.order import Order
from splitship.services.inquiry_repository import InquiryFilter, InquiryRepository
from splitship.services.unit_of_work import AuditEntry, UnitOfWork

__all__ = [
    "InquiryFilter",
    "InquiryRepository",
    "InquiryWithOrder",
    "add_buyer_message",
    "answer_inquiry",
    "close_inquiry",
    "get_inquiry",
    "list_inquiries",
    "open_inquiry",
    "resolve_inquiry",
]

# The buyer has no account: changes made through the tracking link are audited under this actor.
BUYER_ACTOR = "buyer"


@dataclass(frozen=True)
class InquiryWithOrder:
    """An inquiry with what the seller needs to place it: the order's own id and package number."""

    inquiry: Inquiry
    external_id: str
    package_number: int | None


def open_inquiry(
    uow: UnitOfWork,
    token: str,
    category: str,
    message: str,
    package_id: str | None = None,
) -> Inquiry:
    """The buyer opens an inquiry from the tracking page; the token is their only credential."""
    chosen = parse_category(category)
    with uow:
        order = _order_by_token(uow, token)
        if package_id:
            pkg = order.package(package_id)  # NotFound for another order's package
            if pkg.is_cancelled:
                raise NotFound(f"package {package_id} not found", field="package_id")
        shop = uow.shops.get(order.shop_id)
        active = [i for i in uow.inquiries.for_order(order.shop_id, order.id) if i.active]
        if len(active) >= MAX_ACTIVE_PER_ORDER:
            raise TooManyInquiries(
                f"this order already has {len(active)} open questions; please wait for an "
                "answer or write in one of them",
                details={"max_active": MAX_ACTIVE_PER_ORDER},
            )
        inquiry = Inquiry.open(
            uow.new_id(),
            order.shop_id,
            order.id,
            package_id or None,
            chosen,
            message,
            uow.now(),
            shop.settings.inquiry_reply_hours,
        )
        uow.inquiries.add(inquiry)
        _flush(uow, inquiry, BUYER_ACTOR)
        uow.commit()
    return inquiry


def add_buyer_message(uow: UnitOfWork, token: str, inquiry_id: str, message: str) -> Inquiry:
    with uow:
        order = _order_by_token(uow, token)
        inquiry = uow.inquiries.get(order.shop_id, inquiry_id)
        if inquiry.order_id != order.id:
            raise NotFound(f"inquiry {inquiry_id} not found", field="inquiry_id")
        shop = uow.shops.get(order.shop_id)
        inquiry.add_buyer_message(message, uow.now(), shop.settings.inquiry_reply_hours)
        _save(uow, inquiry, BUYER_ACTOR)
        uow.commit()
    return inquiry


def answer_inquiry(
    uow: UnitOfWork,
    shop_id: str,
    inquiry_id: str,
    message: str,
    expected_version: int | None = None,
) -> Inquiry:
    with uow:
        inquiry = _load(uow, shop_id, inquiry_id, expected_version)
        inquiry.answer(message, uow.now())
        _save(uow, inquiry)
        uow.commit()
    return inquiry


def resolve_inquiry(
    uow: UnitOfWork, shop_id: str, inquiry_id: str, expected_version: int | None = None
) -> Inquiry:
    with uow:
        inquiry = _load(uow, shop_id, inquiry_id, expected_version)
        inquiry.resolve()
        _save(uow, inquiry)
        uow.commit()
    return inquiry


def close_inquiry(
    uow: UnitOfWork, shop_id: str, inquiry_id: str, expected_version: int | None = None
) -> Inquiry:
    with uow:
        inquiry = _load(uow, shop_id, inquiry_id, expected_version)
        inquiry.close()
        _save(uow, inquiry)
        uow.commit()
    return inquiry


def get_inquiry(uow: UnitOfWork, shop_id: str, inquiry_id: str) -> InquiryWithOrder:
    with uow:
        inquiry = uow.inquiries.get(shop_id, inquiry_id)
        return _with_order(inquiry, uow.orders.get(shop_id, inquiry.order_id))


def list_inquiries(
    uow: UnitOfWork,
    shop_id: str,
    *,
    status: str | None = None,
    overdue: bool = False,
    order_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[InquiryWithOrder]:
    """The shop's inquiries, those due soonest first; ``overdue`` keeps open ones past reply-by."""
    with uow:
        flt = InquiryFilter(
            status=parse_status(status) if status else None,
            overdue_at=uow.now() if overdue else None,
            order_id=order_id,
            limit=max(1, min(limit, 500)),
            offset=max(0, offset),
        )
        found = uow.inquiries.search(shop_id, flt)
        orders = {oid: uow.orders.get(shop_id, oid) for oid in {i.order_id for i in found}}
        return [_with_order(i, orders[i.order_id]) for i in found]


def _with_order(inquiry: Inquiry, order: Order) -> InquiryWithOrder:
    number = None
    if inquiry.package_id:
        number = next((p.number for p in order.packages if p.id == inquiry.package_id), None)
    return InquiryWithOrder(inquiry, order.external_id, number)


def _order_by_token(uow: UnitOfWork, token: str) -> Order:
    order = uow.orders.find_by_token(token)
    if order is None:
        raise NotFound("no order has this tracking link", field="token")
    return order


def _load(uow: UnitOfWork, shop_id: str, inquiry_id: str, expected_version: int | None) -> Inquiry:
    inquiry = uow.inquiries.get(shop_id, inquiry_id)
    if expected_version is not None and expected_version != inquiry.version:
        raise VersionConflict(
            f"inquiry {inquiry_id} is at version {inquiry.version}, not {expected_version}: "
            "someone changed it meanwhile; reload it and try again",
            field="version",
            details={"current_version": inquiry.version},
        )
    return inquiry


def _save(uow: UnitOfWork, inquiry: Inquiry, actor: str | None = None) -> None:
    uow.inquiries.save(inquiry)
    _flush(uow, inquiry, actor)


def _flush(uow: UnitOfWork, inquiry: Inquiry, actor: str | None = None) -> None:
    """Move the inquiry's audit records and events into this transaction (invariant 5)."""
    now = uow.now()
    for record in inquiry.audit:
        uow.audit.record(
            inquiry.shop_id,
            AuditEntry(
                now,
                actor or uow.actor,
                inquiry.order_id,
                record.action,
                record.subject_type,
                record.subject_id,
                record.before,
                record.after,
            ),
        )
    for event in inquiry.events:
        uow.publish(inquiry.shop_id, event)
    inquiry.audit.clear()
    inquiry.events.clear()
