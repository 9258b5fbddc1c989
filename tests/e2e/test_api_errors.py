"""Bad requests get an application/problem+json answer with a stable code, say what was wrong
and where, and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from api_support import V1, assert_problem
from fastapi.testclient import TestClient

from factories import UPS_NUMBER, ShopFixture, tiktok_order_json
from splitship.bootstrap import App
from splitship.entrypoints.api import create_app

ORDERS_CSV = """order_id,seller_sku,quantity,price,address_line1,city,region,country,buyer_name
C-1,TEE,2,19.90,1 Main St,Austin,TX,US,Ada
C-1,MUG,1,12.00,1 Main St,Austin,TX,US,Ada
C-2,TEE,two,19.90,5 Oak Ave,Denver,CO,US,Bea
C-3,NOPE,1,5.00,7 Pine Rd,Miami,FL,US,Cy
C-4,MUG,1,12.00,9 Elm St,Boston,MA,USA,Di
"""


def new_order(client: TestClient, external_id: str = "E-1", **items: int) -> dict[str, Any]:
    body = tiktok_order_json(external_id, list(items.items()) or [("TEE", 2), ("MUG", 1)])
    resp = client.post(f"{V1}/orders", json=body)
    assert resp.status_code == 201, resp.text
    order: dict[str, Any] = resp.json()
    return order


def split_whole(client: TestClient, order: dict[str, Any], **extra: Any) -> Any:
    items = [{"line_id": ln["id"], "quantity": ln["quantity"]} for ln in order["lines"]]
    return client.post(
        f"{V1}/orders/{order['id']}/split",
        json={"packages": [{"items": items, "warehouse_id": "LA", **extra}]},
    )


# ---- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer sk_not-a-real-key"},
        {"X-API-Key": "sk_not-a-real-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["missing", "unknown bearer", "unknown x-api-key", "wrong scheme"],
)
def test_requests_without_a_valid_api_key_are_refused(
    api: TestClient, shop_a: ShopFixture, headers: dict[str, str]
) -> None:
    resp = api.get(f"{V1}/orders", headers=headers)
    assert_problem(resp, 401, "unauthorized")
    assert resp.headers["www-authenticate"] == "Bearer"


def test_the_key_works_in_either_header(api: TestClient, shop_a: ShopFixture) -> None:
    assert api.get(f"{V1}/orders", headers={"X-API-Key": shop_a.api_key}).status_code == 200
    assert api.get(f"{V1}/orders", headers=shop_a.headers).status_code == 200


# ---- malformed requests ---------------------------------------------------------------------


def test_malformed_json_is_a_400(client_a: TestClient) -> None:
    order = new_order(client_a)
    headers = {"content-type": "application/json"}
    resp = client_a.post(
        f"{V1}/orders/{order['id']}/split", content=b'{"packages": [', headers=headers
    )
    assert_problem(resp, 400, "malformed_json")
    resp = client_a.post(f"{V1}/orders/import", content=b"[{,}]", headers=headers)
    assert_problem(resp, 400, "malformed_json")


def test_invalid_fields_are_listed_with_where_they_are(client_a: TestClient) -> None:
    order = new_order(client_a)
    resp = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={"packages": [{"items": [{"line_id": "L1", "quantity": 0}], "colour": "red"}]},
    )
    body = assert_problem(resp, 422, "invalid_input")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"packages.0.items.0.quantity", "packages.0.colour"}
    assert body["field"] in fields
    assert all(e["message"] for e in body["errors"])


def test_unknown_query_values_and_routes_are_problems_too(client_a: TestClient) -> None:
    body = assert_problem(client_a.get(f"{V1}/orders?status=lost"), 422, "invalid_input")
    assert body["errors"][0]["field"] == "status"
    assert_problem(client_a.get(f"{V1}/nothing-here"), 404, "not_found")
    assert_problem(client_a.get("/nothing-here"), 404, "not_found")
    assert_problem(client_a.delete(f"{V1}/orders"), 405, "method_not_allowed")


def test_an_unexpected_failure_is_a_500_problem_without_internals(
    app: App, shop_a: ShopFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from splitship.entrypoints.api import queries

    def broken(*_: object) -> None:
        raise RuntimeError("secret connection string in here")

    monkeypatch.setattr(queries, "orders", broken)
    with TestClient(create_app(app), raise_server_exceptions=False) as client:
        resp = client.get(f"{V1}/orders", headers=shop_a.headers)
    body = assert_problem(resp, 500, "internal_error")
    assert "secret" not in resp.text and "RuntimeError" not in body["detail"]


# ---- imports --------------------------------------------------------------------------------


def test_bad_csv_rows_are_reported_and_good_orders_imported_once(client_a: TestClient) -> None:
    files = {"file": ("orders.csv", ORDERS_CSV.encode(), "text/csv")}
    first = client_a.post(f"{V1}/orders/import", files=files)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["created"] == ["C-1"]
    errors = {(e["row"], e["field"]) for e in report["errors"]}
    assert errors == {(4, "quantity"), (5, "seller_sku"), (6, "country")}
    unknown = next(e for e in report["errors"] if e["field"] == "seller_sku")
    assert "NOPE" in unknown["message"]

    order = client_a.get(f"{V1}/orders/{report['order_ids'][0]}").json()
    assert [(ln["sku"], ln["quantity"]) for ln in order["lines"]] == [("TEE", 2), ("MUG", 1)]
    assert order["total"] == {"amount": 2 * 1990 + 1200, "currency": "USD"}

    # The same file again (as a plain text/csv body): nothing new, the same problems.
    again = client_a.post(
        f"{V1}/orders/import", content=ORDERS_CSV.encode(), headers={"content-type": "text/csv"}
    ).json()
    assert again["created"] == [] and again["unchanged"] == ["C-1"]
    assert {(e["row"], e["field"]) for e in again["errors"]} == errors
    assert client_a.get(f"{V1}/orders").json()["total"] == 1


def test_a_file_with_nothing_readable_is_a_422(client_a: TestClient) -> None:
    resp = client_a.post(
        f"{V1}/orders/import",
        content=b"order,sku\n1,TEE\n",
        headers={"content-type": "text/csv"},
    )
    body = assert_problem(resp, 422, "invalid_input")
    assert {e["field"] for e in body["errors"]} >= {"order_id", "seller_sku"}
    assert_problem(
        client_a.post(
            f"{V1}/orders/import", content=b"hello", headers={"content-type": "image/png"}
        ),
        415,
        "unsupported_media_type",
    )


def test_a_gbk_encoded_csv_from_a_chinese_spreadsheet_is_read(client_a: TestClient) -> None:
    text = (
        "order_id,seller_sku,quantity,address_line1,city,country,buyer_name\n"
        "G-1,TEE,1,人民路1号,上海,CN,王小明\n"
    )
    resp = client_a.post(
        f"{V1}/orders/import", files={"file": ("orders.csv", text.encode("gb18030"), "text/csv")}
    )
    assert resp.json()["created"] == ["G-1"], resp.text
    order = client_a.get(f"{V1}/orders/{resp.json()['order_ids'][0]}").json()
    assert order["address"]["city"] == "上海"


def test_an_order_with_an_unknown_sku_is_refused_whole(client_a: TestClient) -> None:
    body = tiktok_order_json("U-1", [("TEE", 1), ("GHOST", 1)])
    problem = assert_problem(client_a.post(f"{V1}/orders", json=body), 422, "invalid_input")
    assert problem["field"] == "seller_sku"
    assert "GHOST" in problem["errors"][0]["message"]
    assert client_a.get(f"{V1}/orders").json()["total"] == 0


def test_sku_csv_imports_good_rows_and_reports_bad_ones(client_a: TestClient) -> None:
    csv = (
        "code,name,weight_g,length_mm,width_mm,height_mm,tags,declared_value\n"
        "CAP,Baseball cap,120,250,200,120,,9.90\n"
        "BAT,Spare battery,-5,,,,battery,\n"
        "GEL,Hair gel,300,80,80,150,liquid|cosmetic,4.50\n"
    )
    for _ in range(2):  # importing the same file twice gives the same catalogue
        resp = client_a.post(f"{V1}/skus/import", files={"file": ("skus.csv", csv, "text/csv")})
        assert resp.status_code == 200, resp.text
        assert resp.json()["applied"] == 2
        assert [(e["row"], e["field"]) for e in resp.json()["errors"]] == [(3, "weight_g")]
    gel = client_a.get(f"{V1}/skus/GEL").json()
    assert gel["tags"] == ["cosmetic", "liquid"] and gel["declared_value"] == 450
    assert gel["dimensions_mm"] == [80, 80, 150]
    assert_problem(client_a.get(f"{V1}/skus/BAT"), 404, "not_found")


def test_stock_csv_reports_unknown_warehouses_and_skus(
    client_a: TestClient, shop_a: ShopFixture
) -> None:
    csv = "warehouse,sku,on_hand\nLA,TEE,7\nMARS,TEE,1\nNJ,GHOST,3\nNJ,MUG,-1\n"
    resp = client_a.post(
        f"{V1}/stock/import", content=csv.encode(), headers={"content-type": "text/csv"}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["applied"] == 1
    assert [(e["row"], e["field"]) for e in resp.json()["errors"]] == [
        (3, "warehouse"),
        (4, "sku"),
        (5, "on_hand"),
    ]
    la = client_a.get(f"{V1}/warehouses/{shop_a.warehouses['LA'].id}").json()
    assert next(s for s in la["stock"] if s["sku"] == "TEE")["on_hand"] == 7


def test_stock_for_an_unknown_sku_is_not_found(client_a: TestClient, shop_a: ShopFixture) -> None:
    resp = client_a.put(f"{V1}/warehouses/LA/stock/GHOST", json={"on_hand": 5})
    assert assert_problem(resp, 404, "not_found")["field"] == "sku"
    assert_problem(
        client_a.put(f"{V1}/warehouses/LA/stock/TEE", json={"on_hand": -1}), 422, "invalid_input"
    )


# ---- rules the domain enforces --------------------------------------------------------------


def test_quantities_that_do_not_add_up_are_refused(client_a: TestClient) -> None:
    order = new_order(client_a)
    too_many = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={"packages": [{"items": [{"line_id": "L1", "quantity": 3}]}]},
    )
    body = assert_problem(too_many, 422, "quantity_mismatch")
    assert body["details"] == {"line_id": "L1", "unassigned": 2, "requested": 3}
    twice = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={
            "packages": [
                {"items": [{"line_id": "L1", "quantity": 2}]},
                {"items": [{"line_id": "L1", "quantity": 1}]},
            ]
        },
    )
    assert_problem(twice, 422, "quantity_mismatch")
    cancel = client_a.post(
        f"{V1}/orders/{order['id']}/cancel-units", json={"line_id": "L2", "quantity": 5}
    )
    assert_problem(cancel, 422, "quantity_mismatch")
    assert_problem(
        client_a.post(
            f"{V1}/orders/{order['id']}/split",
            json={"packages": [{"items": [{"line_id": "L9", "quantity": 1}]}]},
        ),
        404,
        "not_found",
    )
    after = client_a.get(f"{V1}/orders/{order['id']}").json()
    assert after["version"] == order["version"] and after["packages"] == []


def test_battery_and_liquid_cannot_share_a_package(client_a: TestClient) -> None:
    order = new_order(client_a, "T-1", POWERBANK=1, PERFUME=1)
    body = assert_problem(split_whole(client_a, order), 422, "limit_exceeded")
    assert body["details"]["violations"][0]["limit"] == "tag_conflict"


def test_a_package_over_its_channels_limits_cannot_be_confirmed(client_a: TestClient) -> None:
    order = new_order(client_a, "W-1", TEE=12)
    pkg = split_whole(client_a, order, channel_id="usps-first").json()["packages"][0]["id"]
    body = assert_problem(client_a.post(f"{V1}/packages/{pkg}/confirm"), 422, "limit_exceeded")
    assert {v["limit"] for v in body["details"]["violations"]} >= {"weight", "items"}
    assert client_a.get(f"{V1}/packages/{pkg}").json()["status"] == "open"


def test_confirming_without_stock_is_refused_and_nothing_is_reserved(
    client_a: TestClient, shop_a: ShopFixture
) -> None:
    order = new_order(client_a, "S-1", LAMP=3)
    pkg = split_whole(client_a, order, channel_id="ups-ground").json()["packages"][0]["id"]
    body = assert_problem(client_a.post(f"{V1}/packages/{pkg}/confirm"), 422, "insufficient_stock")
    assert body["details"] == {"sku": "LAMP", "available": 2, "needed": 3, "warehouse": "LA"}
    la = client_a.get(f"{V1}/warehouses/{shop_a.warehouses['LA'].id}").json()
    assert next(s for s in la["stock"] if s["sku"] == "LAMP")["reserved"] == 0


def test_shipping_an_unconfirmed_package_is_refused(client_a: TestClient) -> None:
    order = new_order(client_a)
    pkg = split_whole(client_a, order, channel_id="ups-ground").json()["packages"][0]["id"]
    resp = client_a.post(
        f"{V1}/packages/{pkg}/ship", json={"logistics": {"tracking_number": UPS_NUMBER}}
    )
    body = assert_problem(resp, 409, "invalid_transition")
    assert "confirm" in body["detail"]
    after = client_a.get(f"{V1}/packages/{pkg}").json()
    assert after["status"] == "open" and after["logistics"] is None

    batch = client_a.post(f"{V1}/packages/ship", json={"packages": [{"package_id": pkg}]})
    assert batch.status_code == 200
    assert batch.json()["failed"] == 1
    assert batch.json()["results"][0]["code"] == "invalid_transition"


def test_a_held_order_is_refused_with_the_hold_named(client_a: TestClient) -> None:
    order = new_order(client_a)
    hold = client_a.post(
        f"{V1}/orders/{order['id']}/holds", json={"reason": "fraud_review", "note": "card check"}
    ).json()
    body = assert_problem(split_whole(client_a, order), 422, "on_hold")
    assert "fraud_review" in body["detail"] and hold["id"] in body["detail"]
    assert body["details"]["holds"] == [hold["id"]]
    check = client_a.get(f"{V1}/orders/{order['id']}/precheck").json()
    assert check["can_split"] is False
    assert [r["code"] for r in check["cannot_reasons"]] == ["on_hold"]

    unknown = client_a.post(f"{V1}/orders/{order['id']}/holds", json={"reason": "bored"})
    assert assert_problem(unknown, 422, "invalid_input")["field"] == "reason"


def test_a_held_package_cannot_ship(client_a: TestClient) -> None:
    order = new_order(client_a)
    pkg = split_whole(client_a, order, channel_id="ups-ground").json()["packages"][0]["id"]
    assert client_a.post(f"{V1}/packages/{pkg}/confirm").status_code == 200
    hold = client_a.post(
        f"{V1}/orders/{order['id']}/holds", json={"reason": "address_check", "package_id": pkg}
    ).json()
    resp = client_a.post(
        f"{V1}/packages/{pkg}/ship", json={"logistics": {"tracking_number": UPS_NUMBER}}
    )
    body = assert_problem(resp, 422, "on_hold")
    assert hold["id"] in body["detail"]
    assert client_a.get(f"{V1}/packages/{pkg}").json()["status"] == "ready"


# ---- concurrent edits -----------------------------------------------------------------------


def test_a_stale_version_is_a_409_and_changes_nothing(client_a: TestClient) -> None:
    order = new_order(client_a)
    stale = order["version"]
    first = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={"packages": [{"items": [{"line_id": "L1", "quantity": 1}]}], "version": stale},
    )
    assert first.status_code == 200, first.text
    current = client_a.get(f"{V1}/orders/{order['id']}").json()

    for headers, body in [
        ({}, {"version": stale}),
        ({"If-Match": f'"{stale}"'}, {}),
    ]:
        resp = client_a.post(
            f"{V1}/orders/{order['id']}/split",
            headers=headers,
            json={"packages": [{"items": [{"line_id": "L2", "quantity": 1}]}], **body},
        )
        problem = assert_problem(resp, 409, "version_conflict")
        assert problem["details"] == {"current_version": current["version"]}
    resp = client_a.post(f"{V1}/orders/{order['id']}/cancel", headers={"If-Match": f'"{stale}"'})
    assert_problem(resp, 409, "version_conflict")
    pkg = current["packages"][0]["id"]
    resp = client_a.post(f"{V1}/packages/{pkg}/cancel", json={"version": stale})
    assert_problem(resp, 409, "version_conflict")

    after = client_a.get(f"{V1}/orders/{order['id']}").json()
    assert after == current
    audit = client_a.get(f"{V1}/orders/{order['id']}/audit").json()["items"]
    assert [e["action"] for e in audit] == ["order.imported", "package.created"]


def test_if_match_must_be_an_etag_and_agree_with_the_body(client_a: TestClient) -> None:
    order = new_order(client_a)
    url = f"{V1}/orders/{order['id']}/undo"
    body = assert_problem(
        client_a.post(url, headers={"If-Match": "yesterday"}), 422, "invalid_input"
    )
    assert body["field"] == "If-Match"
    disagree = client_a.post(url, headers={"If-Match": '"1"'}, json={"version": 2})
    assert_problem(disagree, 422, "invalid_input")
    assert client_a.post(url, headers={"If-Match": 'W/"1"'}).status_code == 200


def test_a_saved_rule_sets_tag_groups_bind_manual_splits(
    app: App, client_a: TestClient, shop_a: ShopFixture
) -> None:
    rules = {
        "rules": [
            {
                "id": "no-fragile-with-battery",
                "type": "tag_segregation",
                "params": {"groups": [["fragile", "battery"]]},
            },
        ]
    }
    with app.uow() as uow:
        uow.shops.put_document(shop_a.shop_id, "rules", rules)
        uow.commit()
    order = new_order(client_a, "R-1", MUG=1, POWERBANK=1)
    check = client_a.get(f"{V1}/orders/{order['id']}/precheck").json()
    assert "tag_conflict" in [r["code"] for r in check["must_reasons"]]
    body = assert_problem(split_whole(client_a, order), 422, "limit_exceeded")
    assert "battery, fragile" in body["detail"]
