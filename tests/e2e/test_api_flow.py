"""The whole life of a split order over HTTP: import, pre-check, split, confirm, logistics, ship."""

from __future__ import annotations

from typing import Any

from api_support import BASE_URL, V1, assert_problem
from fastapi.testclient import TestClient

from factories import UPS_NUMBER, UPS_NUMBER_MISTYPED, USPS_NUMBER, ShopFixture, tiktok_order_json


def stock(client: TestClient, shop: ShopFixture, warehouse: str, sku: str) -> dict[str, Any]:
    wh = client.get(f"{V1}/warehouses/{shop.warehouses[warehouse].id}").json()
    return next(s for s in wh["stock"] if s["sku"] == sku)


def line_id(order: dict[str, Any], sku: str) -> str:
    return str(next(ln["id"] for ln in order["lines"] if ln["sku"] == sku))


def test_an_order_goes_from_import_to_shipped_in_two_packages(
    client_a: TestClient, shop_a: ShopFixture
) -> None:
    # Import: TikTok lists one line item per unit; the two tees fold into one line of 2.
    body = [tiktok_order_json("TT-1001", [("TEE", 2), ("POWERBANK", 1), ("PERFUME", 1)])]
    report = client_a.post(f"{V1}/orders/import", json=body)
    assert report.status_code == 200, report.text
    assert report.json()["created"] == ["TT-1001"] and report.json()["errors"] == []
    order_id = report.json()["order_ids"][0]

    detail = client_a.get(f"{V1}/orders/{order_id}")
    order = detail.json()
    assert detail.headers["etag"] == f'"{order["version"]}"'
    assert order["status"] == "awaiting_shipment"
    assert order["tiktok_status"] == "AWAITING_SHIPMENT"
    assert order["tracking_url"].startswith(f"{BASE_URL}/t/")
    assert order["total"] == {"amount": 4 * 1990, "currency": "USD"}
    assert {ln["sku"]: ln["unassigned"] for ln in order["lines"]} == {
        "TEE": 2,
        "POWERBANK": 1,
        "PERFUME": 1,
    }

    # Pre-check: battery and liquid must not share a parcel.
    check = client_a.get(f"{V1}/orders/{order_id}/precheck").json()
    assert check["can_split"] is True
    assert check["must_split"] is True
    assert "tag_conflict" in [r["code"] for r in check["must_reasons"]]

    # Split: tees and the power bank by UPS, the perfume by USPS, both from Los Angeles.
    la = shop_a.warehouses["LA"].id
    split = client_a.post(
        f"{V1}/orders/{order_id}/split",
        headers={"If-Match": detail.headers["etag"]},
        json={
            "packages": [
                {
                    "items": [
                        {"line_id": line_id(order, "TEE"), "quantity": 2},
                        {"line_id": line_id(order, "POWERBANK"), "quantity": 1},
                    ],
                    "warehouse_id": la,
                    "channel_id": "ups-ground",
                    "box_id": "M",
                },
                {
                    "items": [{"line_id": line_id(order, "PERFUME"), "quantity": 1}],
                    "warehouse_id": "LA",
                    "channel_id": shop_a.channels["usps-first"].id,
                },
            ]
        },
    )
    assert split.status_code == 200, split.text
    order = split.json()
    ups_pkg, usps_pkg = (p["id"] for p in order["packages"])
    assert order["units"]["unassigned"] == 0
    assert [p["status"] for p in order["packages"]] == ["open", "open"]

    # Confirm both: their stock is reserved, not yet taken.
    for pkg in (ups_pkg, usps_pkg):
        confirmed = client_a.post(f"{V1}/packages/{pkg}/confirm")
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["status"] == "ready"
    assert stock(client_a, shop_a, "LA", "TEE") == {
        "sku": "TEE",
        "on_hand": 100,
        "reserved": 2,
        "available": 98,
    }
    assert stock(client_a, shop_a, "LA", "PERFUME")["reserved"] == 1

    # Logistics info: a mistyped UPS number is refused where it was typed.
    wrong = client_a.put(
        f"{V1}/packages/{ups_pkg}/logistics", json={"tracking_number": UPS_NUMBER_MISTYPED}
    )
    problem = assert_problem(wrong, 422, "invalid_input")
    assert problem["field"] == "tracking_number"
    assert "check digit" in problem["detail"]
    recorded = client_a.put(
        f"{V1}/packages/{ups_pkg}/logistics", json={"tracking_number": UPS_NUMBER.lower()}
    )
    assert recorded.status_code == 200, recorded.text
    logistics = recorded.json()["logistics"]
    assert logistics["tracking_number"] == UPS_NUMBER
    assert logistics["carrier_code"] == "ups"
    assert logistics["tracking_url"] and UPS_NUMBER in logistics["tracking_url"]
    assert recorded.json()["warnings"] == []

    # Ship the first package: the order is partly shipped and the stock leaves the warehouse.
    shipped = client_a.post(f"{V1}/packages/{ups_pkg}/ship")
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["logistics"]["eta_latest"] is not None
    order = client_a.get(f"{V1}/orders/{order_id}").json()
    assert order["status"] == "partially_shipped"
    assert order["tiktok_status"] == "PARTIALLY_SHIPPING"
    assert stock(client_a, shop_a, "LA", "TEE") == {
        "sku": "TEE",
        "on_hand": 98,
        "reserved": 0,
        "available": 98,
    }
    assert stock(client_a, shop_a, "LA", "POWERBANK")["on_hand"] == 19

    # Ship the rest as a batch, logistics given inline.
    batch = client_a.post(
        f"{V1}/packages/ship",
        json={
            "packages": [{"package_id": usps_pkg, "logistics": {"tracking_number": USPS_NUMBER}}]
        },
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["shipped"] == 1 and batch.json()["failed"] == 0
    result = batch.json()["results"][0]
    assert result["ok"] is True and result["order_status"] == "shipped"

    order = client_a.get(f"{V1}/orders/{order_id}").json()
    assert order["status"] == "shipped"
    assert order["units"]["shipped"] == 4
    assert stock(client_a, shop_a, "LA", "PERFUME") == {
        "sku": "PERFUME",
        "on_hand": 19,
        "reserved": 0,
        "available": 19,
    }

    # The audit trail tells the story, and who did it.
    audit = client_a.get(f"{V1}/orders/{order_id}/audit").json()["items"]
    actions = [e["action"] for e in audit]
    assert actions[0] == "order.imported"
    for action in (
        "package.created",
        "package.confirmed",
        "package.logistics_recorded",
        "package.shipped",
    ):
        assert action in actions
    assert actions.count("package.shipped") == 2
    statuses = [e["after"]["status"] for e in audit if e["action"] == "order.status_changed"]
    assert statuses == ["partially_shipped", "shipped"]
    assert {e["actor"] for e in audit} == {f"api:{shop_a.api_key[:8]}"}
    assert order["version"] > 1


def test_a_shipped_packages_logistics_can_be_corrected_once(
    client_a: TestClient, shop_a: ShopFixture
) -> None:
    created = client_a.post(f"{V1}/orders", json=tiktok_order_json("TT-2", [("TEE", 1)]))
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{V1}/orders/{created.json()['id']}"
    order = created.json()
    split = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={
            "packages": [
                {
                    "items": [{"line_id": order["lines"][0]["id"], "quantity": 1}],
                    "warehouse_id": "LA",
                    "channel_id": "ups-ground",
                }
            ],
            "version": order["version"],
        },
    ).json()
    pkg = split["packages"][0]["id"]
    assert client_a.post(f"{V1}/packages/{pkg}/confirm").status_code == 200
    shipped = client_a.post(
        f"{V1}/packages/{pkg}/ship", json={"logistics": {"tracking_number": "1Z5R89390357567127"}}
    )
    assert shipped.status_code == 200, shipped.text

    fixed = client_a.post(
        f"{V1}/packages/{pkg}/logistics/correction", json={"tracking_number": UPS_NUMBER}
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["logistics"]["tracking_number"] == UPS_NUMBER
    assert fixed.json()["corrections"] == 1
    again = client_a.post(
        f"{V1}/packages/{pkg}/logistics/correction", json={"tracking_number": UPS_NUMBER}
    )
    assert_problem(again, 422, "correction_window_closed")

    audit = client_a.get(f"{V1}/orders/{order['id']}/audit").json()["items"]
    correction = next(e for e in audit if e["action"] == "package.logistics_corrected")
    assert correction["before"]["tracking_number"] == "1Z5R89390357567127"


def test_posting_the_same_order_twice_changes_nothing(client_a: TestClient) -> None:
    body = tiktok_order_json("TT-3", [("MUG", 2)])
    first = client_a.post(f"{V1}/orders", json=body)
    second = client_a.post(f"{V1}/orders", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["version"] == first.json()["version"]
    listed = client_a.get(f"{V1}/orders", params={"q": "TT-3"}).json()
    assert listed["total"] == 1


def test_move_merge_undo_and_cancel_keep_every_unit(client_a: TestClient) -> None:
    order = client_a.post(f"{V1}/orders", json=tiktok_order_json("TT-4", [("TEE", 3)])).json()
    tee = order["lines"][0]["id"]
    oid = order["id"]
    order = client_a.post(
        f"{V1}/orders/{oid}/split",
        json={"packages": [{"items": [{"line_id": tee, "quantity": 3}], "warehouse_id": "LA"}]},
    ).json()
    first = order["packages"][0]["id"]

    moved = client_a.post(
        f"{V1}/orders/{oid}/move", json={"source_package_id": first, "line_id": tee, "quantity": 1}
    )
    assert moved.status_code == 200, moved.text
    live = [p for p in moved.json()["packages"] if p["status"] == "open"]
    assert sorted(p["units"] for p in live) == [1, 2]
    second = next(p["id"] for p in live if p["id"] != first)

    merged = client_a.post(
        f"{V1}/orders/{oid}/merge", json={"target_package_id": first, "source_package_id": second}
    )
    assert merged.status_code == 200, merged.text
    assert [p["units"] for p in merged.json()["packages"] if p["status"] == "open"] == [3]

    undone = client_a.post(f"{V1}/orders/{oid}/undo")
    assert undone.status_code == 200, undone.text
    assert undone.json()["units"]["unassigned"] == 3

    cancelled = client_a.post(
        f"{V1}/orders/{oid}/cancel-units", json={"line_id": tee, "quantity": 1}
    )
    assert cancelled.json()["lines"][0]["cancelled"] == 1
    assert cancelled.json()["units"]["unassigned"] == 2

    gone = client_a.post(f"{V1}/orders/{oid}/cancel", json={"version": cancelled.json()["version"]})
    assert gone.status_code == 200, gone.text
    assert gone.json()["status"] == "cancelled"
    assert gone.json()["tiktok_status"] == "CANCELLED"


def test_holds_stop_shipping_until_released(client_a: TestClient) -> None:
    order = client_a.post(f"{V1}/orders", json=tiktok_order_json("TT-5", [("MUG", 1)])).json()
    hold = client_a.post(
        f"{V1}/orders/{order['id']}/holds", json={"reason": "address_check", "note": "no flat no."}
    )
    assert hold.status_code == 201, hold.text
    assert hold.json()["active"] is True
    held = client_a.get(f"{V1}/orders/{order['id']}").json()
    assert held["status"] == "on_hold" and held["tiktok_status"] == "ON_HOLD"
    listed = client_a.get(f"{V1}/orders", params={"status": "on_hold"}).json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]

    released = client_a.delete(f"{V1}/orders/{order['id']}/holds/{hold.json()['id']}")
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "awaiting_shipment"
    assert released.json()["holds"][0]["active"] is False


def test_orders_list_pages_and_filters(client_a: TestClient, shop_a: ShopFixture) -> None:
    bodies = [tiktok_order_json(f"TT-L{i}", [("TEE", 1)]) for i in range(5)]
    assert client_a.post(f"{V1}/orders/import", json={"orders": bodies}).json()["created"]
    page = client_a.get(f"{V1}/orders", params={"limit": 2, "offset": 2}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 2, 2)
    assert page["items"][0]["tiktok_status"] == "AWAITING_SHIPMENT"

    one = page["items"][0]
    client_a.post(
        f"{V1}/orders/{one['id']}/split",
        json={
            "packages": [
                {
                    "items": [{"line_id": "L1", "quantity": 1}],
                    "warehouse_id": "NJ",
                    "channel_id": "own-van",
                }
            ]
        },
    )
    by_warehouse = client_a.get(
        f"{V1}/orders", params={"warehouse_id": shop_a.warehouses["NJ"].id}
    ).json()
    assert [o["id"] for o in by_warehouse["items"]] == [one["id"]]
    by_channel = client_a.get(
        f"{V1}/orders", params={"channel_id": shop_a.channels["own-van"].id}
    ).json()
    assert by_channel["total"] == 1
    assert client_a.get(f"{V1}/orders", params={"status": "shipped"}).json()["total"] == 0
