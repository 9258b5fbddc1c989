"""SQL repository for inquiries. Every query is scoped by shop; saves are version-checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from splitship.adapters.db.tables_buyer import inquiries as t_inquiries
from splitship.domain.errors import NotFound, VersionConflict
from splitship.domain.inquiry import Author, Inquiry, InquiryCategory, InquiryStatus, Message
from splitship.services.inquiry_repository import InquiryFilter, InquiryRepository


class SqlInquiryRepository(InquiryRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, shop_id: str, inquiry_id: str) -> Inquiry:
        row = self.conn.execute(
            select(t_inquiries).where(
                t_inquiries.c.shop_id == shop_id, t_inquiries.c.id == inquiry_id
            )
        ).first()
        if row is None:
            raise NotFound(f"inquiry {inquiry_id} not found", field="inquiry_id")
        return _from_row(row)

    def add(self, inquiry: Inquiry) -> None:
        self.conn.execute(
            insert(t_inquiries).values(
                id=inquiry.id,
                shop_id=inquiry.shop_id,
                order_id=inquiry.order_id,
                opened_at=inquiry.opened_at,
                version=1,
                **_values(inquiry),
            )
        )
        inquiry.version = 1

    def save(self, inquiry: Inquiry) -> None:
        c = t_inquiries.c
        done = self.conn.execute(
            update(t_inquiries)
            .where(c.id == inquiry.id, c.shop_id == inquiry.shop_id, c.version == inquiry.version)
            .values(version=inquiry.version + 1, **_values(inquiry))
        ).rowcount
        if not done:
            raise VersionConflict(
                f"inquiry {inquiry.id} was changed by someone else meanwhile: "
                "reload it and try again",
                field="version",
                details={"inquiry_id": inquiry.id},
            )
        inquiry.version += 1

    def for_order(self, shop_id: str, order_id: str) -> list[Inquiry]:
        c = t_inquiries.c
        rows = self.conn.execute(
            select(t_inquiries)
            .where(c.shop_id == shop_id, c.order_id == order_id)
            .order_by(c.opened_at, c.id)
        )
        return [_from_row(r) for r in rows]

    def search(self, shop_id: str, flt: InquiryFilter) -> list[Inquiry]:
        c = t_inquiries.c
        cond: list[Any] = [c.shop_id == shop_id]
        if flt.status is not None:
            cond.append(c.status == flt.status.value)
        if flt.order_id is not None:
            cond.append(c.order_id == flt.order_id)
        if flt.overdue_at is not None:
            cond += [c.status == InquiryStatus.OPEN.value, c.reply_by < flt.overdue_at]
        rows = self.conn.execute(
            select(t_inquiries)
            .where(*cond)
            .order_by(c.reply_by.is_(None), c.reply_by, c.updated_at.desc(), c.id)
            .limit(flt.limit)
            .offset(flt.offset)
        )
        return [_from_row(r) for r in rows]


def _values(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "package_id": inquiry.package_id,
        "category": inquiry.category.value,
        "status": inquiry.status.value,
        "reply_by": inquiry.reply_by,
        "updated_at": inquiry.updated_at,
        "messages": [
            {"author": m.author.value, "body": m.body, "at": m.at.isoformat()}
            for m in inquiry.messages
        ],
    }


def _from_row(row: Any) -> Inquiry:
    return Inquiry(
        id=row.id,
        shop_id=row.shop_id,
        order_id=row.order_id,
        package_id=row.package_id,
        category=InquiryCategory(row.category),
        status=InquiryStatus(row.status),
        messages=[
            Message(Author(m["author"]), m["body"], datetime.fromisoformat(m["at"]))
            for m in row.messages
        ],
        opened_at=row.opened_at,
        reply_by=row.reply_by,
        version=row.version,
    )
