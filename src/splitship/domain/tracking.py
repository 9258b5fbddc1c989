"""Tracking numbers: which carrier issued one, and whether it was typed correctly.

A number is checked against the carrier's formats. Where the carrier publishes a check digit it is
verified (algorithms in ``tracking_checks``); elsewhere only the shape can be checked. A channel may
add its own pattern (own delivery, a forwarder's numbers) that is accepted as well.
See docs/tracking-numbers.md for the formats and where each one comes from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from urllib.parse import quote

from splitship.domain.errors import InvalidInput
from splitship.domain.tracking_checks import (
    CheckDigits,
    dhl_express_check,
    fedex_express_check,
    fedex_ground_96_check,
    gs1_check,
    impb_without_ai_check,
    s10_check,
    ups_check,
)

# Longer than any carrier format; also bounds the work a channel's own regex can be made to do.
MAX_TRACKING_NUMBER_LENGTH = 64


class UnknownCarrier(InvalidInput, ValueError):
    """A carrier code that is not in ``CARRIERS``."""

    code = "unknown_carrier"


class InvalidTrackingPattern(InvalidInput, ValueError):
    """A channel's own tracking pattern that is not a valid regular expression."""

    code = "invalid_tracking_pattern"


@dataclass(frozen=True)
class TrackingFormat:
    """One shape of number that a carrier issues, with its check digit if it has one."""

    name: str
    pattern: re.Pattern[str]
    check: Callable[[str], CheckDigits] | None = None
    check_digit_place: str = "the number ends in"


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    tracking_url_template: str  # contains "{number}"
    formats: tuple[TrackingFormat, ...]
    format_hint: str  # the formats in words, for messages

    @property
    def has_check_digit(self) -> bool:
        return any(f.check is not None for f in self.formats)


@dataclass(frozen=True)
class TrackingCheck:
    number: str  # normalized
    carrier_code: str | None
    valid: bool
    reason: str | None
    candidates: tuple[str, ...]  # every carrier whose format the number matches, best first


def normalize_tracking_number(raw: str) -> str:
    # NFKC turns full-width letters and digits (typed with a Chinese IME) into ASCII ones.
    text = unicodedata.normalize("NFKC", raw)
    kept = (c for c in text if not c.isspace() and c != "-" and unicodedata.category(c) != "Pd")
    return "".join(kept).upper()


def check_tracking_number(
    number: str, carrier_code: str | None = None, extra_pattern: str | None = None
) -> TrackingCheck:
    normalized = normalize_tracking_number(number)
    carrier = None if carrier_code is None else _carrier(carrier_code)
    chosen = carrier.code if carrier is not None else None
    own_format = None if extra_pattern is None else _compile_own_pattern(extra_pattern)
    problem = _shape_problem(normalized)
    if problem is not None:
        return TrackingCheck(normalized, chosen, False, problem, ())
    matches = {code: _match(c, normalized) for code, c in CARRIERS.items()}
    candidates = _ranked(matches)
    own_match = own_format is not None and own_format.fullmatch(normalized) is not None
    if carrier is not None:
        valid = matches[carrier.code].accepted or own_match
        reason = None if valid else _carrier_reason(carrier, matches, candidates, own_format)
        return TrackingCheck(normalized, chosen, valid, reason, candidates)
    if candidates or own_match:
        first = candidates[0] if candidates else None
        return TrackingCheck(normalized, first, True, None, candidates)
    return TrackingCheck(normalized, None, False, _unknown_reason(matches), ())


def detect_carriers(number: str) -> tuple[str, ...]:
    normalized = normalize_tracking_number(number)
    if _shape_problem(normalized) is not None:
        return ()
    return _ranked({code: _match(c, normalized) for code, c in CARRIERS.items()})


def tracking_url(carrier_code: str, number: str) -> str:
    normalized = normalize_tracking_number(number)
    if not normalized:
        raise InvalidInput("the tracking number is empty: enter it first", field="tracking_number")
    template = _carrier(carrier_code).tracking_url_template
    return template.replace("{number}", quote(normalized, safe=""))


class _Outcome(IntEnum):
    # Ordered best first: the rank used for auto-detection.
    VERIFIED = 0
    PATTERN_ONLY = 1
    BAD_CHECK_DIGIT = 2
    NO_MATCH = 3


@dataclass(frozen=True)
class _Match:
    outcome: _Outcome
    mismatch: str | None = None  # what is wrong with the check digit, when it is wrong

    @property
    def accepted(self) -> bool:
        return self.outcome <= _Outcome.PATTERN_ONLY


def _match(carrier: Carrier, number: str) -> _Match:
    best = _Match(_Outcome.NO_MATCH)
    for fmt in carrier.formats:
        if fmt.pattern.fullmatch(number) is None:
            continue
        if fmt.check is None:
            found = _Match(_Outcome.PATTERN_ONLY)
        else:
            expected, actual = fmt.check(number)
            found = (
                _Match(_Outcome.VERIFIED)
                if expected == actual
                else _Match(
                    _Outcome.BAD_CHECK_DIGIT,
                    f"the check digit is {expected} but {fmt.check_digit_place} {actual}",
                )
            )
        if found.outcome < best.outcome:
            best = found
    return best


def _ranked(matches: Mapping[str, _Match]) -> tuple[str, ...]:
    accepted = [code for code, m in matches.items() if m.accepted]
    # sorted() is stable, so registry order breaks ties within a rank.
    return tuple(sorted(accepted, key=lambda code: matches[code].outcome))


_MISTYPED = "the number was mistyped; copy it again from the label"


def _shape_problem(normalized: str) -> str | None:
    if not normalized:
        return "the tracking number is empty: enter the number printed on the label"
    if len(normalized) > MAX_TRACKING_NUMBER_LENGTH:
        return (
            f"the tracking number has {len(normalized)} characters, more than any carrier "
            f"issues ({MAX_TRACKING_NUMBER_LENGTH}): enter the tracking number alone"
        )
    return None


def _carrier_reason(
    carrier: Carrier,
    matches: Mapping[str, _Match],
    candidates: tuple[str, ...],
    own_format: re.Pattern[str] | None,
) -> str:
    mismatch = matches[carrier.code].mismatch
    if mismatch is not None:
        return f"{mismatch}: {_MISTYPED}"
    own = " and does not match the channel's own pattern" if own_format is not None else ""
    lead = f"does not match the {carrier.name} format ({carrier.format_hint}){own}"
    if candidates:
        names = " or ".join(CARRIERS[code].name for code in candidates)
        return f"{lead}; it matches the {names} format: check the carrier chosen"
    return f"{lead}: check the number on the label"


def _unknown_reason(matches: Mapping[str, _Match]) -> str:
    for code, m in matches.items():
        if m.mismatch is not None:
            return f"{m.mismatch} ({CARRIERS[code].name} format): {_MISTYPED}"
    return (
        "does not match the format of any known carrier: check the number, "
        "or choose the carrier or a channel that accepts it"
    )


def _carrier(code: str) -> Carrier:
    carrier = CARRIERS.get(code.strip().lower())
    if carrier is None:
        known = ", ".join(CARRIERS)
        raise UnknownCarrier(f"unknown carrier {code!r}: use one of {known}", field="carrier")
    return carrier


def _compile_own_pattern(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as err:
        raise InvalidTrackingPattern(
            f"the channel's tracking pattern {pattern!r} is not a valid regular expression "
            f"({err}): fix it in the channel settings",
            field="tracking_pattern",
        ) from err


# A group that repeats and holds an open-ended repetition, e.g. ``(\d+)+`` or ``([A-Z]*\d)*``:
# Python's backtracking matcher can take exponential time on such a pattern when a number
# almost matches. Tracking formats never need it (fixed fields), so it is refused on save.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?<!\\)(?:[+*]|,\})(?:[^()\\]|\\.)*\)[+*{]")


def check_own_pattern(pattern: str) -> None:
    """Refuse a channel's own tracking pattern that is not a valid regular expression, or that
    repeats a group holding an open-ended repetition (slow to reject a near miss)."""
    _compile_own_pattern(pattern)
    if _NESTED_REPEAT.search(pattern):
        raise InvalidTrackingPattern(
            f"the channel's tracking pattern {pattern!r} repeats a group that itself repeats "
            "(like (\\d+)+), which can take very long to check a number: write each part "
            "once with a count, e.g. [A-Z]{2}\\d{9}[A-Z]{2}",
            field="tracking_pattern",
        )


# --- the registry ---------------------------------------------------------------------------


def _fmt(
    name: str,
    regex: str,
    check: Callable[[str], CheckDigits] | None = None,
    place: str = "the number ends in",
) -> TrackingFormat:
    return TrackingFormat(name, re.compile(regex), check, place)


_S10_PLACE = "the digit before the country code is"
_DHL_ECOMMERCE = r"(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)[0-9]{10,39}"


def _c(code: str, name: str, url: str, hint: str, *formats: TrackingFormat) -> Carrier:
    return Carrier(code, name, url, formats, hint)


# Order matters: it breaks ties between carriers that rank alike in auto-detection.
_CARRIER_LIST = (
    _c(
        "ups",
        "UPS",
        "https://www.ups.com/track?tracknum={number}",
        "1Z followed by 16 letters and digits",
        _fmt("UPS 1Z", r"1Z[0-9A-Z]{15}[0-9]", ups_check),
    ),
    _c(
        "fedex",
        "FedEx",
        "https://www.fedex.com/fedextrack/?trknbr={number}",
        "12, 15 or 20 digits, or 22 digits starting with 92 or 96",
        _fmt("FedEx Express", r"[0-9]{12}", fedex_express_check),
        _fmt("FedEx Ground", r"[0-9]{15}", gs1_check),
        _fmt("FedEx Ground 96", r"96[0-9]{20}", fedex_ground_96_check),
        _fmt("FedEx Ground Economy", r"92[0-9]{20}", gs1_check),
        _fmt("FedEx Ground Economy without 92", r"[0-9]{20}", impb_without_ai_check("92")),
    ),
    _c(
        "usps",
        "USPS",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
        "20, 22 or 26 digits, or 2 letters, 9 digits and US",
        _fmt("USPS 20-digit", r"[0-9]{20}", gs1_check),
        _fmt("USPS IMpb without 91", r"[0-9]{20}", impb_without_ai_check("91")),
        _fmt("USPS IMpb", r"9[1-5][0-9]{20}(?:[0-9]{4})?", gs1_check),
        _fmt("USPS S10", r"[A-Z]{2}[0-9]{9}US", s10_check, _S10_PLACE),
    ),
    _c(
        "dhl",
        "DHL",
        "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
        "10 digits, JJD and digits, or GM, LX, RX, UV or a country code and 10 to 39 digits",
        _fmt("DHL Express", r"[0-9]{10}", dhl_express_check),
        _fmt("DHL Express piece", r"J[A-Z]{2,3}[0-9]{9,10}"),
        _fmt("DHL eCommerce", _DHL_ECOMMERCE),
    ),
    _c(
        "ems",
        "EMS",
        "https://www.ems.com.cn/qps/yjcx?mailNum={number}",
        "E and a letter, 9 digits and a country code, e.g. EA123456785CN",
        _fmt("EMS (S10)", r"E[A-Z][0-9]{9}[A-Z]{2}", s10_check, _S10_PLACE),
    ),
    _c(
        "china_post",
        "China Post",
        "https://www.ems.com.cn/qps/yjcx?mailNum={number}",
        "2 letters, 9 digits and CN, e.g. RR123456785CN",
        _fmt("China Post (S10)", r"[A-Z]{2}[0-9]{9}CN", s10_check, _S10_PLACE),
    ),
    _c(
        "sf",
        "SF Express",
        "https://www.sf-express.com/chn/en/waybill/waybill-detail/{number}",
        "SF followed by 12 or 13 digits, or 12 digits",
        _fmt("SF Express", r"SF[0-9]{12,13}|[0-9]{12}"),
    ),
    _c(
        "yto",
        "YTO Express",
        "https://www.yto.net.cn/gw/service/tracking?waybillNo={number}",
        "YT followed by 13 digits",
        _fmt("YTO", r"YT[0-9]{13}"),
    ),
    _c(
        "zto",
        "ZTO Express",
        "https://www.zto.com/express/expressCheck.html?txtbill={number}",
        "14 digits starting with 73, 74, 75, 76 or 78, or 12 digits",
        _fmt("ZTO", r"7[3-68][0-9]{12}|[0-9]{12}"),
    ),
    _c(
        "sto",
        "STO Express",
        "https://www.sto.cn/web/waybill.html?billcode={number}",
        "14 to 17 digits starting with 77 or 43",
        _fmt("STO", r"(?:77|43)[0-9]{12,15}"),
    ),
    _c(
        "yunda",
        "Yunda Express",
        "https://www.yundaex.com/cn/index.php?moduleName=Track&number={number}",
        "15 digits starting with 3 or 4, or 13 digits starting with 5",
        _fmt("Yunda", r"[34][0-9]{14}|5[0-9]{12}"),
    ),
    _c(
        "jt",
        "J&T Express",
        "https://www.jtexpress.cn/track/{number}",
        "JT followed by 13 digits",
        _fmt("J&T", r"JT[0-9]{13}"),
    ),
    _c(
        "jd",
        "JD Logistics",
        "https://www.jdl.com/orderSearch/?waybillCodes={number}",
        "JD, 2 letters or digits, then 11 digits",
        _fmt("JD", r"JD[0-9A-Z]{2}[0-9]{11}"),
    ),
    _c(
        "yunexpress",
        "YunExpress",
        "https://www.yuntrack.com/parcelTracking?id={number}",
        "YT followed by 16 digits",
        _fmt("YunExpress", r"YT[0-9]{16}"),
    ),
    _c(
        "cainiao",
        "Cainiao",
        "https://global.cainiao.com/detail.htm?mailNoList={number}",
        "LP followed by 12 to 18 digits, or CN, 2 to 4 letters and digits",
        _fmt("Cainiao LP", r"LP[0-9]{12,18}"),
        _fmt("Cainiao CN", r"CN[A-Z]{2,4}[0-9]{9,20}(?:[A-Z]{2})?"),
    ),
)

CARRIERS: Mapping[str, Carrier] = MappingProxyType({c.code: c for c in _CARRIER_LIST})

__all__ = [
    "CARRIERS",
    "Carrier",
    "InvalidTrackingPattern",
    "TrackingCheck",
    "TrackingFormat",
    "UnknownCarrier",
    "check_own_pattern",
    "check_tracking_number",
    "detect_carriers",
    "normalize_tracking_number",
    "tracking_url",
]
