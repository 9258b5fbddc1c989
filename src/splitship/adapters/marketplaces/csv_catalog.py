"""SKUs and stock levels from CSV files (header row first, as a spreadsheet exports them)."""

from __future__ import annotations

from datetime import date

from splitship.adapters.marketplaces.common import (
    FieldError,
    day,
    money_minor,
    non_negative_int,
    positive_int,
)
from splitship.adapters.marketplaces.csv_orders import read_csv
from splitship.domain.catalog import Dimensions, Sku, SkuAttributes
from splitship.services.catalog import RowError, StockSetting

SKU_COLUMNS = ("code", "name", "weight_g")
STOCK_COLUMNS = ("warehouse", "sku", "on_hand")


def _header_errors(header: list[str], required: tuple[str, ...]) -> list[RowError]:
    return [
        RowError(1, c, f"column {c!r} is missing from the header row")
        for c in required
        if c not in header
    ]


def parse_skus_csv(text: str, shop_id: str = "") -> tuple[list[Sku], list[RowError]]:
    """Columns: code, name, weight_g, and optionally length_mm, width_mm, height_mm, tags
    (separated by ``|`` or ``;``), category, declared_value (e.g. 12.50), available_from."""
    header, rows = read_csv(text)
    missing = _header_errors(header, SKU_COLUMNS)
    if missing:
        return [], missing
    skus: list[Sku] = []
    errors: list[RowError] = []
    for number, row in rows:
        try:
            skus.append(_sku(row, shop_id))
        except FieldError as exc:
            errors.append(RowError(number, exc.field, exc.message))
    return skus, errors


def _sku(row: dict[str, str], shop_id: str) -> Sku:
    code = row["code"]
    if not code:
        raise FieldError("code", "SKU code is empty")
    sides = [row.get(k, "") for k in ("length_mm", "width_mm", "height_mm")]
    dims = None
    if any(sides):
        if not all(sides):
            raise FieldError("length_mm", "give all three of length_mm, width_mm, height_mm")
        a, b, c = (
            positive_int(v, k)
            for v, k in zip(sides, ("length_mm", "width_mm", "height_mm"), strict=True)
        )
        dims = Dimensions(a, b, c)
    tags = frozenset(
        t.strip().lower() for t in row.get("tags", "").replace(";", "|").split("|") if t.strip()
    )
    available: date | None = day(row.get("available_from"), "available_from")
    return Sku(
        shop_id,
        code,
        row.get("name") or code,
        SkuAttributes(
            weight_g=positive_int(row["weight_g"], "weight_g"),
            dimensions=dims,
            tags=tags,
            category=row.get("category") or None,
            declared_value=money_minor(row.get("declared_value"), "declared_value"),
            available_from=available,
        ),
    )


def parse_stock_csv(text: str) -> tuple[list[StockSetting], list[RowError]]:
    """Columns: warehouse (id or code), sku, on_hand."""
    header, rows = read_csv(text)
    missing = _header_errors(header, STOCK_COLUMNS)
    if missing:
        return [], missing
    out: list[StockSetting] = []
    errors: list[RowError] = []
    for number, row in rows:
        try:
            if not row["warehouse"]:
                raise FieldError("warehouse", "warehouse is empty")
            if not row["sku"]:
                raise FieldError("sku", "sku is empty")
            out.append(
                StockSetting(
                    row["warehouse"],
                    row["sku"],
                    non_negative_int(row["on_hand"], "on_hand"),
                    number,
                )
            )
        except FieldError as exc:
            errors.append(RowError(number, exc.field, exc.message))
    return out, errors
