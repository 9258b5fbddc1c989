"""Parsing helpers shared by the order and catalogue readers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "IDR": 0, "CLP": 0}


class FieldError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def money_minor(value: object, field: str, currency: str = "USD") -> int:
    """'12.50' or 12.5 -> 1250 (integer minor units); refuses fractions of a minor unit."""
    if value is None or value == "":
        return 0
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise FieldError(field, f"{value!r} is not a price; write it like 12.50") from None
    scaled = amount.scaleb(MINOR_UNITS.get(currency.upper(), 2))
    if scaled != scaled.to_integral_value():
        raise FieldError(field, f"{value!r} has more decimals than {currency} allows")
    return int(scaled)


def positive_int(value: object, field: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(field, f"{value!r} is not a whole number") from None
    if number <= 0:
        raise FieldError(field, f"must be at least 1, got {number}")
    return number


def non_negative_int(value: object, field: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(field, f"{value!r} is not a whole number") from None
    if number < 0:
        raise FieldError(field, f"cannot be negative, got {number}")
    return number


def timestamp(value: object, field: str) -> datetime | None:
    """Unix seconds (TikTok style) or ISO 8601 with an offset; naive times are refused."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise FieldError(
            field, f"{value!r} is not a time; use ISO 8601 like 2026-11-26T10:00:00+08:00"
        ) from None
    if parsed.tzinfo is None:
        raise FieldError(field, f"{value!r} has no time zone; add one like +08:00 or Z")
    return parsed.astimezone(UTC)


def day(value: object, field: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise FieldError(field, f"{value!r} is not a date; use YYYY-MM-DD") from None
