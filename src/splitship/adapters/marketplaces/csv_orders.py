"""Orders from a CSV file with one row per order line.

Rows sharing an ``order_id`` form one order; order-level columns are read from its first row.
Row numbers count the header as row 1, as a spreadsheet shows them. An order with any bad row is
left out whole and every bad row is reported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

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

REQUIRED = ("order_id", "seller_sku", "quantity", "address_line1", "city", "country")
OPTIONAL = (
    "price",
    "currency",
    "source",
    "buyer_name",
    "buyer_email",
    "buyer_locale",
    "phone",
    "address_line2",
    "region",
    "postal_code",
    "created_at",
    "ship_by",
    "deliver_by",
    "product_name",
    "ship_to_name",
    "ship_to_line1",
    "ship_to_city",
    "ship_to_region",
    "ship_to_postal_code",
    "ship_to_country",
)


def read_csv(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (lower-cased, trimmed) and numbered rows; tolerates a UTF-8 BOM and blank lines."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=1):
        if not header:
            header = [c.strip().lower() for c in cells]
            continue
        if not any(c.strip() for c in cells):
            continue
        rows.append(
            (
                number,
                {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)},
            )
        )
    return header, rows


def parse_orders_csv(text: str) -> tuple[list[OrderDraft], list[RowError]]:
    try:
        header, rows = read_csv(text)
    except csv.Error as exc:
        return [], [RowError(1, "file", f"not a readable CSV file: {exc}")]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [RowError(1, c, f"column {c!r} is missing from the header row") for c in missing]
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    errors: list[RowError] = []
    for number, row in rows:
        if not row["order_id"]:
            errors.append(RowError(number, "order_id", "order_id is empty"))
            continue
        groups.setdefault(row["order_id"], []).append((number, row))
    drafts = []
    for external_id, group in groups.items():
        draft, problems = _order(external_id, group)
        errors.extend(problems)
        if draft is not None and not problems:
            drafts.append(draft)
    return drafts, sorted(errors, key=lambda e: e.row)


def _address(row: Mapping[str, str], prefix: str = "") -> Address:
    def col(name: str) -> str:
        return row.get(prefix + name, "")

    country = (col("country")).upper()
    if len(country) != 2:
        raise FieldError(prefix + "country", f"{country!r} is not a two-letter country code")
    line1 = col("line1") if prefix else col("address_line1")
    if not line1:
        raise FieldError(prefix + ("line1" if prefix else "address_line1"), "street line is empty")
    return Address(
        name=col("name") or row.get("buyer_name", ""),
        line1=line1,
        line2=None if prefix else (row.get("address_line2") or None),
        city=col("city"),
        region=col("region") or None,
        postal_code=col("postal_code") or None,
        country=country,
        phone=None if prefix else (row.get("phone") or None),
        email=None if prefix else (row.get("buyer_email") or None),
    )


def _order(
    external_id: str, group: list[tuple[int, dict[str, str]]]
) -> tuple[OrderDraft | None, list[RowError]]:
    first_row, first = group[0]
    errors: list[RowError] = []
    try:
        address = _address(first)
        currency = first.get("currency") or "USD"
        created = timestamp(first.get("created_at"), "created_at")
        ship_by = timestamp(first.get("ship_by"), "ship_by")
        deliver_by = day(first.get("deliver_by"), "deliver_by")
    except FieldError as exc:
        return None, [RowError(first_row, exc.field, exc.message)]
    lines = []
    for number, row in group:
        try:
            line_address = _address(row, "ship_to_") if row.get("ship_to_line1") else None
            lines.append(
                LineDraft(
                    sku=row["seller_sku"] or _missing("seller_sku"),
                    quantity=positive_int(row["quantity"], "quantity"),
                    unit_price=money_minor(row.get("price"), "price", currency),
                    row=number,
                    name=row.get("product_name") or None,
                    address=line_address,
                )
            )
        except FieldError as exc:
            errors.append(RowError(number, exc.field, exc.message))
    if errors:
        return None, errors
    return (
        OrderDraft(
            source=first.get("source") or "csv",
            external_id=external_id,
            address=address,
            lines=lines,
            row=first_row,
            buyer_name=first.get("buyer_name", ""),
            buyer_email=first.get("buyer_email") or None,
            buyer_locale=first.get("buyer_locale") or None,
            currency=currency,
            created_at=created,
            ship_by=ship_by,
            deliver_by=deliver_by,
        ),
        [],
    )


def _missing(field: str) -> str:
    raise FieldError(field, f"{field} is empty")
