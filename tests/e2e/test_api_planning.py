"""The planner over HTTP: the rule set (JSON and YAML, refused whole with located errors), an
order's plan previewed and applied, every order at once, auto-apply on import, other shops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_support import V1, assert_problem
from fastapi.testclient import TestClient

from factories import ShopFixture, tiktok_order_json
from splitship.bootstrap import App
from splitship.services import shops

EXAMPLE_RULES = Path(__file__).parents[2] / "docs" / "examples" / "rules.yaml"
YAML = {"Content-Type": "application/yaml"}

RULES_YAML = """
rules:
  - id: seg
    type: tag_segregation
    params: {groups: [[battery, liquid]]}
  - id: usps-only-for-tees
    type: channel_preference
    conditions: {sku: [TEE]}
    params: {allowed: [usps-first]}
  - id: handling
    type: handling_cost
    params: {per_package: 80}
"""

BAD_YAML_RULES = """
rules:
  - id: seg
    type: tag_segregation
    params: {groups: [[battery]]}
  - id: cap
    type: max_per_package
    params: {}
  - id: fast
    type: channel_preference
    params: {allowed: [pigeon-post]}
"""


def new_order(client: TestClient, external_id: str, items: list[tuple[str, int]]) -> str:
    resp = client.post(f"{V1}/orders", json=tiktok_order_json(external_id, items))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def mixed_order(client: TestClient, external_id: str = "TT-1") -> str:
    return new_order(client, external_id, [("TEE", 2), ("POWERBANK", 1), ("PERFUME", 1)])


def located(body: dict[str, Any]) -> set[tuple[str | None, str]]:
    return {(e["rule_id"], e["field"]) for e in body["errors"]}


# ---- rules -------------------------------------------------------------------------------


def test_rules_start_as_the_default_set_and_round_trip_as_json(client_a: TestClient) -> None:
    default = client_a.get(f"{V1}/rules")
    assert default.status_code == 200, default.text
    ids = [r["id"] for r in default.json()["rules"]]
    assert "segregate-dangerous" in ids and "handling" in ids

    doc = default.json()
    doc["rules"] = [r for r in doc["rules"] if r["id"] != "handling"]
    saved = client_a.put(f"{V1}/rules", json=doc)

    assert saved.status_code == 200, saved.text
    assert saved.json() == doc
    assert client_a.get(f"{V1}/rules").json() == doc


def test_rules_are_loaded_from_yaml(client_a: TestClient) -> None:
    saved = client_a.put(f"{V1}/rules", content=RULES_YAML, headers=YAML)
    assert saved.status_code == 200, saved.text
    assert [r["id"] for r in saved.json()["rules"]] == ["seg", "usps-only-for-tees", "handling"]
    text_yaml = client_a.put(
        f"{V1}/rules", content=RULES_YAML.replace("80", "90"), headers={"Content-Type": "text/yaml"}
    )
    assert text_yaml.status_code == 200, text_yaml.text
    assert text_yaml.json()["rules"][-1]["params"] == {"per_package": 90}


def test_bad_rules_are_refused_whole_with_every_error_located(client_a: TestClient) -> None:
    kept = client_a.put(f"{V1}/rules", content=RULES_YAML, headers=YAML).json()

    resp = client_a.put(f"{V1}/rules", content=BAD_YAML_RULES, headers=YAML)

    body = assert_problem(resp, 422, "invalid_rule_set")
    assert {
        ("seg", "params.groups"),
        ("cap", "params"),
        ("fast", "params.allowed"),
    } <= located(body)
    assert all(e["message"] for e in body["errors"])
    assert "pigeon-post" in str(body["errors"])
    assert client_a.get(f"{V1}/rules").json() == kept


def test_unreadable_yaml_and_json_are_422_with_the_document_located(
    client_a: TestClient,
) -> None:
    kept = client_a.get(f"{V1}/rules").json()
    bad_yaml = client_a.put(f"{V1}/rules", content="rules: [ {id: x", headers=YAML)
    body = assert_problem(bad_yaml, 422, "invalid_rule_set")
    assert located(body) == {(None, "document")}
    assert "line" in body["errors"][0]["message"]  # where in the file

    bad_json = client_a.put(
        f"{V1}/rules", content='{"rules": [', headers={"Content-Type": "application/json"}
    )
    assert located(assert_problem(bad_json, 422, "invalid_rule_set")) == {(None, "document")}

    not_rules = client_a.put(f"{V1}/rules", json={"rules": "none", "colour": "red"})
    assert assert_problem(not_rules, 422, "invalid_rule_set")["errors"]
    assert client_a.get(f"{V1}/rules").json() == kept


def test_a_rule_set_in_another_media_type_is_415(client_a: TestClient) -> None:
    resp = client_a.put(f"{V1}/rules", content="a,b", headers={"Content-Type": "text/csv"})
    assert_problem(resp, 415, "unsupported_media_type")


def test_each_shop_edits_its_own_rules(client_a: TestClient, client_b: TestClient) -> None:
    before_b = client_b.get(f"{V1}/rules").json()
    assert client_a.put(f"{V1}/rules", content=RULES_YAML, headers=YAML).status_code == 200
    assert client_b.get(f"{V1}/rules").json() == before_b


# ---- one order ---------------------------------------------------------------------------


def test_preview_shows_packages_with_reasons_in_both_languages_and_writes_nothing(
    client_a: TestClient, shop_a: ShopFixture
) -> None:
    order_id = mixed_order(client_a)
    before = client_a.get(f"{V1}/orders/{order_id}").json()

    resp = client_a.get(f"{V1}/orders/{order_id}/plan")

    assert resp.status_code == 200, resp.text
    plan = resp.json()
    assert plan["version"] == before["version"]
    assert resp.headers["etag"] == f'"{before["version"]}"'
    assert plan["currency"] == "USD"
    assert len(plan["packages"]) == 2
    channel_ids = {c.id for c in shop_a.channels.values()}
    for pkg in plan["packages"]:
        assert pkg["warehouse_id"] in {w.id for w in shop_a.warehouses.values()}
        assert pkg["channel_id"] in channel_ids
        assert pkg["cost"] == pkg["price"] + pkg["handling_cost"]
        assert pkg["eta_earliest"] and pkg["eta_latest"] and isinstance(pkg["on_time"], bool)
        codes = [r["code"] for r in pkg["reasons"]]
        assert "tag_conflict" in codes
        assert all(r["en"] and r["zh"] for r in pkg["reasons"])
    assert sum(i["quantity"] for p in plan["packages"] for i in p["items"]) == 4
    assert plan["total_cost"] == sum(p["cost"] for p in plan["packages"])
    assert plan["unshippable"] == [] and "single_parcel_cost" in plan and "notes" in plan
    after = client_a.get(f"{V1}/orders/{order_id}").json()
    assert after == before


def test_apply_creates_the_previewed_packages(client_a: TestClient) -> None:
    order_id = mixed_order(client_a)
    preview = client_a.get(f"{V1}/orders/{order_id}/plan").json()

    resp = client_a.post(
        f"{V1}/orders/{order_id}/plan/apply",
        json={"version": preview["version"], "fingerprint": preview["fingerprint"]},
    )

    assert resp.status_code == 200, resp.text
    applied = resp.json()
    assert applied["plan"]["fingerprint"] == preview["fingerprint"]
    order = applied["order"]
    assert resp.headers["etag"] == f'"{order["version"]}"'
    assert order["version"] > preview["version"]
    assert [p["status"] for p in order["packages"]] == ["open", "open"]
    by_number = {p["number"]: p for p in order["packages"]}
    for planned in applied["plan"]["packages"]:
        pkg = by_number[planned["number"]]
        assert pkg["warehouse_id"] == planned["warehouse_id"]
        assert pkg["channel_id"] == planned["channel_id"]
        assert pkg["box_id"] == planned["box_id"]
        assert pkg["reasons"] == [r["code"] for r in planned["reasons"]]
        assert {(i["line_id"], i["quantity"]) for i in pkg["items"]} == {
            (i["line_id"], i["quantity"]) for i in planned["items"]
        }
    assert all(ln["unassigned"] == 0 for ln in order["lines"])
    actions = [e["action"] for e in client_a.get(f"{V1}/orders/{order_id}/audit").json()["items"]]
    assert "plan.applied" in actions


def test_apply_with_confirm_makes_ready_packages(client_a: TestClient) -> None:
    order_id = mixed_order(client_a)
    resp = client_a.post(f"{V1}/orders/{order_id}/plan/apply", json={"confirm": True})
    assert resp.status_code == 200, resp.text
    assert {p["status"] for p in resp.json()["order"]["packages"]} == {"ready"}


def test_apply_on_a_stale_preview_is_409_and_changes_nothing(client_a: TestClient) -> None:
    order_id = mixed_order(client_a)
    preview = client_a.get(f"{V1}/orders/{order_id}/plan").json()
    hold = client_a.post(f"{V1}/orders/{order_id}/holds", json={"reason": "address_check"}).json()
    assert client_a.delete(f"{V1}/orders/{order_id}/holds/{hold['id']}").status_code == 200
    before = client_a.get(f"{V1}/orders/{order_id}").json()

    resp = client_a.post(f"{V1}/orders/{order_id}/plan/apply", json={"version": preview["version"]})
    assert_problem(resp, 409, "version_conflict")
    by_header = client_a.post(
        f"{V1}/orders/{order_id}/plan/apply", headers={"If-Match": f'"{preview["version"]}"'}
    )
    assert_problem(by_header, 409, "version_conflict")
    assert client_a.get(f"{V1}/orders/{order_id}").json() == before


def test_apply_refuses_a_plan_that_changed_since_its_preview(client_a: TestClient) -> None:
    order_id = mixed_order(client_a)
    preview = client_a.get(f"{V1}/orders/{order_id}/plan").json()
    # the shop adds a handling cost: same order version, different plan
    assert client_a.put(f"{V1}/rules", content=RULES_YAML, headers=YAML).status_code == 200
    before = client_a.get(f"{V1}/orders/{order_id}").json()

    resp = client_a.post(
        f"{V1}/orders/{order_id}/plan/apply",
        json={"version": preview["version"], "fingerprint": preview["fingerprint"]},
    )

    body = assert_problem(resp, 409, "plan_changed")
    fresh = client_a.get(f"{V1}/orders/{order_id}/plan").json()
    assert fresh["fingerprint"] != preview["fingerprint"]
    assert body["details"]["fingerprint"] == fresh["fingerprint"]
    assert client_a.get(f"{V1}/orders/{order_id}").json() == before
    again = client_a.post(
        f"{V1}/orders/{order_id}/plan/apply",
        json={"version": fresh["version"], "fingerprint": fresh["fingerprint"]},
    )
    assert again.status_code == 200, again.text


def test_an_order_with_nothing_left_to_plan_is_409(client_a: TestClient) -> None:
    order_id = mixed_order(client_a)
    assert client_a.post(f"{V1}/orders/{order_id}/plan/apply").status_code == 200
    assert_problem(client_a.get(f"{V1}/orders/{order_id}/plan"), 409, "nothing_to_plan")
    assert_problem(client_a.post(f"{V1}/orders/{order_id}/plan/apply"), 409, "nothing_to_plan")


def test_the_plan_follows_the_shops_rules(client_a: TestClient, shop_a: ShopFixture) -> None:
    assert client_a.put(f"{V1}/rules", content=RULES_YAML, headers=YAML).status_code == 200
    order_id = new_order(client_a, "TT-2", [("TEE", 2)])
    plan = client_a.get(f"{V1}/orders/{order_id}/plan").json()
    assert [p["channel_id"] for p in plan["packages"]] == [shop_a.channels["usps-first"].id]
    assert plan["packages"][0]["handling_cost"] == 80


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/orders/{o}/plan"),
        ("POST", "/orders/{o}/plan/apply"),
        ("GET", "/orders/{o}/precheck"),
    ],
)
def test_another_shops_order_is_not_found(
    client_a: TestClient, client_b: TestClient, method: str, path: str
) -> None:
    order_id = mixed_order(client_a)
    before = client_a.get(f"{V1}/orders/{order_id}").json()
    resp = client_b.request(method, V1 + path.format(o=order_id))
    assert_problem(resp, 404, "not_found")
    assert client_a.get(f"{V1}/orders/{order_id}").json() == before


def test_planning_needs_an_api_key(api: TestClient, shop_a: ShopFixture) -> None:
    for method, path in (("GET", "/rules"), ("PUT", "/rules"), ("POST", "/plan/all")):
        assert_problem(api.request(method, V1 + path), 401, "unauthorized")


# ---- every order, and auto-apply on import ------------------------------------------------


def test_plan_all_dry_run_then_apply(client_a: TestClient, client_b: TestClient) -> None:
    mine = [mixed_order(client_a, "TT-1"), new_order(client_a, "TT-2", [("TEE", 1)])]
    theirs = mixed_order(client_b, "TT-9")

    dry = client_a.post(f"{V1}/plan/all", json={"dry_run": True})
    assert dry.status_code == 200, dry.text
    summary = dry.json()
    assert summary["applied"] is False
    assert (summary["orders_seen"], summary["orders_planned"], summary["orders_split"]) == (
        2,
        2,
        1,
    )
    assert summary["packages"] == 3 and summary["failures"] == []
    assert summary["currency"] == "USD"
    assert summary["cost_saved"] == 0  # only the one-parcel order could ship as one
    assert summary["baseline_orders"] >= 1 and summary["unshippable_units"] == 0
    assert all(not client_a.get(f"{V1}/orders/{o}").json()["packages"] for o in mine)

    applied = client_a.post(f"{V1}/plan/all").json()

    assert applied["applied"] is True
    assert {k: v for k, v in applied.items() if k != "applied"} == {
        k: v for k, v in summary.items() if k != "applied"
    }
    assert all(client_a.get(f"{V1}/orders/{o}").json()["packages"] for o in mine)
    assert client_b.get(f"{V1}/orders/{theirs}").json()["packages"] == []


def test_auto_apply_on_import_when_the_shop_asks(
    app: App, client_a: TestClient, shop_a: ShopFixture
) -> None:
    off = client_a.post(f"{V1}/orders/import", json=[tiktok_order_json("TT-1", [("TEE", 1)])])
    assert off.status_code == 200, off.text
    assert client_a.get(f"{V1}/orders/{off.json()['order_ids'][0]}").json()["packages"] == []

    shops.update_settings(app.uow(), shop_a.shop_id, {"auto_apply_plan_on_import": True})
    body = [tiktok_order_json("TT-2", [("TEE", 2), ("POWERBANK", 1), ("PERFUME", 1)])]
    on = client_a.post(f"{V1}/orders/import", json=body)
    one = client_a.post(f"{V1}/orders", json=tiktok_order_json("TT-3", [("MUG", 1)]))

    assert on.status_code == 200, on.text
    imported = client_a.get(f"{V1}/orders/{on.json()['order_ids'][0]}").json()
    assert len(imported["packages"]) == 2
    assert all(p["channel_id"] and p["warehouse_id"] for p in imported["packages"])
    assert one.status_code == 201 and len(one.json()["packages"]) == 1


def test_the_example_rule_file_is_valid_yaml_for_the_api(client_a: TestClient) -> None:
    """docs/examples/rules.yaml names the demo shop's channels; shop A has other ones, so the
    only errors it may get are those channel names, located at the rule that uses them."""
    resp = client_a.put(
        f"{V1}/rules", content=EXAMPLE_RULES.read_text(encoding="utf-8"), headers=YAML
    )
    body = assert_problem(resp, 422, "invalid_rule_set")
    assert located(body) == {("big-us-orders-fast", "params.allowed")}
