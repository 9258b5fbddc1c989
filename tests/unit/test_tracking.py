"""Tracking numbers per carrier: format, check digit, auto-detection, a channel's own pattern.

Published sample numbers come from the carriers' documentation where one exists (UPS's
1Z999AA10123456784, the UPU S10 worked example 47312482 -> 9) and otherwise from the test lists of
the open tracking_number_data project. The ``tracking-numbers`` package (generated from that data)
serves as an independent implementation to compare the hand-written check digits against.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tracking_numbers.checksum_validator import S10, Mod7, Mod10, SumProductWithWeightsAndModulo
from tracking_numbers.serial_number import UPSSerialNumberParser

from splitship.domain.errors import InvalidInput
from splitship.domain.tracking import (
    CARRIERS,
    InvalidTrackingPattern,
    UnknownCarrier,
    check_own_pattern,
    check_tracking_number,
    detect_carriers,
    normalize_tracking_number,
    tracking_url,
)
from splitship.domain.tracking_checks import (
    S10_WEIGHTS,
    dhl_express_check_digit,
    fedex_express_check_digit,
    gs1_mod10_check_digit,
    s10_check_digit,
    ups_check_digit,
)

REQUIRED_CARRIERS = {
    "china_post", "ems", "ups", "fedex", "usps", "dhl", "sf", "yto", "zto", "sto", "yunda",
    "jt", "jd", "yunexpress", "cainiao",
}  # fmt: skip

MISTYPED = "the number was mistyped; copy it again from the label"


def assert_valid(number: str, carrier: str) -> None:
    result = check_tracking_number(number, carrier)
    assert result.valid, result.reason
    assert result.reason is None
    assert result.carrier_code == carrier


def assert_refused(number: str, carrier: str) -> str:
    result = check_tracking_number(number, carrier)
    assert not result.valid
    assert result.reason
    return result.reason


# --- registry -------------------------------------------------------------------------------


def test_registry_has_every_required_carrier_keyed_by_its_lowercase_code() -> None:
    assert set(CARRIERS) >= REQUIRED_CARRIERS
    for code, carrier in CARRIERS.items():
        assert code == carrier.code == code.lower()


def test_every_carrier_has_an_https_tracking_url_template_with_a_number_slot() -> None:
    for carrier in CARRIERS.values():
        assert carrier.tracking_url_template.startswith("https://")
        assert "{number}" in carrier.tracking_url_template


def test_carriers_with_published_check_digits_say_so() -> None:
    with_check = {code for code, c in CARRIERS.items() if c.has_check_digit}
    assert with_check == {"china_post", "ems", "ups", "fedex", "usps", "dhl"}


def test_registry_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        CARRIERS["ups"] = CARRIERS["fedex"]  # type: ignore[index]


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" 1z 999 aa1 0123 4567 84 ", "1Z999AA10123456784"),
        ("ee-123-456-785-cn", "EE123456785CN"),
        ("9400\t1112\n0108 0805 4830 16", "9400111201080805483016"),
        ("ＳＦ１３１０５１０７３０７３８", "SF1310510730738"),  # full-width, as a Chinese IME types
        ("JT 000696\u00a08326954", "JT0006968326954"),  # no-break space
        ("LP\u2013001234\u2014567890\u201112", "LP00123456789012"),  # en dash, em dash, hyphen
    ],
)
def test_normalization_strips_spaces_and_dashes_and_uppercases(raw: str, normalized: str) -> None:
    assert normalize_tracking_number(raw) == normalized


def test_check_reports_the_normalized_number() -> None:
    assert check_tracking_number("1z999aa1 0123 4567 84", "ups").number == "1Z999AA10123456784"


def test_empty_number_is_refused_with_what_to_do() -> None:
    result = check_tracking_number("  - ", "ups")
    assert not result.valid
    assert result.reason == "the tracking number is empty: enter the number printed on the label"


def test_overlong_input_is_refused_before_any_pattern_runs() -> None:
    result = check_tracking_number("1Z999AA10123456784" * 5, extra_pattern="(A+)+B")
    assert not result.valid
    assert result.reason is not None and "enter the tracking number alone" in result.reason


# --- UPU S10: China Post, EMS, USPS international -------------------------------------------


def test_s10_check_digit_matches_the_standards_worked_example() -> None:
    # 4*8 + 7*6 + 3*4 + 1*2 + 2*3 + 4*5 + 8*9 + 2*7 = 200; 200 mod 11 = 2; 11 - 2 = 9
    assert s10_check_digit("47312482") == 9


@pytest.mark.parametrize(
    ("serial", "check"),
    [
        ("12345678", 5),  # sum 204, 204 mod 11 = 6, 11 - 6 = 5
        ("00000000", 5),  # sum 0, 11 - 0 = 11, which the standard turns into 5
        ("70000000", 0),  # sum 56, 56 mod 11 = 1, 11 - 1 = 10, which the standard turns into 0
        ("11111111", 5),  # sum 44, 44 mod 11 = 0, so 11 -> 5 again
    ],
)
def test_s10_check_digit_computed_by_hand(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("RR473124829CN", "china_post"),
        ("RR700000000CN", "china_post"),
        ("LK123456785CN", "china_post"),
        ("EA123456785CN", "ems"),
        ("EE123456785US", "ems"),
        ("EE123456785US", "usps"),
        ("RR000000005US", "usps"),
    ],
)
def test_valid_s10_numbers_are_accepted(number: str, carrier: str) -> None:
    assert_valid(number, carrier)


def test_s10_typo_names_the_check_digit_and_where_it_sits() -> None:
    reason = assert_refused("RR473124828CN", "china_post")
    assert reason == f"the check digit is 9 but the digit before the country code is 8: {MISTYPED}"


def test_china_post_refuses_an_s10_number_of_another_postal_service() -> None:
    reason = assert_refused("RR473124829GB", "china_post")
    assert reason.startswith("does not match the China Post format (2 letters, 9 digits and CN")


def test_ems_refuses_a_registered_letter_and_points_to_china_post() -> None:
    reason = assert_refused("RR473124829CN", "ems")
    assert "it matches the China Post format: check the carrier chosen" in reason


SERIALS = st.text(alphabet=string.digits, min_size=8, max_size=8)
LETTERS = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=1)


def s10(service: str, serial: str, country: str) -> str:
    return f"{service}{serial}{s10_check_digit(serial)}{country}"


@given(service=st.tuples(LETTERS, LETTERS).map("".join), serial=SERIALS)
def test_every_generated_s10_number_of_china_post_is_accepted(service: str, serial: str) -> None:
    assert_valid(s10(service, serial, "CN"), "china_post")


@given(second=LETTERS, serial=SERIALS, country=st.sampled_from(["CN", "US", "GB", "TW", "DE"]))
def test_every_generated_ems_number_is_accepted(second: str, serial: str, country: str) -> None:
    assert_valid(s10("E" + second, serial, country), "ems")


def _s10_remainder(serial: str) -> int:
    return sum(int(c) * w for c, w in zip(serial, S10_WEIGHTS, strict=True)) % 11


@given(serial=SERIALS, position=st.integers(0, 8), data=st.data())
def test_one_digit_typo_in_s10_is_refused_except_the_standards_blind_spot(
    serial: str, position: int, data: st.DataObject
) -> None:
    number = s10("RR", serial, "CN")
    digits = number[2:11]
    typo = data.draw(st.sampled_from([d for d in string.digits if d != digits[position]]))
    mistyped_digits = digits[:position] + typo + digits[position + 1 :]
    mistyped = f"RR{mistyped_digits}CN"
    result = check_tracking_number(mistyped, "china_post")
    if position == 8:
        assert not result.valid  # the check digit itself: only one value is right
    elif result.valid:
        # S10 maps "11 - 0 = 11" to 5, so remainders 0 and 6 both call for 5: a typo that moves
        # the weighted sum between them cannot be seen. Every other one-digit typo is.
        assert {_s10_remainder(serial), _s10_remainder(mistyped_digits[:8])} == {0, 6}


def test_s10_blind_spot_example_both_numbers_pass() -> None:
    # 00000000: sum 0 -> 11 -> 5. 90000000: sum 72, 72 mod 11 = 6 -> 5. Same check digit.
    assert_valid("RR000000005CN", "china_post")
    assert_valid("RR900000005CN", "china_post")


@given(serial=SERIALS)
def test_s10_check_digit_agrees_with_the_tracking_numbers_package(serial: str) -> None:
    assert S10().passes([int(c) for c in serial], s10_check_digit(serial))


# --- UPS ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "1Z999AA10123456784",  # UPS's own published sample
        "1Z5R89390357567127",
        "1Z879E930346834440",
        "1Z410E7W0392751591",
        "1Z8V92A70367203024",
    ],
)
def test_valid_ups_numbers_are_accepted(number: str) -> None:
    assert_valid(number, "ups")


def test_ups_typo_in_the_last_digit_is_refused_with_both_digits_named() -> None:
    reason = assert_refused("1Z999AA10123456785", "ups")
    assert reason == f"the check digit is 4 but the number ends in 5: {MISTYPED}"


@pytest.mark.parametrize("number", ["1Z999AA10123456774", "1Z999AB10123456784"])
def test_ups_typo_in_the_body_is_refused(number: str) -> None:
    assert "the check digit is" in assert_refused(number, "ups")


@pytest.mark.parametrize(
    "number", ["2Z5R89390357567127", "1A5R89390357567127", "1Z999AA1012345678"]
)
def test_number_without_the_ups_shape_is_refused_with_the_shape_described(number: str) -> None:
    reason = assert_refused(number, "ups")
    assert reason.startswith("does not match the UPS format (1Z followed by 16 letters and digits)")


def test_ups_doubling_cannot_see_a_typo_of_five_at_a_doubled_position() -> None:
    # 9 -> 4 at a doubled position changes the sum by 10: the check digit stays right.
    assert_valid("1Z949AA10123456784", "ups")


@given(st.text(alphabet=string.digits + string.ascii_uppercase, min_size=15, max_size=15))
def test_ups_check_digit_agrees_with_the_tracking_numbers_package(body: str) -> None:
    serial = UPSSerialNumberParser().parse(body)
    assert Mod10(odds_multiplier=2, evens_multiplier=1).passes(serial, ups_check_digit(body))


# --- FedEx ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "986578788855",
        "477179081230",
        "799531274483",
        "790535312317",
        "974367662710",
        "041441760228964",
        "568283610012000",
        "568283610012734",
        "9611020987654312345672",
        "61299998820821171811",
        "9261292700768711948021",
    ],
)
def test_valid_fedex_numbers_are_accepted(number: str) -> None:
    assert_valid(number, "fedex")


@pytest.mark.parametrize(
    ("number", "expected", "found"),
    [
        ("996578788855", 6, 5),
        ("568283610012732", 4, 2),
        ("9600000000000000000001", 0, 1),
        ("9261292700768711948020", 1, 0),
    ],
)
def test_fedex_typos_are_refused(number: str, expected: int, found: int) -> None:
    reason = assert_refused(number, "fedex")
    assert reason == f"the check digit is {expected} but the number ends in {found}: {MISTYPED}"


@given(st.text(alphabet=string.digits, min_size=11, max_size=11))
def test_fedex_express_check_digit_agrees_with_the_tracking_numbers_package(digits: str) -> None:
    oracle = SumProductWithWeightsAndModulo([3, 1, 7] * 3 + [3, 1], 11, 10)
    assert oracle.passes([int(c) for c in digits], fedex_express_check_digit(digits))


# --- USPS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "9400111201080805483016",
        "9361289878700317633795",
        "9505511069605048600624",
        "9101123456789000000013",
        "9405803699300124287899",
        "92748931507708513018050063",  # 26-digit IMpb
        "03071790000523483741",  # 20-digit, check over its own 19 digits
        "71969010756003077385",  # 20-digit IMpb printed without its leading 91
    ],
)
def test_valid_usps_numbers_are_accepted(number: str) -> None:
    assert_valid(number, "usps")


@pytest.mark.parametrize("number", ["03071790000523483742", "9200000000000000000000"])
def test_usps_typos_are_refused(number: str) -> None:
    assert "the check digit is" in assert_refused(number, "usps")


IMPB = st.builds(
    lambda ai, body: f"9{ai}{body}{gs1_mod10_check_digit(f'9{ai}{body}')}",
    st.sampled_from("12345"),
    st.text(alphabet=string.digits, min_size=19, max_size=19),
)


@given(number=IMPB, position=st.integers(0, 21), data=st.data())
def test_every_one_digit_typo_in_a_usps_impb_number_is_refused(
    number: str, position: int, data: st.DataObject
) -> None:
    assert_valid(number, "usps")
    typo = data.draw(st.sampled_from([d for d in string.digits if d != number[position]]))
    assert not check_tracking_number(
        number[:position] + typo + number[position + 1 :], "usps"
    ).valid


@given(st.text(alphabet=string.digits, min_size=1, max_size=33))
def test_gs1_check_digit_agrees_with_the_tracking_numbers_package(digits: str) -> None:
    # The package counts parity from the left, so it needs telling which end the weight 3 is on.
    odd_length = len(digits) % 2 == 1
    oracle = (
        Mod10(odds_multiplier=1, evens_multiplier=3)
        if odd_length
        else Mod10(odds_multiplier=3, evens_multiplier=1)
    )
    assert oracle.passes([int(c) for c in digits], gs1_mod10_check_digit(digits))


# --- DHL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "3318810025",
        "8487135506",
        "1099255990",
        "3821724944",
        "JJD0099999999",  # Express piece ID
        "GM2951173225174494",  # eCommerce
        "GM295117494011169042",
    ],
)
def test_valid_dhl_numbers_are_accepted(number: str) -> None:
    assert_valid(number, "dhl")


@pytest.mark.parametrize(("number", "expected"), [("3318810010", 4), ("3318810034", 6)])
def test_dhl_express_typos_are_refused(number: str, expected: int) -> None:
    reason = assert_refused(number, "dhl")
    assert reason.startswith(f"the check digit is {expected} but the number ends in")


def test_dhl_ecommerce_needs_one_of_its_prefixes() -> None:
    assert_refused("GS295117494011169041", "dhl")


@given(st.text(alphabet=string.digits, min_size=9, max_size=9))
def test_dhl_express_check_digit_agrees_with_the_tracking_numbers_package(digits: str) -> None:
    assert Mod7().passes([int(c) for c in digits], dhl_express_check_digit(digits))


# --- Chinese carriers, checked by pattern only ---------------------------------------------


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("SF1310510730738", "sf"),
        ("SF6026442929275", "sf"),
        ("SF123456789012", "sf"),
        ("243140447489", "sf"),
        ("YT7500123456789", "yto"),
        ("75312345678901", "zto"),
        ("78312345678901", "zto"),
        ("77316523125896", "sto"),
        ("462598779470531", "yunda"),
        ("5123456789012", "yunda"),
        ("JT0006968326954", "jt"),
        ("JT3002232682242", "jt"),
        ("JDVA11408814483", "jd"),
        ("JDX000123456789", "jd"),
        ("YT2229521272164446", "yunexpress"),
        ("LP00123456789012", "cainiao"),
        ("CNUSUP00009319533", "cainiao"),
    ],
)
def test_valid_numbers_of_pattern_only_carriers_are_accepted(number: str, carrier: str) -> None:
    assert_valid(number, carrier)


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("SF13105107307", "sf"),
        ("YT123456789012", "yto"),
        ("77312345678901", "zto"),
        ("62598779470531", "sto"),
        ("662598779470531", "yunda"),
        ("JT000696832695", "jt"),
        ("JDVA1140881448", "jd"),
        ("YT123456789012345", "yunexpress"),
        ("LP12345", "cainiao"),
    ],
)
def test_malformed_numbers_of_pattern_only_carriers_are_refused(number: str, carrier: str) -> None:
    reason = assert_refused(number, carrier)
    assert reason.startswith(f"does not match the {CARRIERS[carrier].name} format (")


def test_yto_and_yunexpress_share_the_yt_prefix_but_not_the_length() -> None:
    assert detect_carriers("YT7500123456789") == ("yto",)
    assert detect_carriers("YT2229521272164446") == ("yunexpress",)


# --- a channel's own pattern ----------------------------------------------------------------


def test_channel_pattern_accepts_own_delivery_numbers_the_carrier_would_refuse() -> None:
    result = check_tracking_number("own-2024-000123", "sf", extra_pattern=r"OWN[0-9]{10}")
    assert result.valid
    assert result.carrier_code == "sf"
    assert result.number == "OWN2024000123"


def test_channel_pattern_does_not_replace_the_carriers_own_format() -> None:
    assert check_tracking_number("SF1310510730738", "sf", extra_pattern=r"OWN[0-9]{10}").valid


def test_channel_pattern_must_match_the_whole_number() -> None:
    result = check_tracking_number("OWN2024000123X", "sf", extra_pattern=r"OWN[0-9]{10}")
    assert not result.valid
    assert result.reason is not None and "does not match the channel's own pattern" in result.reason


def test_channel_pattern_is_matched_ignoring_case() -> None:
    assert check_tracking_number("OWN2024000123", "sf", extra_pattern=r"own[0-9]{10}").valid


def test_channel_pattern_alone_makes_a_number_valid_without_a_carrier() -> None:
    result = check_tracking_number("OWN2024000123", extra_pattern=r"OWN[0-9]{10}")
    assert result.valid
    assert result.carrier_code is None
    assert result.candidates == ()


def test_broken_channel_pattern_is_reported_as_a_channel_setting_to_fix() -> None:
    with pytest.raises(InvalidTrackingPattern, match="not a valid regular expression") as err:
        check_tracking_number("SF1310510730738", "sf", extra_pattern="OWN[0-9")
    assert isinstance(err.value, ValueError)
    assert err.value.field == "tracking_pattern"


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        (r"(\d+)+", True),
        (r"([A-Z]*\d)*", True),
        (r"(\d{2,})+", True),
        (r"(\d{2})+", False),
        (r"(JD|JT)\d{10,13}", False),
        (r"[A-Z]{2}\d{9}[A-Z]{2}", False),
        (r"(\+\d)+", False),
    ],
)
def test_channel_patterns_that_repeat_a_repetition_are_refused_on_save(
    pattern: str, refused: bool
) -> None:
    if refused:
        with pytest.raises(InvalidTrackingPattern, match="repeats a group") as err:
            check_own_pattern(pattern)
        assert err.value.field == "tracking_pattern"
    else:
        check_own_pattern(pattern)


# --- auto-detection -------------------------------------------------------------------------


def test_auto_detection_names_the_carrier_and_validates() -> None:
    result = check_tracking_number("1Z999AA10123456784")
    assert result.valid
    assert result.carrier_code == "ups"
    assert result.candidates == ("ups",)


def test_verified_check_digit_ranks_before_pattern_only_matches() -> None:
    # 12 digits fit FedEx Express, SF Express and ZTO; only FedEx has a check digit, and it holds.
    assert detect_carriers("986578788855") == ("fedex", "sf", "zto")
    # 15 digits starting with 43 fit FedEx Ground, STO and Yunda.
    assert detect_carriers("431234567890125") == ("fedex", "sto", "yunda")


def test_failed_check_digit_drops_the_carrier_from_the_candidates() -> None:
    result = check_tracking_number("996578788855")
    assert result.valid
    assert result.candidates == ("sf", "zto")
    assert result.carrier_code == "sf"


def test_ems_item_of_china_post_lists_both() -> None:
    assert detect_carriers("EA123456785CN") == ("ems", "china_post")


def test_auto_detection_explains_a_typo_in_a_number_with_a_check_digit() -> None:
    result = check_tracking_number("1Z999AA10123456785")
    assert not result.valid
    assert result.carrier_code is None
    assert (
        result.reason == f"the check digit is 4 but the number ends in 5 (UPS format): {MISTYPED}"
    )


def test_auto_detection_refuses_a_number_no_carrier_issues() -> None:
    result = check_tracking_number("HELLO-WORLD")
    assert not result.valid
    assert result.candidates == ()
    assert result.reason is not None
    assert result.reason.startswith("does not match the format of any known carrier")


def test_wrong_carrier_chosen_points_to_the_carrier_the_number_belongs_to() -> None:
    result = check_tracking_number("JT0006968326954", "fedex")
    assert not result.valid
    assert result.candidates == ("jt",)
    assert result.reason == (
        "does not match the FedEx format (12, 15 or 20 digits, or 22 digits starting with 92 or "
        "96); it matches the J&T Express format: check the carrier chosen"
    )


def test_detect_carriers_normalizes_first() -> None:
    assert detect_carriers(" 1z999aa1-0123-4567-84 ") == ("ups",)


def test_detect_carriers_of_nothing_is_empty() -> None:
    assert detect_carriers("") == ()


# --- carrier codes and URLs -----------------------------------------------------------------


def test_carrier_code_is_case_insensitive() -> None:
    assert check_tracking_number("1Z999AA10123456784", " UPS ").carrier_code == "ups"


def test_unknown_carrier_is_an_error_that_lists_the_known_codes() -> None:
    with pytest.raises(UnknownCarrier) as err:
        check_tracking_number("1Z999AA10123456784", "royal_mail")
    message = str(err.value)
    assert "'royal_mail'" in message
    assert all(code in message for code in REQUIRED_CARRIERS)
    assert isinstance(err.value, ValueError)
    assert err.value.field == "carrier"


def test_tracking_url_of_an_unknown_carrier_is_refused() -> None:
    with pytest.raises(UnknownCarrier, match="royal_mail"):
        tracking_url("royal_mail", "1Z999AA10123456784")


def test_tracking_url_fills_in_the_normalized_number() -> None:
    url = tracking_url("ups", "1z999 aa1 0123 4567 84")
    assert url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"


def test_tracking_url_exists_for_every_carrier() -> None:
    for code in CARRIERS:
        assert "LP00123456789012" in tracking_url(code, "LP00123456789012")


def test_tracking_url_needs_a_number() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        tracking_url("ups", " ")
