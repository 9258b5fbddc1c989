"""The seller console over HTTP (TestClient): sign-in, CSRF, roles, tenancy, the order page's
forms, the tracking-number upload, and every main page in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from factories import UPS_NUMBER, UPS_NUMBER_MISTYPED, ShopFixture, tiktok_order_json
from splitship.adapters.marketplaces.tiktok import parse_tiktok_orders
from splitship.bootstrap import App
from splitship.domain.order import Order
from splitship.domain.status import OrderStatus, PackageStatus
from splitship.entrypoints.api import create_app
from splitship.entrypoints.web import console as console_web
from splitship.planning.rules import rule_set_to_dict
from splitship.services import inquiries, orders, shipping, users
from splitship.services.console import get_order
from splitship.services.planning import apply_plan, get_rules, put_rules
from splitship.services.shipping import LogisticsInput

PASSWORD = "a long enough passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Argon2id with a small memory cost: the same code path, a fraction of the time.
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
    users._dummy_hash.cache_clear()
    yield
    users._dummy_hash.cache_clear()


@dataclass
class Seller:
    client: TestClient
    email: str

    def csrf(self, path: str = "/console/queue") -> str:
        found = CSRF.search(self.client.get(path).text)
        assert found, "no CSRF token on the page"
        return found.group(1)

    def post(self, path: str, data: dict[str, object] | None = None) -> httpx.Response:
        body = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(path, data=body, follow_redirects=False)


def sign_in(app: App, email: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(create_app(app))
    page = client.get("/console/login")
    token = CSRF.search(page.text)
    assert token
    resp = client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    return client


def import_order(
    app: App, shop: ShopFixture, external_id: str, items: list[tuple[str, int]]
) -> Order:
    drafts, errors = parse_tiktok_orders(tiktok_order_json(external_id, items))
    assert not errors
    report = orders.import_orders(app.uow(), shop.shop_id, drafts)
    assert report.ok, report.errors
    return get_order(app.uow(), shop.shop_id, report.order_ids[0])


@pytest.fixture
def owner(app: App, shop_a: ShopFixture) -> Seller:
    users.create_user(app.uow(), shop_a.shop_id, "owner@a.test", PASSWORD, "owner")
    return Seller(sign_in(app, "owner@a.test"), "owner@a.test")


@pytest.fixture
def viewer(app: App, shop_a: ShopFixture) -> Seller:
    users.create_user(app.uow(), shop_a.shop_id, "viewer@a.test", PASSWORD, "viewer")
    return Seller(sign_in(app, "viewer@a.test"), "viewer@a.test")


@pytest.fixture
def must_split(app: App, shop_a: ShopFixture) -> Order:
    # A battery and a liquid must not share a parcel: the order must split.
    return import_order(app, shop_a, "TT-MUST", [("POWERBANK", 1), ("PERFUME", 1), ("TEE", 2)])


# ---- sign-in -----------------------------------------------------------------------------


def test_pages_need_a_session_and_come_back_after_sign_in(app: App, shop_a: ShopFixture) -> None:
    users.create_user(app.uow(), shop_a.shop_id, "op@a.test", PASSWORD, "operator")
    client = TestClient(create_app(app))
    resp = client.get("/console/queue?tab=all", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/console/login?next=%2Fconsole%2Fqueue%3Ftab%3Dall"
    page = client.get(resp.headers["location"])
    token = CSRF.search(page.text)
    assert token
    done = client.post(
        "/console/login",
        data={
            "email": "OP@a.test",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "/console/queue?tab=all",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/console/queue?tab=all"
    cookie = done.headers["set-cookie"]
    assert "console_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/console" in cookie
    assert client.get("/console/queue?tab=all").status_code == 200


def test_wrong_password_shows_one_message_and_no_session(app: App, shop_a: ShopFixture) -> None:
    users.create_user(app.uow(), shop_a.shop_id, "op@a.test", PASSWORD, "operator")
    client = TestClient(create_app(app))
    for email, password in [("op@a.test", "wrong password!"), ("nobody@a.test", PASSWORD)]:
        token = CSRF.search(client.get("/console/login").text)
        assert token
        resp = client.post(
            "/console/login",
            data={"email": email, "password": password, "csrf_token": token.group(1)},
        )
        assert resp.status_code == 401
        assert "The e-mail address or the password is wrong." in resp.text
        assert "console_session" not in client.cookies


def test_sign_in_never_redirects_off_site(app: App, shop_a: ShopFixture) -> None:
    users.create_user(app.uow(), shop_a.shop_id, "op@a.test", PASSWORD, "operator")
    client = TestClient(create_app(app))
    for target in ["https://evil.example/", "//evil.example/x", "/api/v1/orders"]:
        token = CSRF.search(client.get("/console/login").text)
        assert token
        resp = client.post(
            "/console/login",
            data={
                "email": "op@a.test",
                "password": PASSWORD,
                "csrf_token": token.group(1),
                "next": target,
            },
            follow_redirects=False,
        )
        assert resp.headers["location"] == "/console/"


def test_sign_out_ends_the_session(owner: Seller) -> None:
    resp = owner.post("/console/logout")
    assert resp.status_code == 303 and resp.headers["location"] == "/console/login"
    again = owner.client.get("/console/queue", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/console/login")


def test_a_stolen_cookie_is_useless_after_sign_out(app: App, owner: Seller) -> None:
    token = owner.client.cookies["console_session"]
    owner.post("/console/logout")
    thief = TestClient(create_app(app), cookies={"console_session": token})
    assert thief.get("/console/queue", follow_redirects=False).status_code == 303


# ---- CSRF --------------------------------------------------------------------------------


def test_form_without_csrf_token_is_refused_and_changes_nothing(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    path = f"/console/orders/{must_split.id}/auto-split"
    for data in [{}, {"csrf_token": "1.forged"}, {"csrf_token": ""}]:
        resp = owner.client.post(path, data=data, follow_redirects=False)
        assert resp.status_code == 403
        assert "This form has expired or did not come from this site" in resp.text
    assert get_order(app.uow(), shop_a.shop_id, must_split.id).packages == []


def test_csrf_token_of_another_session_is_refused(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    users.create_user(app.uow(), shop_a.shop_id, "op@a.test", PASSWORD, "operator")
    other = Seller(sign_in(app, "op@a.test"), "op@a.test")
    resp = other.client.post(
        f"/console/orders/{must_split.id}/auto-split",
        data={"csrf_token": owner.csrf()},
        follow_redirects=False,
    )
    assert resp.status_code == 403


def test_sign_in_form_needs_its_csrf_token(app: App, shop_a: ShopFixture) -> None:
    users.create_user(app.uow(), shop_a.shop_id, "op@a.test", PASSWORD, "operator")
    client = TestClient(create_app(app))
    resp = client.post(
        "/console/login", data={"email": "op@a.test", "password": PASSWORD}, follow_redirects=False
    )
    assert resp.status_code == 403
    assert "console_session" not in client.cookies


# ---- roles -------------------------------------------------------------------------------


def _post_routes() -> list[str]:
    paths = []
    for module in console_web.PAGE_MODULES:
        for route in module.router.routes:
            if isinstance(route, APIRoute) and "POST" in route.methods:
                paths.append(console_web.PREFIX + route.path)
    return sorted(set(paths))


def test_viewer_is_refused_on_every_post_route(
    app: App, viewer: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    split, _ = apply_plan(app.uow(), shop_a.shop_id, must_split.id)
    pkg = split.live_packages[0]
    inquiry = inquiries.open_inquiry(app.uow(), split.tracking_token, "late", "Where is it?")
    routes = [p for p in _post_routes() if p not in ("/console/login", "/console/logout")]
    assert len(routes) >= 12, routes
    before = get_order(app.uow(), shop_a.shop_id, split.id).version
    for template in routes:
        path = (
            template.replace("{order_id}", split.id)
            .replace("{package_id}", pkg.id)
            .replace("{inquiry_id}", inquiry.id)
        )
        resp = viewer.post(
            path,
            {
                "version": str(split.version),
                "order_id": split.id,
                "package_id": pkg.id,
                "source": pkg.id,
                "target": "new",
                "line": next(iter(pkg.items)),
                "quantity": "1",
                "channel": shop_a.channels["ups-ground"].id,
                "tracking_number": UPS_NUMBER,
                "message": "hello",
                "text": "rules: []",
            },
        )
        assert resp.status_code == 403, (path, resp.status_code, resp.text[:300])
        assert "Your role does not allow this change" in resp.text
    assert get_order(app.uow(), shop_a.shop_id, split.id).version == before


def test_viewer_sees_pages_without_change_buttons(viewer: Seller, must_split: Order) -> None:
    page = viewer.client.get(f"/console/orders/{must_split.id}")
    assert page.status_code == 200
    assert "Apply this split" not in page.text and "Ship package" not in page.text
    assert "Auto-split preview" in page.text


# ---- tenancy -----------------------------------------------------------------------------


def test_another_shops_order_is_not_found(app: App, owner: Seller, shop_b: ShopFixture) -> None:
    theirs = import_order(app, shop_b, "TT-B", [("TEE", 2)])
    page = owner.client.get(f"/console/orders/{theirs.id}")
    assert page.status_code == 404
    assert "TT-B" not in page.text
    resp = owner.post(f"/console/orders/{theirs.id}/auto-split")
    assert resp.status_code == 404
    assert get_order(app.uow(), shop_b.shop_id, theirs.id).packages == []


def test_another_shops_package_is_not_in_any_list(
    app: App, owner: Seller, shop_b: ShopFixture
) -> None:
    theirs = import_order(app, shop_b, "TT-B", [("POWERBANK", 1), ("PERFUME", 1)])
    split, _ = apply_plan(app.uow(), shop_b.shop_id, theirs.id)
    pkg = split.live_packages[0]
    resp = owner.client.get(f"/console/batch/packing-list.csv?package_id={pkg.id}")
    assert resp.status_code == 404 and "TT-B" not in resp.text
    shipped = owner.post("/console/batch/ship", {"package_id": [pkg.id]})
    assert "0 of 1 packages shipped" in shipped.text
    assert get_order(app.uow(), shop_b.shop_id, theirs.id).package(pkg.id).status is (
        PackageStatus.OPEN
    )


def test_another_shops_inquiry_is_not_found(app: App, owner: Seller, shop_b: ShopFixture) -> None:
    theirs = import_order(app, shop_b, "TT-B", [("TEE", 2)])
    inquiry = inquiries.open_inquiry(app.uow(), theirs.tracking_token, "late", "Hello?")
    assert owner.client.get(f"/console/inquiries/{inquiry.id}").status_code == 404


def test_queue_lists_only_the_shops_own_orders(
    app: App, owner: Seller, shop_b: ShopFixture, must_split: Order
) -> None:
    import_order(app, shop_b, "TT-THEIRS", [("TEE", 1)])
    page = owner.client.get("/console/queue?tab=all")
    assert "TT-MUST" in page.text and "TT-THEIRS" not in page.text


# ---- the order page's forms --------------------------------------------------------------


def test_must_split_order_is_in_its_tab_with_the_reason(owner: Seller, must_split: Order) -> None:
    page = owner.client.get("/console/queue?tab=must_split")
    assert page.status_code == 200
    assert "TT-MUST" in page.text
    assert "items tagged battery, liquid must not share a parcel" in page.text


def test_auto_split_refuses_a_plan_that_changed_since_the_page_showed_it(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    oid = must_split.id
    page = owner.client.get(f"/console/orders/{oid}").text
    shown = re.search(r'name="fingerprint" value="([0-9a-f]{16})"', page)
    assert shown is not None
    doc = rule_set_to_dict(get_rules(app.uow(), shop_a.shop_id))
    doc["rules"] = [r for r in doc["rules"] if r["type"] != "handling_cost"]
    doc["rules"].append({"id": "handling", "type": "handling_cost", "params": {"per_package": 150}})
    put_rules(app.uow(), shop_a.shop_id, doc, "json")

    resp = owner.post(
        f"/console/orders/{oid}/auto-split",
        {"version": must_split.version, "fingerprint": shown[1]},
    )

    assert resp.status_code == 409
    assert "The plan changed meanwhile" in resp.text
    assert get_order(app.uow(), shop_a.shop_id, oid).packages == []
    fresh = re.search(r'name="fingerprint" value="([0-9a-f]{16})"', resp.text)
    assert fresh is not None and fresh[1] != shown[1]
    ok = owner.post(
        f"/console/orders/{oid}/auto-split",
        {"version": must_split.version, "fingerprint": fresh[1]},
    )
    assert ok.status_code == 303


def test_seed_workflow_through_the_forms(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    oid = must_split.id
    resp = owner.post(f"/console/orders/{oid}/auto-split", {"version": must_split.version})
    assert resp.status_code == 303
    order = get_order(app.uow(), shop_a.shop_id, oid)
    assert len(order.live_packages) >= 2 and not order.unassigned_items()

    # Move one unit of the tees by hand into a new package.
    source = next(p for p in order.live_packages if order.line("L3").id in p.items)
    resp = owner.post(
        f"/console/orders/{oid}/move",
        {
            "version": order.version,
            "source": source.id,
            "line": "L3",
            "quantity": 1,
            "target": "new",
        },
    )
    assert resp.status_code == 303, resp.text
    order = get_order(app.uow(), shop_a.shop_id, oid)
    ups = shop_a.channels["ups-ground"].id
    first = next(p for p in order.live_packages if "L2" not in p.items)  # not the perfume
    resp = owner.post(
        f"/console/orders/{oid}/packages/{first.id}/channel",
        {"version": order.version, "channel": ups},
    )
    assert resp.status_code == 303, resp.text

    # A mistyped tracking number is refused with the reason next to the package.
    order = get_order(app.uow(), shop_a.shop_id, oid)
    bad = owner.post(
        f"/console/orders/{oid}/packages/{first.id}/ship",
        {"version": order.version, "carrier": "ups", "tracking_number": UPS_NUMBER_MISTYPED},
    )
    assert bad.status_code == 422
    assert "check digit" in bad.text and UPS_NUMBER_MISTYPED in bad.text
    assert get_order(app.uow(), shop_a.shop_id, oid).package(first.id).status is not (
        PackageStatus.SHIPPED
    )

    order = get_order(app.uow(), shop_a.shop_id, oid)
    good = owner.post(
        f"/console/orders/{oid}/packages/{first.id}/ship",
        {"version": order.version, "carrier": "ups", "tracking_number": UPS_NUMBER},
    )
    assert good.status_code == 303, good.text
    order = get_order(app.uow(), shop_a.shop_id, oid)
    assert order.package(first.id).status is PackageStatus.SHIPPED
    assert order.status is OrderStatus.PARTIALLY_SHIPPED
    page = owner.client.get(f"/console/orders/{oid}")
    assert "package.shipped" in page.text and "Partially shipped" in page.text


def test_refused_move_shows_the_reason_next_to_the_package(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    order, _ = apply_plan(app.uow(), shop_a.shop_id, must_split.id)
    battery = next(p for p in order.live_packages if "L1" in p.items)
    liquid = next(p for p in order.live_packages if "L2" in p.items)
    resp = owner.post(
        f"/console/orders/{order.id}/move",
        {
            "version": order.version,
            "source": liquid.id,
            "line": "L2",
            "quantity": 1,
            "target": battery.id,
        },
    )
    assert resp.status_code == 422
    anchor = resp.text.index(f'id="pkg-{liquid.id}"')
    assert "must not share a package" in resp.text[anchor : anchor + 3000]
    assert get_order(app.uow(), shop_a.shop_id, order.id).version == order.version


def test_stale_version_is_refused_with_a_reload(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    order, _ = apply_plan(app.uow(), shop_a.shop_id, must_split.id)
    resp = owner.post(f"/console/orders/{order.id}/undo", {"version": order.version - 1})
    assert resp.status_code == 409
    assert "Changed meanwhile" in resp.text


def test_tracking_number_is_checked_as_typed(owner: Seller) -> None:
    good = owner.client.get(f"/console/tracking-check?number={UPS_NUMBER}&carrier=ups").json()
    assert good["valid"] is True and good["carrier"] == "ups"
    bad = owner.client.get(
        f"/console/tracking-check?number={UPS_NUMBER_MISTYPED}&carrier=ups"
    ).json()
    assert bad["valid"] is False and "check digit" in bad["reason"]


# ---- batch -------------------------------------------------------------------------------


def test_csv_upload_ships_good_rows_and_reports_bad_ones(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    order, _ = apply_plan(app.uow(), shop_a.shop_id, must_split.id)
    numbers = {p.number: p for p in order.live_packages}
    ups_pkg = next(p for p in order.live_packages if "L2" not in p.items)
    csv_text = "\n".join(
        [
            "order_id,package_number,carrier,tracking_number,ship_time",
            f"TT-MUST,{ups_pkg.number},ups,{UPS_NUMBER},2026-11-26 10:30",
            f"TT-MUST,{ups_pkg.number + 10},ups,{UPS_NUMBER},",
            f"TT-NOPE,1,ups,{UPS_NUMBER},",
            f"TT-MUST,{max(numbers)},ups,{UPS_NUMBER_MISTYPED},",
            "TT-MUST,1,ups,,",
            f"TT-MUST,1,ups,{UPS_NUMBER},yesterday",
        ]
    )
    resp = owner.client.post(
        "/console/upload",
        data={"csrf_token": owner.csrf()},
        files={"file": ("tracking.csv", csv_text.encode(), "text/csv")},
    )
    assert resp.status_code == 200, resp.text
    assert "Rows shipped: 1 · rows failed: 5" in resp.text
    assert "has no package" in resp.text and "no order TT-NOPE" in resp.text
    assert "check digit" in resp.text and "tracking_number is empty" in resp.text
    assert "is not a time" in resp.text
    assert 'download="tracking-errors.csv"' in resp.text
    shipped = get_order(app.uow(), shop_a.shop_id, order.id).package(ups_pkg.id)
    assert shipped.status is PackageStatus.SHIPPED
    assert shipped.logistics is not None and shipped.logistics.tracking_number == UPS_NUMBER

    # The same good row again is reported as done, not as an error.
    again = owner.client.post(
        "/console/upload",
        data={
            "csrf_token": owner.csrf(),
            "text": "order_id,package_number,carrier,tracking_number\n"
            f"TT-MUST,{ups_pkg.number},ups,{UPS_NUMBER}\n",
        },
    )
    assert "Rows shipped: 1 · rows failed: 0" in again.text
    assert "Already shipped with this tracking number" in again.text


def test_csv_upload_without_required_columns_says_which(owner: Seller) -> None:
    resp = owner.client.post(
        "/console/upload",
        data={"csrf_token": owner.csrf(), "text": "order,number\nTT-1,1Z\n"},
    )
    assert "missing column(s): order_id, tracking_number" in resp.text


def test_packing_and_pick_lists_download_as_csv(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    order, _ = apply_plan(app.uow(), shop_a.shop_id, must_split.id)
    ids = [p.id for p in order.live_packages]
    query = "&".join(f"package_id={i}" for i in ids)
    packing = owner.client.get(f"/console/batch/packing-list.csv?{query}")
    assert packing.status_code == 200
    assert packing.headers["content-type"].startswith("text/csv")
    lines = packing.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("order,package,package_id")
    assert len(lines) == 1 + sum(len(p.items) for p in order.live_packages)
    pick = owner.client.get(f"/console/batch/pick-list.csv?{query}")
    rows = pick.text.lstrip("\ufeff").splitlines()
    assert rows[0] == "warehouse,sku,name,quantity,packages"
    assert sum(int(r.split(",")[3]) for r in rows[1:]) == 4


def test_batch_ship_ships_what_is_ready_and_says_why_not_the_rest(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    order, _ = apply_plan(app.uow(), shop_a.shop_id, must_split.id)
    ready = next(p for p in order.live_packages if "L2" not in p.items)
    sid = shop_a.shop_id
    shipping.assign_package(app.uow(), sid, order.id, ready.id, channel="ups-ground")
    shipping.confirm_package(app.uow(), sid, order.id, ready.id)
    shipping.record_logistics(
        app.uow(), sid, order.id, ready.id, LogisticsInput(UPS_NUMBER, carrier_code="ups")
    )
    waiting = next(p for p in order.live_packages if p.id != ready.id)
    page = owner.client.get("/console/batch")
    assert ready.id in page.text and waiting.id in page.text
    resp = owner.post("/console/batch/ship", {"package_id": [ready.id, waiting.id]})
    assert resp.status_code == 200
    assert "1 of 2 packages shipped" in resp.text
    assert f"TT-MUST #{ready.number}" in resp.text and "confirm it before shipping" in resp.text
    after = get_order(app.uow(), sid, order.id)
    assert after.package(ready.id).status is PackageStatus.SHIPPED
    assert after.package(waiting.id).status is PackageStatus.OPEN


def test_batch_auto_split_splits_every_selected_order(
    app: App, owner: Seller, must_split: Order, shop_a: ShopFixture
) -> None:
    other = import_order(app, shop_a, "TT-MUST-2", [("POWERBANK", 1), ("PERFUME", 1)])
    resp = owner.post("/console/batch/auto-split", {"order_id": [must_split.id, other.id]})
    assert resp.status_code == 200
    assert "2 of 2 orders split" in resp.text
    for oid in (must_split.id, other.id):
        assert not get_order(app.uow(), shop_a.shop_id, oid).unassigned_items()


# ---- rules -------------------------------------------------------------------------------


def test_rules_are_validated_per_rule_and_nothing_is_saved(
    owner: Seller, must_split: Order
) -> None:
    bad = "rules:\n  - id: cap\n    type: max_per_package\n    params: {units: -1}\n"
    resp = owner.post("/console/rules", {"text": bad})
    assert resp.status_code == 422
    assert "nothing was saved" in resp.text and "rule cap" in resp.text
    assert "This shop uses the default rules" in owner.client.get("/console/rules").text


def test_rules_save_and_try_on_an_order(owner: Seller, must_split: Order) -> None:
    text = (
        "rules:\n"
        "  - id: apart\n    type: tag_segregation\n    params: {groups: [[battery, liquid]]}\n"
        "  - id: one-each\n    type: max_per_package\n    params: {units: 1}\n"
    )
    tried = owner.post("/console/rules/try", {"text": text, "order": "TT-MUST"})
    assert tried.status_code == 200, tried.text
    assert "Order TT-MUST with these rules" in tried.text
    assert tried.text.count('class="plan-pkg"') == 4  # one unit per parcel
    saved = owner.post("/console/rules", {"text": text})
    assert saved.status_code == 303
    page = owner.client.get("/console/rules")
    assert "one-each" in page.text and "default rules" not in page.text


# ---- every page, both languages ----------------------------------------------------------

MAIN_PAGES = [
    "/console/queue?tab=must_split",
    "/console/queue?tab=all",
    "/console/batch",
    "/console/upload",
    "/console/rules",
    "/console/channels",
    "/console/boxes",
    "/console/warehouses",
    "/console/inquiries",
    "/console/users",
]


@pytest.mark.parametrize(
    ("lang", "html_lang", "word"),
    [("en", "en", "Orders"), ("zh_Hans", "zh-Hans", "订单")],
)
def test_every_main_page_answers_in_both_languages(
    app: App, owner: Seller, must_split: Order, lang: str, html_lang: str, word: str
) -> None:
    inquiry = inquiries.open_inquiry(app.uow(), must_split.tracking_token, "late", "Where?")
    pages = [*MAIN_PAGES, f"/console/orders/{must_split.id}", f"/console/inquiries/{inquiry.id}"]
    for path in pages:
        sep = "&" if "?" in path else "?"
        resp = owner.client.get(f"{path}{sep}lang={lang}")
        assert resp.status_code == 200, (path, resp.text[:500])
        assert f'<html lang="{html_lang}">' in resp.text, path
        assert word in resp.text, path
        assert resp.headers["cache-control"] == "no-store"


def test_language_choice_is_remembered(owner: Seller) -> None:
    owner.client.get("/console/queue?lang=zh_Hans")
    page = owner.client.get("/console/queue")
    assert '<html lang="zh-Hans">' in page.text and "必须拆分" in page.text


def test_money_and_dates_follow_the_locale(owner: Seller, must_split: Order) -> None:
    en = owner.client.get(f"/console/orders/{must_split.id}?lang=en").text
    zh = owner.client.get(f"/console/orders/{must_split.id}?lang=zh_Hans").text
    assert "$19.90" in en and "US$19.90" in zh
    assert "Nov 28, 2026" in en and "2026年11月28日" in zh


def test_static_files_are_served_and_nothing_else(owner: Seller) -> None:
    assert owner.client.get("/console/static/console.css").status_code == 200
    assert owner.client.get("/console/static/console.js").status_code == 200
    assert owner.client.get("/console/static/..%2Fconsole%2F__init__.py").status_code == 404
