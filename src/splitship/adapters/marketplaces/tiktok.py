"""Orders shaped like TikTok Shop's order detail (``Get Order Detail``).

Accepted: one order object, a list of them, ``{"orders": [...]}`` or
``{"data": {"orders": [...]}}``.
TikTok lists one ``line_items`` entry per unit; entries with the same ``seller_sku`` (and price)
are folded into one order line. An explicit ``quantity`` is honoured when present.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from splitship.adapters.marketplaces.common import (
    FieldError,
    day,
    money_minor,
    positive_int,
    timestamp,
)
from splitship.domain.order import Address
from splitship.services.catalog import RowError
from splitship.services.orders import LineDraft, OrderDraft

SOURCE = "tiktok"


def parse_tiktok_orders(data: object) -> tuple[list[OrderDraft], list[RowError]]:
    """Drafts for every well-formed order; each bad order reported by its position (row 1..n)."""
    orders = _order_list(data)
    drafts: list[OrderDraft] = []
    errors: list[RowError] = []
    for row, raw in enumerate(orders, start=1):
        try:
            drafts.append(parse_tiktok_order(raw, row))
        except FieldError as exc:
            errors.append(RowError(row, exc.field, exc.message))
    return drafts, errors


def _order_list(data: object) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        inner = data.get("data")
        if isinstance(inner, Mapping) and isinstance(inner.get("orders"), list):
            return list(inner["orders"])
        if isinstance(data.get("orders"), list):
            return list(data["orders"])
        return [data]
    raise FieldError("body", "expected an order object or a list of orders")


def _text(obj: Mapping[str, Any], key: str, default: str = "") -> str:
    value = obj.get(key)
    return default if value is None else str(value).strip()


def _address(raw: object, field: str) -> Address:
    if not isinstance(raw, Mapping):
        raise FieldError(field, "recipient_address is missing or not an object")
    levels = {
        str(d.get("address_level_name", "")).lower(): str(d.get("address_name", ""))
        for d in raw.get("district_info") or []
        if isinstance(d, Mapping)
    }
    country = _text(raw, "region_code") or levels.get("country", "")
    lines = [_text(raw, f"address_line{i}") for i in range(1, 5)]
    line1 = next((x for x in lines if x), "") or _text(raw, "full_address")
    address = Address(
        name=_text(raw, "name"),
        line1=line1,
        line2=" ".join(x for x in lines[1:] if x) or None,
        city=_text(raw, "city") or levels.get("city", ""),
        region=_text(raw, "state") or levels.get("state") or levels.get("province"),
        postal_code=_text(raw, "postal_code") or None,
        country=country.upper(),
        phone=_text(raw, "phone_number") or None,
        email=_text(raw, "email") or None,
    )
    if not address.line1:
        raise FieldError(f"{field}.address_line1", "the address has no street line")
    if len(address.country) != 2:
        raise FieldError(f"{field}.region_code", "region_code must be a two-letter country code")
    return address


def parse_tiktok_order(raw: object, row: int = 0) -> OrderDraft:
    if not isinstance(raw, Mapping):
        raise FieldError("order", "each order must be a JSON object")
    external_id = _text(raw, "id") or _text(raw, "order_id")
    if not external_id:
        raise FieldError("id", "the order has no id")
    currency = _text(raw.get("payment") or {}, "currency") or _text(raw, "currency") or "USD"
    address = _address(raw.get("recipient_address"), "recipient_address")
    items = raw.get("line_items")
    if not isinstance(items, list) or not items:
        raise FieldError("line_items", "the order has no line_items")
    folded: dict[tuple[str, int, Address], int] = {}
    names: dict[str, str] = {}
    for i, item in enumerate(items):
        where = f"line_items[{i}]"
        if not isinstance(item, Mapping):
            raise FieldError(where, "each line item must be an object")
        sku = _text(item, "seller_sku")
        if not sku:
            raise FieldError(f"{where}.seller_sku", "seller_sku is empty")
        price = money_minor(
            item.get("sale_price", item.get("price", 0)), f"{where}.sale_price", currency
        )
        qty = positive_int(item.get("quantity", 1), f"{where}.quantity")
        line_address = (
            _address(item["recipient_address"], f"{where}.recipient_address")
            if item.get("recipient_address")
            else address
        )
        key = (sku, price, line_address)
        folded[key] = folded.get(key, 0) + qty
        names.setdefault(sku, _text(item, "product_name") or _text(item, "sku_name"))
    return OrderDraft(
        source=_text(raw, "source", SOURCE) or SOURCE,
        external_id=external_id,
        address=address,
        lines=[
            LineDraft(sku, qty, price, row, names.get(sku) or None, addr)
            for (sku, price, addr), qty in folded.items()
        ],
        row=row,
        buyer_name=address.name,
        buyer_email=_text(raw, "buyer_email") or None,
        buyer_locale=_text(raw, "buyer_locale") or None,
        currency=currency,
        created_at=timestamp(raw.get("create_time"), "create_time"),
        paid_at=timestamp(raw.get("paid_time"), "paid_time"),
        ship_by=timestamp(
            raw.get("shipping_due_time") or raw.get("rts_sla_time"), "shipping_due_time"
        ),
        deliver_by=day(raw.get("deliver_by"), "deliver_by")
        or _date_of(timestamp(raw.get("delivery_due_time"), "delivery_due_time")),
    )


def _date_of(value: datetime | None) -> date | None:
    return None if value is None else value.date()
