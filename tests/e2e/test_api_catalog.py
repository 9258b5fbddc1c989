"""The catalogue and the shop's settings over HTTP."""

from __future__ import annotations

from typing import Any

from api_support import V1, assert_problem
from fastapi.testclient import TestClient

from factories import ShopFixture, tiktok_order_json

CHANNEL: dict[str, Any] = {
    "code": "dhl-intl",
    "name": "DHL Express Worldwide",
    "kind": "express",
    "carrier_code": "dhl",
    "limits": {"max_weight_g": 20000, "forbidden_tags": ["liquid"]},
    "zones": {"*": "world"},
    "rates": {
        "world": {"first_weight_g": 500, "first_price": 4200, "step_g": 500, "step_price": 800}
    },
    "transit": {"world": {"min_days": 2, "max_days": 4}},
    "cutoff": "17:30:00",
    "volumetric_divisor": 5000,
}


def test_skus_are_created_read_and_replaced(client_a: TestClient) -> None:
    saved = client_a.put(
        f"{V1}/skus/KETTLE",
        json={
            "name": "Kettle",
            "weight_g": 1200,
            "dimensions_mm": [250, 200, 220],
            "tags": ["Fragile"],
        },
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["tags"] == ["fragile"]
    replaced = client_a.put(f"{V1}/skus/KETTLE", json={"name": "Kettle 1.7 l", "weight_g": 1250})
    assert replaced.json()["dimensions_mm"] is None
    assert client_a.get(f"{V1}/skus/KETTLE").json()["name"] == "Kettle 1.7 l"

    batch = client_a.put(
        f"{V1}/skus",
        json={
            "skus": [
                {"code": "A1", "name": "A", "weight_g": 1},
                {"code": "B1", "name": "B", "weight_g": 2},
            ]
        },
    )
    assert [s["code"] for s in batch.json()] == ["A1", "B1"]
    codes = [s["code"] for s in client_a.get(f"{V1}/skus").json()]
    assert {"A1", "B1", "KETTLE", "TEE"} <= set(codes)
    bad = client_a.put(f"{V1}/skus/X", json={"name": "X", "weight_g": 0})
    assert assert_problem(bad, 422, "invalid_input")["field"] == "weight_g"


def test_warehouses_are_created_replaced_and_stocked(client_a: TestClient) -> None:
    created = client_a.post(
        f"{V1}/warehouses", json={"code": "SZ", "name": "Shenzhen", "country": "cn", "priority": 5}
    )
    assert created.status_code == 201, created.text
    wh = created.json()
    assert wh["country"] == "CN" and wh["stock"] == []
    assert created.headers["location"] == f"{V1}/warehouses/{wh['id']}"

    stocked = client_a.put(f"{V1}/warehouses/SZ/stock/TEE", json={"on_hand": 40})
    assert stocked.json() == {"sku": "TEE", "on_hand": 40, "reserved": 0, "available": 40}
    renamed = client_a.put(
        f"{V1}/warehouses/{wh['id']}",
        json={"code": "SZ", "name": "Shenzhen Bao'an", "country": "CN"},
    )
    assert renamed.json()["name"] == "Shenzhen Bao'an"
    assert renamed.json()["stock"][0]["on_hand"] == 40

    duplicate = client_a.post(
        f"{V1}/warehouses", json={"code": "SZ", "name": "again", "country": "CN"}
    )
    assert_problem(duplicate, 409, "conflict")
    assert_problem(
        client_a.post(f"{V1}/warehouses", json={"code": "XX", "name": "x", "country": "CHN"}),
        422,
        "invalid_input",
    )
    assert len(client_a.get(f"{V1}/warehouses").json()) == 3


def test_channels_are_created_and_replaced(client_a: TestClient) -> None:
    created = client_a.post(f"{V1}/channels", json=CHANNEL)
    assert created.status_code == 201, created.text
    channel = created.json()
    assert channel["rates"]["world"]["first_price"] == 4200
    assert channel["cutoff"] == "17:30:00"

    body = {**CHANNEL, "active": False, "limits": {"max_weight_g": 10000}}
    replaced = client_a.put(f"{V1}/channels/dhl-intl", json=body)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["id"] == channel["id"]
    assert replaced.json()["active"] is False
    assert replaced.json()["limits"]["forbidden_tags"] == []

    no_rate = {**CHANNEL, "code": "bad", "zones": {"*": "world", "US": "home"}}
    assert (
        assert_problem(client_a.post(f"{V1}/channels", json=no_rate), 422, "invalid_input")["field"]
        == "rates"
    )
    assert_problem(
        client_a.post(f"{V1}/channels", json={**CHANNEL, "kind": "drone"}), 422, "invalid_input"
    )

    for pattern, says in [("OWN[0-9", "not a valid regular expression"), (r"(\d+)+", "repeats")]:
        refused = client_a.post(
            f"{V1}/channels", json={**CHANNEL, "code": "own", "tracking_pattern": pattern}
        )
        body = assert_problem(refused, 422, "invalid_tracking_pattern")
        assert body["field"] == "tracking_pattern" and says in body["detail"]
    fine = {**CHANNEL, "code": "own", "tracking_pattern": r"OWN\d{9}"}
    assert client_a.post(f"{V1}/channels", json=fine).status_code == 201


def test_boxes_are_created_and_replaced(client_a: TestClient) -> None:
    box = {
        "name": "Tube",
        "inner_mm": [800, 100, 100],
        "outer_mm": [810, 110, 110],
        "tare_g": 150,
        "max_load_g": 4000,
    }
    created = client_a.post(f"{V1}/boxes", json=box)
    assert created.status_code == 201, created.text
    replaced = client_a.put(f"{V1}/boxes/{created.json()['id']}", json={**box, "tare_g": 170})
    assert replaced.json()["tare_g"] == 170
    assert "Tube" in [b["name"] for b in client_a.get(f"{V1}/boxes").json()]
    inside_out = {**box, "inner_mm": [900, 100, 100]}
    assert_problem(client_a.post(f"{V1}/boxes", json=inside_out), 422, "invalid_input")


def test_a_package_gets_its_warehouse_channel_and_box(
    client_a: TestClient, shop_a: ShopFixture
) -> None:
    order = client_a.post(f"{V1}/orders", json=tiktok_order_json("P-1", [("MUG", 2)])).json()
    split = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={"packages": [{"items": [{"line_id": "L1", "quantity": 2}]}]},
    ).json()
    pkg = split["packages"][0]["id"]
    patched = client_a.patch(
        f"{V1}/packages/{pkg}",
        json={"warehouse_id": "NJ", "channel_id": "usps-first", "box_id": "S"},
        headers={"If-Match": f'"{split["version"]}"'},
    )
    assert patched.status_code == 200, patched.text
    out = patched.json()
    assert (out["warehouse_id"], out["channel_id"], out["box_id"]) == (
        shop_a.warehouses["NJ"].id,
        shop_a.channels["usps-first"].id,
        shop_a.boxes["S"].id,
    )
    assert patched.headers["etag"] == f'"{out["order_version"]}"'
    assert_problem(
        client_a.patch(f"{V1}/packages/{pkg}", json={"box_id": "nope"}), 404, "not_found"
    )


def test_settings_are_read_and_changed(client_a: TestClient, shop_a: ShopFixture) -> None:
    before = client_a.get(f"{V1}/settings").json()
    assert before["shop_id"] == shop_a.shop_id and before["allow_unit_split"] is True
    assert before["tag_segregation"] == [["battery", "liquid"]]
    changed = client_a.patch(
        f"{V1}/settings",
        json={
            "allow_unit_split": False,
            "timezone": "America/Los_Angeles",
            "holidays": ["2026-12-25"],
        },
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["allow_unit_split"] is False and after["timezone"] == "America/Los_Angeles"
    assert after["holidays"] == ["2026-12-25"] and after["currency"] == before["currency"]

    assert_problem(
        client_a.patch(f"{V1}/settings", json={"timezone": "Mars/Base"}), 422, "invalid_input"
    )
    assert_problem(client_a.patch(f"{V1}/settings", json={"colour": "red"}), 422, "invalid_input")
    assert client_a.get(f"{V1}/settings").json() == after

    # Whole-line splits only, from now on.
    order = client_a.post(f"{V1}/orders", json=tiktok_order_json("P-2", [("TEE", 2)])).json()
    half = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={"packages": [{"items": [{"line_id": "L1", "quantity": 1}]}]},
    )
    assert_problem(half, 422, "unit_split_not_allowed")


def test_the_openapi_document_describes_the_api(api: TestClient) -> None:
    doc = api.get(f"{V1}/openapi.json").json()
    assert doc["info"]["title"] == "splitship"
    assert f"{V1}/orders/{{order_id}}/split" in doc["paths"]
    assert api.get("/docs").status_code == 200
