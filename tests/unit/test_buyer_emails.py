"""Buyer e-mail rendering: every kind in both languages, escaping, links, locale fallback."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from splitship.adapters.notify.emails import (
    BUYER_EMAIL_KINDS,
    BuyerEmailContext,
    email_locale,
    format_eta,
    make_answer_excerpt,
    render_buyer_email,
)

CONTEXT = BuyerEmailContext(
    shop_name="Acme Outdoor",
    order_external_id="576461413038",
    tracking_page_url="https://track.acme.example/t/Zk3q9xYw?lang=en&src=mail",
    buyer_name="Li Wei",
    package_number=2,
    package_count=3,
    carrier_name="SF Express",
    tracking_number="SF1234567890123",
    tracking_url="https://www.sf-express.example/track?num=SF1234567890123",
    eta_earliest=date(2025, 3, 5),
    eta_latest=date(2025, 3, 8),
    answer_excerpt="Your second parcel left our Shenzhen warehouse today.",
)
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("kind", BUYER_EMAIL_KINDS)
@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_every_kind_renders_in_both_languages_with_the_tracking_page_link(
    kind: str, locale: str
) -> None:
    rendered = render_buyer_email(kind, locale, CONTEXT)

    assert rendered.subject and "\n" not in rendered.subject
    assert CONTEXT.order_external_id in rendered.subject
    assert _has_cjk(rendered.subject) == (locale == "zh_Hans")
    assert _has_cjk(rendered.text) == (locale == "zh_Hans")
    assert CONTEXT.tracking_page_url in rendered.text
    # In HTML the URL's "&" is written as "&amp;", as it must be inside an attribute.
    html_url = CONTEXT.tracking_page_url.replace("&", "&amp;")
    assert f'href="{html_url}"' in rendered.html
    assert "Li Wei" in rendered.text and "Li Wei" in rendered.html
    assert rendered.html.lstrip().startswith("<!DOCTYPE html>")
    assert "\n\n\n" not in rendered.text


@pytest.mark.parametrize(
    ("locale", "subject", "eta"),
    [
        ("en", "Package 2 of 3 shipped", "Mar 5\u2009–\u20098, 2025"),
        ("zh_Hans", "第 2 个包裹（共 3 个）已发货", "2025年3月5日至8日"),
    ],
)
def test_package_shipped_shows_carrier_tracking_and_delivery_estimate(
    locale: str, subject: str, eta: str
) -> None:
    rendered = render_buyer_email("package_shipped", locale, CONTEXT)

    assert subject in rendered.subject
    for body in (rendered.text, rendered.html):
        assert "SF Express" in body
        assert "SF1234567890123" in body
        assert eta in body
    assert CONTEXT.tracking_url is not None
    assert CONTEXT.tracking_url in rendered.text
    assert f'href="{CONTEXT.tracking_url}"' in rendered.html


def test_single_package_order_does_not_say_1_of_1() -> None:
    context = dataclasses.replace(CONTEXT, package_number=1, package_count=1)

    rendered = render_buyer_email("package_shipped", "en", context)

    assert "1 of 1" not in rendered.subject + rendered.text
    assert "has shipped" in rendered.subject


def test_missing_tracking_details_are_left_out() -> None:
    context = dataclasses.replace(
        CONTEXT,
        carrier_name=None,
        tracking_number=None,
        tracking_url=None,
        eta_earliest=None,
        eta_latest=None,
    )

    rendered = render_buyer_email("package_shipped", "en", context)

    assert "Carrier" not in rendered.text and "None" not in rendered.text
    assert "<table" not in rendered.html and "None" not in rendered.html


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_html_escapes_a_hostile_answer_excerpt(locale: str) -> None:
    context = dataclasses.replace(CONTEXT, answer_excerpt=HOSTILE, buyer_name="<b>Eve</b>")

    rendered = render_buyer_email("inquiry_answered", locale, context)

    assert "<script" not in rendered.html
    assert "<img" not in rendered.html
    assert "<b>Eve" not in rendered.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in rendered.html
    assert HOSTILE in rendered.text  # plain text is not HTML: shown as written


def test_inquiry_answered_quotes_the_answer() -> None:
    context = dataclasses.replace(CONTEXT, answer_excerpt="Line one\nLine two")

    rendered = render_buyer_email("inquiry_answered", "en", context)

    assert "> Line one\n> Line two" in rendered.text
    assert "Line one\nLine two" in rendered.html


@pytest.mark.parametrize(
    ("context", "field"),
    [
        (
            dataclasses.replace(CONTEXT, tracking_page_url="javascript:alert(1)"),
            "tracking_page_url",
        ),
        (dataclasses.replace(CONTEXT, tracking_url="data:text/html,hi"), "tracking_url"),
    ],
)
def test_non_http_links_are_refused(context: BuyerEmailContext, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        render_buyer_email("package_shipped", "en", context)


def test_package_kinds_need_package_numbers() -> None:
    context = dataclasses.replace(CONTEXT, package_number=4, package_count=3)

    with pytest.raises(ValueError, match="package_number"):
        render_buyer_email("package_delivered", "en", context)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown buyer e-mail kind 'order_lost'"):
        render_buyer_email("order_lost", "en", CONTEXT)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("zh_Hans", "zh_Hans"),
        ("zh-Hans-CN", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-TW", "en"),
        ("fr", "en"),
        ("", "en"),
        ("not a locale", "en"),
    ],
)
def test_locale_tags_map_to_a_template_locale(tag: str, expected: str) -> None:
    assert email_locale(tag) == expected


def test_unknown_locale_renders_english() -> None:
    assert render_buyer_email("order_shipped", "fr_FR", CONTEXT) == render_buyer_email(
        "order_shipped", "en", CONTEXT
    )


def test_delivery_estimate_formats() -> None:
    day = date(2025, 3, 5)
    assert format_eta(day, day, "en") == "Mar 5, 2025"
    assert format_eta(None, day, "zh_Hans") == "2025年3月5日"
    assert format_eta(None, None, "en") is None
    # CLDR puts thin spaces around the range dash.
    assert format_eta(day, date(2025, 4, 2), "en") == "Mar 5\u2009–\u2009Apr 2, 2025"
    with pytest.raises(ValueError, match="before it starts"):
        format_eta(date(2025, 3, 8), day, "en")


def test_answer_excerpt_is_cut_at_a_word() -> None:
    assert make_answer_excerpt("  short answer ") == "short answer"
    excerpt = make_answer_excerpt("word " * 100, limit=50)
    assert excerpt.endswith("word…") and len(excerpt) <= 51
    assert make_answer_excerpt("好" * 400, limit=300) == "好" * 300 + "…"
