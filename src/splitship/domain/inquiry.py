"""The inquiry aggregate: a buyer's question or complaint about an order or one of its packages.

Lifecycle::

    open ──seller answers──▶ answered ──▶ resolved | closed
      ▲                         │
      └──── buyer writes again ─┘

An open inquiry owes the buyer an answer by ``reply_by``; past it, it is overdue. Answered,
resolved and closed inquiries owe nothing, so their ``reply_by`` is cleared. Messages are plain
text, trimmed and length-limited here; escaping is the job of whatever renders them.
Time and ids come in as arguments, so the module stays pure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from splitship.domain import events as ev
from splitship.domain.errors import InvalidInput, InvalidTransition, RuleViolation

MAX_MESSAGE_CHARS = 2000
# A thread that long is no longer a conversation; it also bounds what one client can store.
MAX_MESSAGES = 40
# Open or answered inquiries per order: enough for one per package and a few more.
MAX_ACTIVE_PER_ORDER = 5


class InquiryCategory(StrEnum):
    WHERE_IS_MY_PACKAGE = "where_is_my_package"
    DAMAGED = "damaged"
    MISSING_ITEM = "missing_item"
    WRONG_ITEM = "wrong_item"
    LATE = "late"
    OTHER = "other"


class InquiryStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    CLOSED = "closed"


ACTIVE_STATUSES = frozenset({InquiryStatus.OPEN, InquiryStatus.ANSWERED})


class Author(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


@dataclass(frozen=True)
class Message:
    author: Author
    body: str
    at: datetime


class TooManyInquiries(RuleViolation):
    """The order has as many active inquiries, or the thread as many messages, as allowed."""

    code = "too_many_inquiries"


def parse_category(value: str) -> InquiryCategory:
    try:
        return InquiryCategory(value.strip().lower())
    except ValueError:
        allowed = ", ".join(c.value for c in InquiryCategory)
        raise InvalidInput(
            f"unknown inquiry category {value!r}: use one of {allowed}", field="category"
        ) from None


def parse_status(value: str) -> InquiryStatus:
    try:
        return InquiryStatus(value.strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in InquiryStatus)
        raise InvalidInput(
            f"unknown inquiry status {value!r}: use one of {allowed}", field="status"
        ) from None


def clean_message(body: str) -> str:
    """The message as stored: control characters dropped (newlines and tabs kept), trimmed."""
    kept = "".join(
        c for c in body if c in "\n\t" or not unicodedata.category(c).startswith("C")
    ).replace("\r", "")
    text = kept.strip()
    if not text:
        raise InvalidInput("the message is empty: write what happened", field="message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(
            f"the message has {len(text)} characters; at most {MAX_MESSAGE_CHARS} are allowed: "
            "shorten it",
            field="message",
            details={"max_chars": MAX_MESSAGE_CHARS, "chars": len(text)},
        )
    return text


@dataclass
class Inquiry:
    id: str
    shop_id: str
    order_id: str
    package_id: str | None
    category: InquiryCategory
    status: InquiryStatus
    messages: list[Message]
    opened_at: datetime
    reply_by: datetime | None
    version: int = 0
    events: list[ev.DomainEvent] = field(default_factory=list, repr=False)
    audit: list[ev.AuditRecord] = field(default_factory=list, repr=False)

    @classmethod
    def open(
        cls,
        inquiry_id: str,
        shop_id: str,
        order_id: str,
        package_id: str | None,
        category: InquiryCategory,
        body: str,
        now: datetime,
        reply_hours: int,
    ) -> Inquiry:
        inquiry = cls(
            id=inquiry_id,
            shop_id=shop_id,
            order_id=order_id,
            package_id=package_id,
            category=category,
            status=InquiryStatus.OPEN,
            messages=[Message(Author.BUYER, clean_message(body), now)],
            opened_at=now,
            reply_by=now + timedelta(hours=reply_hours),
        )
        inquiry._record("inquiry.opened", None)
        inquiry._emit(
            ev.INQUIRY_OPENED,
            category=category.value,
            message=inquiry.messages[0].body,
            reply_by=inquiry.reply_by.isoformat() if inquiry.reply_by else None,
        )
        return inquiry

    # ---- queries -------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def updated_at(self) -> datetime:
        return self.messages[-1].at if self.messages else self.opened_at

    def is_overdue(self, now: datetime) -> bool:
        due = self.reply_by
        return self.status is InquiryStatus.OPEN and due is not None and now > due

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "category": self.category.value,
            "package_id": self.package_id,
            "messages": len(self.messages),
            "reply_by": self.reply_by.isoformat() if self.reply_by else None,
        }

    # ---- changes -------------------------------------------------------------------------

    def answer(self, body: str, now: datetime) -> None:
        """The seller writes to the buyer; an answer (or a follow-up to one) settles the debt."""
        self._require_active("answered")
        text = self._add(Author.SELLER, body, now)
        before = self.snapshot()
        self.status = InquiryStatus.ANSWERED
        self.reply_by = None
        self._record("inquiry.answered", before)
        self._emit(ev.INQUIRY_ANSWERED, category=self.category.value, answer=text)

    def add_buyer_message(self, body: str, now: datetime, reply_hours: int) -> None:
        """The buyer writes again: the inquiry waits for the seller once more."""
        self._require_active("added to")
        before = self.snapshot()
        self._add(Author.BUYER, body, now)
        if self.status is InquiryStatus.ANSWERED:
            self.status = InquiryStatus.OPEN
            self.reply_by = now + timedelta(hours=reply_hours)
        self._record("inquiry.buyer_message", before)

    def resolve(self) -> None:
        self._finish(InquiryStatus.RESOLVED)

    def close(self) -> None:
        self._finish(InquiryStatus.CLOSED)

    # ---- helpers -------------------------------------------------------------------------

    def _finish(self, status: InquiryStatus) -> None:
        self._require_active(status.value)
        before = self.snapshot()
        self.status = status
        self.reply_by = None
        self._record(f"inquiry.{status.value}", before)

    def _require_active(self, verb: str) -> None:
        if not self.active:
            raise InvalidTransition(
                f"inquiry {self.id} is {self.status.value} and cannot be {verb}: "
                "open a new inquiry instead",
                field="status",
            )

    def _add(self, author: Author, body: str, now: datetime) -> str:
        text = clean_message(body)
        if len(self.messages) >= MAX_MESSAGES:
            raise TooManyInquiries(
                f"inquiry {self.id} already has {len(self.messages)} messages, the most one "
                "thread can hold: close it and open a new one",
                field="message",
            )
        self.messages.append(Message(author, text, now))
        return text

    def _record(self, action: str, before: Mapping[str, Any] | None) -> None:
        self.audit.append(ev.AuditRecord(action, "inquiry", self.id, before, self.snapshot()))

    def _emit(self, name: str, **data: Any) -> None:
        self.events.append(
            ev.DomainEvent(name, self.order_id, self.package_id, {"inquiry_id": self.id, **data})
        )
