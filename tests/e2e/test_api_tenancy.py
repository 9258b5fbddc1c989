"""Nothing of one shop is visible to, or changeable by, another (invariant 6): another shop's
object answers 404, exactly like one that does not exist."""

from __future__ import annotations

import re
from typing import Any

import pytest
from api_support import V1, assert_problem
from fastapi.testclient import TestClient

from factories import UPS_NUMBER, ShopFixture, tiktok_order_json

# (method, path, body); {o} order, {p} open package, {r} ready package, {h} hold, {w} warehouse,
# {c} channel, {b} box, {s} SKU of shop A; PARAMS names them as the routes do.
TABLE_TAGS = {
    "orders",
    "packages",
    "audit",
    "catalog",
    "settings",
    "imports",
    "planning",
    "tracking",
}
PARAMS = {
    "o": "{order_id}",
    "p": "{package_id}",
    "r": "{package_id}",
    "h": "{hold_id}",
    "w": "{warehouse_id}",
    "c": "{channel_id}",
    "b": "{box_id}",
    "s": "{code}",
    "k": "{sku}",
}
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/orders/{o}", None),
    ("GET", "/orders/{o}/precheck", None),
    ("GET", "/orders/{o}/audit", None),
    ("GET", "/orders/{o}/plan", None),
    ("POST", "/orders/{o}/plan/apply", None),
    ("PUT", "/packages/{p}/buyer-note", {"buyer_note": "pre-sale"}),
    ("POST", "/orders/{o}/split", {"packages": [{"items": [{"line_id": "L2", "quantity": 1}]}]}),
    ("POST", "/orders/{o}/move", {"source_package_id": "{p}", "line_id": "L1", "quantity": 1}),
    ("POST", "/orders/{o}/merge", {"target_package_id": "{p}", "source_package_id": "{r}"}),
    ("POST", "/orders/{o}/undo", None),
    ("POST", "/orders/{o}/cancel", None),
    ("POST", "/orders/{o}/cancel-units", {"line_id": "L2", "quantity": 1}),
    ("POST", "/orders/{o}/holds", {"reason": "fraud_review"}),
    ("DELETE", "/orders/{o}/holds/{h}", None),
    ("GET", "/packages/{p}", None),
    ("PATCH", "/packages/{p}", {"box_id": "S"}),
    ("POST", "/packages/{p}/confirm", {"channel_id": "ups-ground"}),
    ("PUT", "/packages/{r}/logistics", {"tracking_number": UPS_NUMBER}),
    ("POST", "/packages/{r}/ship", {"logistics": {"tracking_number": UPS_NUMBER}}),
    ("POST", "/packages/{r}/logistics/correction", {"tracking_number": UPS_NUMBER}),
    ("POST", "/packages/{p}/cancel", None),
    ("GET", "/skus/{s}", None),
    ("GET", "/warehouses/{w}", None),
    ("PUT", "/warehouses/{w}", {"code": "X", "name": "X", "country": "US"}),
    ("PUT", "/warehouses/{w}/stock/{k}", {"on_hand": 0}),
    ("GET", "/channels/{c}", None),
    ("GET", "/boxes/{b}", None),
    (
        "PUT",
        "/boxes/{b}",
        {"name": "X", "inner_mm": [1, 1, 1], "outer_mm": [2, 2, 2], "tare_g": 1, "max_load_g": 1},
    ),
]


@pytest.fixture
def a_world(client_a: TestClient, shop_a: ShopFixture) -> dict[str, str]:
    """Shop A's order with an open package, a ready package and an active package hold."""
    order = client_a.post(
        f"{V1}/orders", json=tiktok_order_json("A-1", [("TEE", 2), ("MUG", 2)])
    ).json()
    split = client_a.post(
        f"{V1}/orders/{order['id']}/split",
        json={
            "packages": [
                {"items": [{"line_id": "L1", "quantity": 2}], "warehouse_id": "LA"},
                {
                    "items": [{"line_id": "L2", "quantity": 1}],
                    "warehouse_id": "LA",
                    "channel_id": "ups-ground",
                },
            ]
        },
    ).json()
    open_pkg, ready_pkg = (p["id"] for p in split["packages"])
    assert client_a.post(f"{V1}/packages/{ready_pkg}/confirm").status_code == 200
    hold = client_a.post(
        f"{V1}/orders/{order['id']}/holds",
        json={"reason": "address_check", "package_id": open_pkg},
    ).json()
    return {
        "o": order["id"],
        "p": open_pkg,
        "r": ready_pkg,
        "h": hold["id"],
        "w": shop_a.warehouses["LA"].id,
        "c": shop_a.channels["ups-ground"].id,
        "b": shop_a.boxes["M"].id,
        "s": "A-ONLY",
        "k": "TEE",
    }


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _snapshot(client: TestClient, ids: dict[str, str]) -> dict[str, Any]:
    return {
        "order": client.get(f"{V1}/orders/{ids['o']}").json(),
        "audit": client.get(f"{V1}/orders/{ids['o']}/audit").json(),
        "warehouse": client.get(f"{V1}/warehouses/{ids['w']}").json(),
        "box": client.get(f"{V1}/boxes/{ids['b']}").json(),
        "sku": client.get(f"{V1}/skus/A-ONLY").json(),
    }


@pytest.mark.parametrize(
    ("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS]
)
def test_another_shops_object_is_not_found_and_stays_unchanged(
    client_a: TestClient,
    client_b: TestClient,
    a_world: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    before = _snapshot(client_a, a_world)
    kwargs: dict[str, Any] = {} if body is None else {"json": _fill(body, a_world)}
    resp = client_b.request(method, V1 + _fill(path, a_world), **kwargs)
    assert_problem(resp, 404, "not_found")
    assert _snapshot(client_a, a_world) == before


def test_the_table_covers_every_route_with_an_id(api: TestClient) -> None:
    """A new route of these resources that takes an object's id must join the table above."""
    paths = api.get(f"{V1}/openapi.json").json()["paths"]
    with_ids = {
        (method.upper(), path.removeprefix(V1))
        for path, ops in paths.items()
        if "{" in path
        for method, op in ops.items()
        if set(op.get("tags", [])) & TABLE_TAGS
    }
    covered = {(m, re.sub(r"\{(\w)\}", lambda x: PARAMS[x[1]], p)) for m, p, _ in ENDPOINTS}
    # SKUs are keyed by code within the shop (PUT creates the caller's own: tested below), and
    # replacing a channel needs a whole channel body (tested below).
    assert with_ids - covered == {("PUT", "/skus/{code}"), ("PUT", "/channels/{channel_id}")}


def test_another_shop_writing_a_sku_code_creates_its_own(
    client_a: TestClient, client_b: TestClient
) -> None:
    before = client_a.get(f"{V1}/skus/A-ONLY").json()
    saved = client_b.put(f"{V1}/skus/A-ONLY", json={"name": "B's own", "weight_g": 999})
    assert saved.status_code == 200, saved.text
    assert client_a.get(f"{V1}/skus/A-ONLY").json() == before
    assert client_b.get(f"{V1}/skus/A-ONLY").json()["name"] == "B's own"


def test_another_shops_channel_cannot_be_replaced(
    client_a: TestClient, client_b: TestClient, shop_a: ShopFixture
) -> None:
    channel_id = shop_a.channels["own-van"].id
    body = client_a.get(f"{V1}/channels/{channel_id}").json()
    del body["id"]
    resp = client_b.put(f"{V1}/channels/{channel_id}", json={**body, "name": "hijacked"})
    assert_problem(resp, 404, "not_found")
    assert client_a.get(f"{V1}/channels/{channel_id}").json()["name"] == "Own van (LA metro)"


def test_lists_and_search_show_only_the_callers_objects(
    client_a: TestClient, client_b: TestClient, a_world: dict[str, str], shop_b: ShopFixture
) -> None:
    assert client_b.get(f"{V1}/orders").json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }
    assert client_b.get(f"{V1}/orders", params={"q": "A-1"}).json()["total"] == 0
    b_warehouses = {w["id"] for w in client_b.get(f"{V1}/warehouses").json()}
    assert b_warehouses == {w.id for w in shop_b.warehouses.values()}
    assert a_world["c"] not in {c["id"] for c in client_b.get(f"{V1}/channels").json()}
    assert "A-ONLY" not in {s["code"] for s in client_b.get(f"{V1}/skus").json()}


def test_batch_ship_of_another_shops_package_fails_for_that_package_only(
    client_a: TestClient, client_b: TestClient, a_world: dict[str, str]
) -> None:
    before = client_a.get(f"{V1}/orders/{a_world['o']}").json()
    resp = client_b.post(
        f"{V1}/packages/ship",
        json={
            "packages": [{"package_id": a_world["r"], "logistics": {"tracking_number": UPS_NUMBER}}]
        },
    )
    assert resp.status_code == 200
    assert resp.json()["results"][0]["ok"] is False
    assert resp.json()["results"][0]["code"] == "not_found"
    assert client_a.get(f"{V1}/orders/{a_world['o']}").json() == before


def test_the_same_external_order_id_lives_in_each_shop(
    client_a: TestClient, client_b: TestClient
) -> None:
    body = tiktok_order_json("SAME-1", [("TEE", 1)])
    a = client_a.post(f"{V1}/orders", json=body)
    b = client_b.post(f"{V1}/orders", json=body)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]
