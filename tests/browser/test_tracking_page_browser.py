"""The buyer tracking page in real Chromium: both languages at phone and desktop width, and an
inquiry round trip with JavaScript switched off (the page must not need it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from browser.live import LiveServer, screenshot
from e2e.tracking_seed import PII, PRE_SALE_NOTE, SHIP_TIME, three_package_order

pytestmark = pytest.mark.browser

NOW = SHIP_TIME + timedelta(days=4)
TEXT = {
    "en": {
        "accept": "en-US",
        "package": "Package {n} of 3",
        "status": "Partly shipped",
        "eta": "Estimated delivery",
        "send": "Send",
        "sent": "Your message was sent",
    },
    "zh_Hans": {
        "accept": "zh-CN",
        "package": "包裹 {n} / 共 3 个",
        "status": "部分已发货",
        "eta": "预计送达",
        "send": "发送",
        "sent": "留言已发送",
    },
}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_three_package_order_reads_well_in_both_languages_at_phone_and_desktop(
    browser: Any, live_server: LiveServer, request: pytest.FixtureRequest, lang: str, width: int
) -> None:
    live_server.app.clock = lambda: NOW
    order = three_package_order(live_server.app)
    words = TEXT[lang]
    context = browser.new_context(
        locale=words["accept"], viewport={"width": width, "height": 800}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        response = page.goto(f"{live_server.base_url}/t/{order.token}")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-Hans")
        for n in (1, 2, 3):
            assert page.get_by_role("heading", name=words["package"].format(n=n)).is_visible()
        assert page.get_by_role("heading", name=words["status"]).is_visible()
        assert page.get_by_text(words["eta"]).first.is_visible()
        assert page.get_by_text(PRE_SALE_NOTE).is_visible()
        assert page.get_by_text("1Z999AA10123456793").is_visible()
        body = page.locator("body").inner_text()
        assert all(value not in body for value in PII.values())
        # Readable at this width: nothing wider than the screen, so no sideways scrolling.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width
        # The stylesheet loaded (the CSP allows it): cards have their white background.
        card_bg = page.locator("article.package").first.evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        assert card_bg == "rgb(255, 255, 255)"
        screenshot(page, request, lang, width)
    finally:
        context.close()


def test_language_switch_changes_the_page_and_is_remembered(
    browser: Any, live_server: LiveServer
) -> None:
    live_server.app.clock = lambda: NOW
    order = three_package_order(live_server.app)
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.base_url}/t/{order.token}")
        page.get_by_role("link", name="简体中文").click()
        assert page.get_by_role("heading", name="包裹 1 / 共 3 个").is_visible()
        page.goto(f"{live_server.base_url}/t/{order.token}")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
    finally:
        context.close()


def test_inquiry_from_the_page_reaches_the_seller_and_the_answer_shows_on_the_page(
    browser: Any, live_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    live_server.app.clock = lambda: NOW
    order = three_package_order(live_server.app)
    context = browser.new_context(
        locale="en-US", viewport={"width": 360, "height": 800}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.base_url}/t/{order.token}")
        page.select_option("#category", "late")
        page.select_option("#package_id", label="Package 2")
        page.fill("#message", "Package 2 was due yesterday. <b>Any news?</b>")
        page.get_by_role("button", name="Send").last.click()
        assert "sent=1" in page.url
        assert page.get_by_role("status").inner_text().startswith(TEXT["en"]["sent"])
        assert page.get_by_text("<b>Any news?</b>", exact=False).is_visible()

        with httpx.Client(base_url=live_server.base_url, headers=order.shop.headers) as seller:
            listed = seller.get("/api/v1/inquiries").json()["inquiries"]
            assert len(listed) == 1 and listed[0]["package_number"] == 2
            assert listed[0]["messages"][0]["body"].startswith("Package 2 was due yesterday.")
            answer = seller.post(
                f"/api/v1/inquiries/{listed[0]['id']}/answer",
                json={"message": "Sorry! It is out for delivery today."},
            )
            assert answer.status_code == 200, answer.text

        page.reload()
        assert page.get_by_text("Sorry! It is out for delivery today.").is_visible()
        assert page.get_by_text("Answered", exact=True).is_visible()
        screenshot(page, request, "en", 360)
    finally:
        context.close()
