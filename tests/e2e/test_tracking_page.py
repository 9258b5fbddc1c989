"""The buyer tracking page over HTTP: what it shows, what it never shows, who gets a 404,
languages, rate limits, and inquiries opened from it."""

from __future__ import annotations

import re
import secrets
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import Response
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette would rather drive its test client with httpx2; httpx (installed) still works.
    warnings.filterwarnings("ignore", "Using `httpx`", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from e2e.tracking_seed import PII, PRE_SALE_NOTE, SHIP_TIME, TrackedOrder, three_package_order
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.entrypoints.api import create_app
from splitship.services import inquiries

NOW = SHIP_TIME + timedelta(days=4)
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


@pytest.fixture
def tracked(app: App) -> TrackedOrder:
    app.clock = lambda: NOW  # events and reply-by times are checked against "now"
    return three_package_order(app)


def page_of(api: TestClient, token: str, **kw: Any) -> str:
    resp = api.get(f"/t/{token}", **kw)
    assert resp.status_code == 200, resp.text
    return resp.text


def post_inquiry(api: TestClient, token: str, **fields: str) -> Response:
    form = FORM_TOKEN.search(page_of(api, token))
    assert form is not None
    data = {"form_token": form.group(1), "category": "where_is_my_package", **fields}
    return api.post(f"/t/{token}/inquiries", data=data, follow_redirects=False)


def test_page_shows_each_package_with_logistics_timeline_and_preparing_note(
    api: TestClient, tracked: TrackedOrder
) -> None:
    html = page_of(api, tracked.token, headers={"Accept-Language": "en-US"})
    assert "Order TT-1001" in html and "Partly shipped" in html
    for n in (1, 2, 3):
        assert f"Package {n} of 3" in html
    assert html.count("1Z999AA10123456784") >= 2  # number and carrier link
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA10123456793"' in html
    assert "Nov 25\u2009–\u2009Dec 1, 2026" in html  # UPS Ground domestic: 1-5 business days
    assert "Delivered" in html and "Out for delivery" in html and "Delivery attempted" in html
    assert "Cotton tee" in html and "× 2" in html and "Eau de parfum 50 ml" in html
    assert PRE_SALE_NOTE in html
    # Newest event first within a package.
    assert html.index("Out for delivery", html.index("Package 2 of 3")) < html.index(
        "Delivery attempted"
    )


def test_page_never_shows_full_name_street_phone_email_or_postal_code(
    api: TestClient, tracked: TrackedOrder
) -> None:
    for headers in ({"Accept-Language": "en"}, ZH):
        html = page_of(api, tracked.token, headers=headers)
        for kind, value in PII.items():
            assert value not in html, f"{kind} leaked"
        assert "A*** L***" in html
        assert "Austin, TX" in html


def test_another_orders_token_shows_only_that_order(
    app: App, api: TestClient, tracked: TrackedOrder
) -> None:
    other = three_package_order(app, "TT-2002")
    html = page_of(api, other.token)
    assert "TT-2002" in html and "TT-1001" not in html
    assert tracked.token not in html


@pytest.mark.parametrize(
    "token",
    [
        "guessed",  # replaced below by a well-formed random token
        "abc",
        "x" * 200,
        "%2e%2e%2fetc%2fpasswd",
        "tok%00en-with-nul-aaaaaaaaaaaaaaaa",
        "漢字漢字漢字漢字漢字漢字漢字漢字",
    ],
)
def test_unknown_or_malformed_tokens_get_the_same_plain_404_page(
    api: TestClient, tracked: TrackedOrder, token: str
) -> None:
    if token == "guessed":
        token = secrets.token_urlsafe(24)
    resp = api.get(f"/t/{token}")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "This tracking link is not valid" in resp.text
    assert "TT-1001" not in resp.text and "<form" not in resp.text
    assert resp.headers["referrer-policy"] == "no-referrer"


def test_security_headers_forbid_inline_scripts_caching_and_referrers(
    api: TestClient, tracked: TrackedOrder
) -> None:
    resp = api.get(f"/t/{tracked.token}")
    csp = resp.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert "script-src" not in csp  # falls back to default-src 'none': no script at all
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert resp.headers["cache-control"] == "no-store"
    assert "<script" not in resp.text and "style=" not in resp.text


def test_language_from_accept_language_then_the_switch_which_sticks(
    api: TestClient, tracked: TrackedOrder
) -> None:
    zh = page_of(api, tracked.token, headers=ZH)
    assert '<html lang="zh-Hans">' in zh and "包裹 1 / 共 3 个" in zh and "预计送达" in zh
    assert "2026年11月25日至12月1日" in zh
    # Traditional Chinese readers are not served Simplified; English is the fallback.
    assert '<html lang="en">' in page_of(api, tracked.token, headers={"Accept-Language": "zh-TW"})
    switched = api.get(f"/t/{tracked.token}?lang=en", headers=ZH)
    assert '<html lang="en">' in switched.text
    assert "lang=en" in switched.headers["set-cookie"]
    assert "HttpOnly" in switched.headers["set-cookie"]
    # The cookie now wins over the browser's Accept-Language.
    assert '<html lang="en">' in page_of(api, tracked.token, headers=ZH)
    assert f'href="/t/{tracked.token}?lang=zh_Hans"' in switched.text


def test_requests_beyond_the_rate_get_429_with_retry_after(
    tmp_path: Path, tracked: TrackedOrder, app: App
) -> None:
    limited = bootstrap(
        Settings(env="test", database_url=str(app.engine.url), tracking_rate_per_minute=3)
    )
    try:
        with TestClient(create_app(limited)) as client:
            codes = [client.get(f"/t/{tracked.token}").status_code for _ in range(3)]
            guess = client.get(f"/t/{secrets.token_urlsafe(24)}")
            assert codes == [200, 200, 200]
            assert guess.status_code == 429  # guesses count too
            assert int(guess.headers["retry-after"]) >= 1
            assert "Too many requests" in guess.text
            assert guess.headers["content-security-policy"]
    finally:
        limited.dispose()


def test_inquiry_opened_on_the_page_reaches_the_seller_and_the_answer_comes_back(
    app: App, api: TestClient, tracked: TrackedOrder
) -> None:
    resp = post_inquiry(
        api, tracked.token, package_id=tracked.package_ids[1], message="Is it coming today?"
    )
    assert resp.status_code == 303
    location = resp.headers["location"]
    assert location.startswith(f"/t/{tracked.token}?sent=1#inquiry-")
    (found,) = inquiries.list_inquiries(app.uow(), tracked.shop.shop_id)
    assert found.inquiry.package_id == tracked.package_ids[1] and found.package_number == 2
    html = page_of(api, tracked.token, params={"sent": "1"})
    assert "Your message was sent" in html and "Is it coming today?" in html
    assert "About package 2" in html and "Waiting for the seller" in html
    answered = api.post(
        f"/api/v1/inquiries/{found.inquiry.id}/answer",
        json={"message": "Yes, before 6 pm."},
        headers=tracked.shop.headers,
    )
    assert answered.status_code == 200, answered.text
    html = page_of(api, tracked.token)
    assert "Yes, before 6 pm." in html and "Answered" in html and "Acme Goods" in html
    # The buyer writes again in the same thread: it waits for the seller once more.
    form = FORM_TOKEN.search(html)
    assert form is not None
    again = api.post(
        f"/t/{tracked.token}/inquiries/{found.inquiry.id}/messages",
        data={"form_token": form.group(1), "message": "Thanks!"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert (
        inquiries.get_inquiry(
            app.uow(), tracked.shop.shop_id, found.inquiry.id
        ).inquiry.status.value
        == "open"
    )


def test_a_hostile_message_is_shown_as_text(api: TestClient, tracked: TrackedOrder) -> None:
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)> & \"quotes\""
    assert post_inquiry(api, tracked.token, message=hostile).status_code == 303
    html = page_of(api, tracked.token)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    )


def test_posts_without_the_page_form_token_or_from_another_site_are_refused(
    app: App, api: TestClient, tracked: TrackedOrder
) -> None:
    url = f"/t/{tracked.token}/inquiries"
    data = {"category": "late", "message": "hi"}
    assert api.post(url, data=data).status_code == 403
    assert api.post(url, data={**data, "form_token": "1.forged"}).status_code == 403
    form = FORM_TOKEN.search(page_of(api, tracked.token))
    assert form is not None
    other = three_package_order(app, "TT-3003")
    # A token issued for one order's page does not open inquiries on another order.
    stolen = api.post(f"/t/{other.token}/inquiries", data={**data, "form_token": form.group(1)})
    assert stolen.status_code == 403
    cross = api.post(
        url,
        data={**data, "form_token": form.group(1)},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert inquiries.list_inquiries(app.uow(), tracked.shop.shop_id) == []


def test_refused_input_shows_why_and_keeps_what_was_typed(
    api: TestClient, tracked: TrackedOrder
) -> None:
    empty = post_inquiry(api, tracked.token, message="   ", category="damaged")
    assert empty.status_code == 422
    assert "Please write a message." in empty.text
    long = post_inquiry(api, tracked.token, message="字" * 2001)
    assert long.status_code == 422
    assert "at most 2000 characters" in long.text
    bad = post_inquiry(api, tracked.token, message="hello", category="refund-now")
    assert "Please choose what your question is about." in bad.text
    assert ">hello</textarea>" in bad.text
    big = api.post(
        f"/t/{tracked.token}/inquiries",
        content=b"message=" + b"a" * 40_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert big.status_code == 413


def test_a_flood_of_posts_from_one_client_is_refused(tracked: TrackedOrder, app: App) -> None:
    limited = bootstrap(
        Settings(env="test", database_url=str(app.engine.url), tracking_rate_per_minute=20)
    )
    limited.clock = lambda: NOW
    try:
        with TestClient(create_app(limited)) as client:
            codes = [
                post_inquiry(client, tracked.token, message=f"spam {i}").status_code
                for i in range(3)
            ]
            assert codes == [303, 303, 429]
    finally:
        limited.dispose()
