"""The seller console in real Chromium: the seed workflow as a seller does it, the CSV upload,
what a viewer can do, CSRF and tenancy, and a screenshot of every main page in both languages
(test-artifacts/screenshots/console-*.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from browser.live import SCREENSHOTS, LiveServer
from factories import (
    UPS_NUMBER,
    UPS_NUMBER_MISTYPED,
    USPS_NUMBER,
    ShopFixture,
    make_shop,
    tiktok_order_json,
)
from splitship.adapters.marketplaces.tiktok import parse_tiktok_orders
from splitship.bootstrap import App
from splitship.domain.order import Order
from splitship.services import inquiries, orders, users
from splitship.services.console import get_order
from splitship.services.planning import apply_plan

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"
OWNER = "owner@shop.test"
VIEWER = "viewer@shop.test"


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
    users._dummy_hash.cache_clear()
    yield
    users._dummy_hash.cache_clear()


def import_order(app: App, shop: ShopFixture, external_id: str, items: list[Any]) -> Order:
    drafts, errors = parse_tiktok_orders(tiktok_order_json(external_id, items))
    assert not errors
    report = orders.import_orders(app.uow(), shop.shop_id, drafts)
    assert report.ok, report.errors
    return get_order(app.uow(), shop.shop_id, report.order_ids[0])


@pytest.fixture
def shop(live_server: LiveServer) -> ShopFixture:
    app = live_server.app
    made = make_shop(app, "Acme Goods / 极客好物")
    users.create_user(app.uow(), made.shop_id, OWNER, PASSWORD, "owner")
    users.create_user(app.uow(), made.shop_id, VIEWER, PASSWORD, "viewer")
    return made


@pytest.fixture
def must_split(live_server: LiveServer, shop: ShopFixture) -> Order:
    # A power bank (battery) and a perfume (liquid) must not share a parcel.
    return import_order(
        live_server.app, shop, "TT-7001", [("POWERBANK", 1), ("PERFUME", 1), ("TEE", 2)]
    )


def sign_in(page: Any, base: str, email: str = OWNER, lang: str = "en") -> None:
    page.goto(f"{base}/console/login?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form[action='/console/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/console/(queue.*)?$"))


def shot(page: Any, name: str, lang: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"console-{name}-{lang}.png"), full_page=True)


def package_card(page: Any, number: int) -> Any:
    return page.locator(f"article.pkg[data-package-number='{number}']")


def test_seed_workflow_from_sign_in_to_the_buyer_page(
    page: Any, live_server: LiveServer, shop: ShopFixture, must_split: Order
) -> None:
    base, app = live_server.base_url, live_server.app
    sign_in(page, base)

    # The must-split tab lists the order with its reason; open it.
    page.goto(f"{base}/console/queue?tab=must_split")
    row = page.locator("tr[data-order='TT-7001']")
    assert "battery, liquid" in row.inner_text()
    row.get_by_role("link", name="TT-7001").click()
    page.wait_for_url(f"**/console/orders/{must_split.id}")
    assert page.locator("#precheck").get_by_text("Must split").is_visible()

    # Apply the auto-split as proposed.
    page.get_by_role("button", name="Apply this split").click()
    page.wait_for_url("**msg=split_applied")
    order = get_order(app.uow(), shop.shop_id, must_split.id)
    assert len(order.live_packages) == 2 and not order.unassigned_items()
    battery = next(p for p in order.live_packages if "L1" in p.items)
    liquid = next(p for p in order.live_packages if "L2" in p.items)

    # Move one tee by hand into the other package.
    tee_source = battery if "L3" in battery.items else liquid
    tee_target = liquid if tee_source is battery else battery
    tees_before = tee_source.items["L3"]
    card = package_card(page, tee_source.number)
    move = card.locator("form[data-move='TEE']")
    move.locator("input[name=quantity]").fill("1")
    move.locator("select[name=target]").select_option(tee_target.id)
    move.get_by_role("button", name="Move").click()
    page.wait_for_url("**msg=units_moved**")
    order = get_order(app.uow(), shop.shop_id, must_split.id)
    assert order.package(tee_source.id).items.get("L3", 0) == tees_before - 1
    assert len(order.live_packages) == 2

    # Pick a channel per package from the comparison table.
    for pkg, code in ((battery, "ups-ground"), (liquid, "usps-first")):
        card = package_card(page, pkg.number)
        card.locator(f"input[type=radio][value^='{shop.channels[code].id}']").check()
        card.get_by_role("button", name="Use this channel").click()
        page.wait_for_url("**msg=channel_chosen**")
    shot(page, "order-split", "en")

    # A mistyped tracking number: the check as typed says so, and shipping is refused.
    card = package_card(page, battery.number)
    number = card.locator("input[name=tracking_number]")
    number.fill(UPS_NUMBER_MISTYPED)
    check = card.locator(".check")
    check.filter(has_text="Not valid").wait_for()
    assert "check digit" in check.inner_text()
    card.get_by_role("button", name="Ship package").click()
    card = package_card(page, battery.number)
    card.locator(".error").wait_for()
    assert "check digit" in card.locator(".error").inner_text()
    shot(page, "order-tracking-error", "en")
    refused = get_order(app.uow(), shop.shop_id, must_split.id)
    assert refused.package(battery.id).status.value == "open"  # nothing was confirmed either

    # The right number: the check agrees, the package ships, the order is partially shipped.
    number = card.locator("input[name=tracking_number]")
    number.fill(UPS_NUMBER)
    card.locator(".check.ok").wait_for()
    card.get_by_role("button", name="Ship package").click()
    page.wait_for_url("**msg=package_shipped**")
    heading = page.locator("h1")
    assert "Partially shipped" in heading.inner_text()

    # Ship the other one: the order has shipped.
    card = package_card(page, liquid.number)
    card.locator("input[name=tracking_number]").fill(USPS_NUMBER)
    card.get_by_role("button", name="Ship package").click()
    page.wait_for_url("**msg=package_shipped**")
    assert "Shipped" in page.locator("h1").inner_text()
    assert "Partially" not in page.locator("h1").inner_text()
    shot(page, "order-shipped", "en")

    # The buyer's tracking page shows both packages.
    page.goto(f"{base}/t/{must_split.tracking_token}")
    body = page.locator("body").inner_text()
    assert UPS_NUMBER in body and USPS_NUMBER in body
    assert page.get_by_role("heading", name="Package 1 of 2").is_visible()
    assert page.get_by_role("heading", name="Package 2 of 2").is_visible()


def test_csv_upload_ships_good_rows_and_lists_bad_ones(
    page: Any, live_server: LiveServer, shop: ShopFixture, must_split: Order, tmp_path: Any
) -> None:
    order, _ = apply_plan(live_server.app.uow(), shop.shop_id, must_split.id)
    battery = next(p for p in order.live_packages if "L1" in p.items)
    csv_file = tmp_path / "tracking.csv"
    csv_file.write_text(
        "order_id,package_number,carrier,tracking_number,ship_time\n"
        f"TT-7001,{battery.number},ups,{UPS_NUMBER},2026-11-26 10:30\n"
        "TT-7001,9,ups,1Z999AA10123456784,\n"
        "TT-0000,1,ups,1Z999AA10123456784,\n",
        encoding="utf-8",
    )
    sign_in(page, live_server.base_url)
    page.goto(f"{live_server.base_url}/console/upload")
    page.set_input_files("#file", str(csv_file))
    page.get_by_role("button", name="Upload and ship").click()
    result = page.locator("#upload-result")
    result.wait_for()
    assert "Rows shipped: 1 · rows failed: 2" in result.inner_text()
    assert "has no package 9" in result.inner_text()
    assert "no order TT-0000" in result.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the failed rows (CSV)").click()
    errors = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert errors.count("\n") == 3 and "TT-0000" in errors
    shot(page, "upload-result", "en")
    shipped = get_order(live_server.app.uow(), shop.shop_id, order.id).package(battery.id)
    assert shipped.status.value == "shipped"


def test_viewer_cannot_change_anything(
    page: Any, live_server: LiveServer, shop: ShopFixture, must_split: Order
) -> None:
    base = live_server.base_url
    sign_in(page, base, VIEWER)
    page.goto(f"{base}/console/orders/{must_split.id}")
    assert page.get_by_text("Auto-split preview").is_visible()
    assert page.get_by_role("button", name="Apply this split").count() == 0
    assert page.locator("form[method=post]").count() == 1  # only "Sign out"
    # Posting the form anyway, with the page's own CSRF token, is refused by role.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    status = page.evaluate(
        """async ([url, token]) => {
            const body = new URLSearchParams({csrf_token: token});
            const r = await fetch(url, {method: "POST", body});
            return r.status;
        }""",
        [f"/console/orders/{must_split.id}/auto-split", token],
    )
    assert status == 403
    assert get_order(live_server.app.uow(), shop.shop_id, must_split.id).packages == []


def test_form_without_csrf_token_is_refused(
    page: Any, live_server: LiveServer, shop: ShopFixture, must_split: Order
) -> None:
    sign_in(page, live_server.base_url)
    page.goto(f"{live_server.base_url}/console/orders/{must_split.id}")
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    page.get_by_role("button", name="Apply this split").click()
    assert page.get_by_text("This form has expired or did not come from this site").is_visible()
    assert get_order(live_server.app.uow(), shop.shop_id, must_split.id).packages == []


def test_another_shops_order_shows_not_found(
    page: Any, live_server: LiveServer, shop: ShopFixture
) -> None:
    other = make_shop(live_server.app, "Other shop")
    theirs = import_order(live_server.app, other, "TT-OTHER", [("TEE", 1)])
    sign_in(page, live_server.base_url)
    response = page.goto(f"{live_server.base_url}/console/orders/{theirs.id}")
    assert response is not None and response.status == 404
    assert "TT-OTHER" not in page.locator("body").inner_text()


MAIN_PAGES = [
    ("queue", "/console/queue?tab=must_split"),
    ("queue-all", "/console/queue?tab=all"),
    ("batch", "/console/batch"),
    ("upload", "/console/upload"),
    ("rules", "/console/rules"),
    ("channels", "/console/channels"),
    ("boxes", "/console/boxes"),
    ("warehouses", "/console/warehouses"),
    ("inquiries", "/console/inquiries"),
]


@pytest.mark.parametrize(("lang", "accept"), [("en", "en-US"), ("zh_Hans", "zh-CN")])
def test_every_main_page_in_both_languages(
    browser: Any,
    live_server: LiveServer,
    shop: ShopFixture,
    must_split: Order,
    lang: str,
    accept: str,
) -> None:
    app = live_server.app
    import_order(app, shop, "TT-7002", [("TEE", 1), ("MUG", 1)])
    inquiry = inquiries.open_inquiry(
        app.uow(), must_split.tracking_token, "where_is_my_package", "请问什么时候发货？"
    )
    context = browser.new_context(locale=accept, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, live_server.base_url, lang=lang)
        pages = [
            *MAIN_PAGES,
            ("order", f"/console/orders/{must_split.id}"),
            ("inquiry", f"/console/inquiries/{inquiry.id}"),
        ]
        for name, path in pages:
            response = page.goto(live_server.base_url + path)
            assert response is not None and response.status == 200, path
            assert page.locator("html").get_attribute("lang") == (
                "en" if lang == "en" else "zh-Hans"
            )
            shot(page, name, lang)
        nav = page.locator("nav.nav").inner_text()
        assert ("订单" in nav) if lang == "zh_Hans" else ("Orders" in nav)
        # A tablet in portrait: the order page still fits without sideways scrolling.
        page.set_viewport_size({"width": 768, "height": 1024})
        page.goto(f"{live_server.base_url}/console/orders/{must_split.id}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 768, width
        shot(page, "order-tablet", lang)
    finally:
        context.close()
