"""Check-digit algorithms of tracking numbers, written from the carriers' published rules.

Each function takes the characters that the check digit covers and returns the check digit they
call for. The caller has already matched the carrier's pattern, so a wrong shape here is a bug and
raises ``ValueError`` instead of returning a guess.

A check digit catches most typos, not all: where the rule folds two remainders onto one digit
(S10 maps 11 to 5, FedEx maps 10 to 0), multiplies by a factor that shares a divisor with the
modulus (UPS doubles, mod 10) or works mod 7 (DHL), some one-character typos still pass.
GS1 mod 10 (USPS, FedEx Ground) catches every one-digit typo.
"""

from __future__ import annotations

from collections.abc import Callable

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_FEDEX_EXPRESS_WEIGHTS = (1, 3, 7)
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def s10_check_digit(serial: str) -> int:
    """UPU S10: weights 8 6 4 2 3 5 9 7; 11 - (sum mod 11), where 10 becomes 0 and 11 becomes 5."""
    _require_digits(serial, length=8)
    total = sum(int(c) * w for c, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def ups_check_digit(body: str) -> int:
    """UPS "1Z": the 15 characters after 1Z, letters read as (code point - 63) mod 10 (A=2, I=0,
    J=1 ...); every second character counts double; the check tops the sum up to a multiple of 10.
    """
    if len(body) != 15 or not set(body) <= _ALNUM:
        raise ValueError(f"UPS check needs 15 letters or digits, got {body!r}")
    values = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body]
    total = sum(v * (2 if i % 2 else 1) for i, v in enumerate(values))
    return -total % 10


def fedex_express_check_digit(digits: str) -> int:
    """FedEx Express (12-digit): weights 1, 3, 7 repeating from the rightmost digit; sum mod 11,
    where 10 becomes 0."""
    _require_digits(digits)
    total = sum(int(c) * _FEDEX_EXPRESS_WEIGHTS[i % 3] for i, c in enumerate(reversed(digits)))
    return total % 11 % 10


def gs1_mod10_check_digit(digits: str) -> int:
    """GS1 mod 10 (USPS IMpb, FedEx Ground): weights 3, 1 alternating from the rightmost digit."""
    _require_digits(digits)
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
    return -total % 10


def dhl_express_check_digit(digits: str) -> int:
    """DHL Express 10-digit waybill: the first nine digits, read as one number, mod 7."""
    _require_digits(digits, length=9)
    return int(digits) % 7


# Where each format keeps its check digit. Each takes a whole normalized number that matched the
# format and returns (the check digit it calls for, the digit the number has).
CheckDigits = tuple[int, int]


def s10_check(number: str) -> CheckDigits:
    return s10_check_digit(number[2:10]), int(number[10])


def ups_check(number: str) -> CheckDigits:
    return ups_check_digit(number[2:17]), int(number[17])


def fedex_express_check(number: str) -> CheckDigits:
    return fedex_express_check_digit(number[:-1]), int(number[-1])


def gs1_check(number: str) -> CheckDigits:
    return gs1_mod10_check_digit(number[:-1]), int(number[-1])


def fedex_ground_96_check(number: str) -> CheckDigits:
    # The last 15 digits are the Ground number; "96", the SCNC and the service code are not covered.
    return gs1_mod10_check_digit(number[7:-1]), int(number[-1])


def impb_without_ai_check(application_identifier: str) -> Callable[[str], CheckDigits]:
    """A 22-digit IMpb printed without its leading application identifier (USPS uses 91, FedEx
    Ground Economy 92) keeps the check digit computed over the full 22 digits."""

    def check(number: str) -> CheckDigits:
        return gs1_mod10_check_digit(application_identifier + number[:-1]), int(number[-1])

    return check


def dhl_express_check(number: str) -> CheckDigits:
    return dhl_express_check_digit(number[:9]), int(number[9])


def _require_digits(value: str, length: int | None = None) -> None:
    # str.isdigit() accepts other scripts' digits; the algorithms are defined on ASCII only.
    if not value or not value.isascii() or not value.isdigit():
        raise ValueError(f"check digit needs ASCII digits, got {value!r}")
    if length is not None and len(value) != length:
        raise ValueError(f"check digit needs {length} digits, got {len(value)} in {value!r}")


__all__ = [
    "S10_WEIGHTS",
    "CheckDigits",
    "dhl_express_check",
    "dhl_express_check_digit",
    "fedex_express_check",
    "fedex_express_check_digit",
    "fedex_ground_96_check",
    "gs1_check",
    "gs1_mod10_check_digit",
    "impb_without_ai_check",
    "s10_check",
    "s10_check_digit",
    "ups_check",
    "ups_check_digit",
]
