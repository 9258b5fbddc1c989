"""The planner's use cases against a real database (SQLite file and PostgreSQL): rule sets
replaced whole or refused whole, preview without writes, apply with a version check, auto-apply
after an import, and the batch over every awaiting order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from factories import ShopFixture, make_shop
from splitship.adapters.db import tables as t
from splitship.bootstrap import App
from splitship.domain.errors import SplitshipError, VersionConflict
from splitship.domain.order import Address, Order
from splitship.domain.shop import ShopSettings
from splitship.domain.status import PackageStatus
from splitship.planning import planner
from splitship.planning.context import PlanningContext
from splitship.planning.reasons import TAG_CONFLICT
from splitship.planning.rules import load_rule_set, rule_set_to_dict
from splitship.services import orders, planning, splitting
from splitship.services.orders import LineDraft, OrderDraft
from splitship.services.planning import NothingToPlan, RuleSetInvalid
from splitship.services.splitting import PackageSpec
from splitship.services.unit_of_work import AuditEntry

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Shanghai
HOME = Address("Ada Buyer", "1 Main St", "Austin", "US", "TX", "78701")
MIXED = [("POWERBANK", 1), ("PERFUME", 1), ("TEE", 2)]  # battery and liquid: must split
EXAMPLE_RULES = Path(__file__).parents[2] / "docs" / "examples" / "rules.yaml"

GOOD_RULES = """
rules:
  - id: seg
    type: tag_segregation
    params: {groups: [[battery, liquid]]}
  - id: handling
    type: handling_cost
    params: {per_package: 75}
"""

BAD_RULES = """
rules:
  - id: seg
    type: tag_segregation
    params: {groups: [[battery]]}
  - id: seg
    type: handling_cost
    params: {per_package: -1}
  - id: fast
    type: channel_preference
    params: {objective: quickest, allowed: [no-such-channel]}
  - type: ship_alone
"""


@pytest.fixture
def shop(app: App) -> ShopFixture:
    app.clock = lambda: T0
    return make_shop(app)


def import_order(
    app: App, shop_id: str, external_id: str, lines: Sequence[tuple[str, int]] = MIXED
) -> str:
    draft = OrderDraft(
        "tiktok", external_id, HOME, [LineDraft(sku, qty, 1500) for sku, qty in lines]
    )
    report = orders.import_orders(app.uow(), shop_id, [draft])
    assert report.ok, report.errors
    return report.order_ids[0]


def load(app: App, shop_id: str, order_id: str) -> Order:
    with app.uow() as uow:
        return uow.orders.get(shop_id, order_id)


def audit(app: App, shop_id: str, order_id: str) -> list[AuditEntry]:
    with app.uow() as uow:
        return uow.audit.for_order(shop_id, order_id)


def stock_levels(app: App, shop_id: str) -> dict[tuple[str, str], tuple[int, int]]:
    with app.uow() as uow:
        return {
            (w.code, sku): (level.on_hand, level.reserved)
            for w in uow.catalog.warehouses(shop_id)
            for sku, level in w.stock.items()
        }


def assert_units_conserved(order: Order) -> None:
    order.check_invariants()
    for ln in order.lines:
        assert order.assigned(ln.id) + order.unassigned(ln.id) == order.units_to_ship(ln.id)


# ---- preview and apply -------------------------------------------------------------------


def test_preview_writes_nothing(app: App, shop: ShopFixture) -> None:
    oid = import_order(app, shop.shop_id, "T-1")
    before = load(app, shop.shop_id, oid)
    trail, levels = audit(app, shop.shop_id, oid), stock_levels(app, shop.shop_id)

    order, plan = planning.preview_plan(app.uow(), shop.shop_id, oid)

    assert order.version == before.version
    assert len(plan.packages) == 2
    assert all(TAG_CONFLICT in {r.code for r in p.reasons} for p in plan.packages)
    assert all(r.en and r.zh for p in plan.packages for r in p.reasons)
    after = load(app, shop.shop_id, oid)
    assert after.version == before.version and after.packages == []
    assert audit(app, shop.shop_id, oid) == trail
    assert stock_levels(app, shop.shop_id) == levels


def test_apply_creates_the_planned_packages_with_their_reasons(app: App, shop: ShopFixture) -> None:
    oid = import_order(app, shop.shop_id, "T-1", [*MIXED, ("MUG", 2)])
    seen, preview = planning.preview_plan(app.uow(), shop.shop_id, oid)

    order, plan = planning.apply_plan(app.uow(), shop.shop_id, oid, seen.version)

    assert order.version > seen.version
    assert [(p.items, p.channel_id, p.box_id) for p in plan.packages] == [
        (p.items, p.channel_id, p.box_id) for p in preview.packages
    ]
    stored = load(app, shop.shop_id, oid)
    assert len(stored.packages) == len(plan.packages)
    for pkg, planned in zip(stored.packages, plan.packages, strict=True):
        assert pkg.status is PackageStatus.OPEN
        assert pkg.items == planned.items
        assert pkg.warehouse_id == planned.warehouse_id is not None
        assert pkg.channel_id == planned.channel_id is not None
        assert pkg.box_id == planned.box_id
        assert pkg.reasons == [r.code for r in planned.reasons]
    assert_units_conserved(stored)
    assert stored.unassigned_items() == {}
    # The sentences in both languages are kept, per package, in the audit trail.
    explained = planning.applied_reasons(app.uow(), shop.shop_id, oid)
    for pkg, planned in zip(stored.packages, plan.packages, strict=True):
        assert [(r.code, r.en, r.zh) for r in explained[pkg.id]] == [
            (r.code, r.en, r.zh) for r in planned.reasons
        ]
    assert [e.action for e in audit(app, shop.shop_id, oid)].count(planning.PLAN_APPLIED) == 1


def test_apply_with_confirm_reserves_stock_in_the_same_transaction(
    app: App, shop: ShopFixture
) -> None:
    oid = import_order(app, shop.shop_id, "T-1")
    before = stock_levels(app, shop.shop_id)

    order, plan = planning.apply_plan(app.uow(), shop.shop_id, oid, confirm=True)

    assert {p.status for p in order.packages} == {PackageStatus.READY}
    after = stock_levels(app, shop.shop_id)
    codes = {w.id: code for code, w in shop.warehouses.items()}
    for planned in plan.packages:
        for line_id, qty in planned.items.items():
            key = (codes[planned.warehouse_id], order.line(line_id).sku)
            assert after[key][1] == before[key][1] + qty


def test_apply_refuses_a_plan_previewed_on_an_older_version(app: App, shop: ShopFixture) -> None:
    oid = import_order(app, shop.shop_id, "T-1")
    seen, _ = planning.preview_plan(app.uow(), shop.shop_id, oid)
    # Someone splits by hand and undoes it meanwhile: same units, newer version.
    splitting.split_order(app.uow(), shop.shop_id, oid, [PackageSpec({"L3": 1})])
    splitting.undo_split(app.uow(), shop.shop_id, oid)

    with pytest.raises(VersionConflict):
        planning.apply_plan(app.uow(), shop.shop_id, oid, seen.version)

    stored = load(app, shop.shop_id, oid)
    assert stored.live_packages == []
    assert planning.PLAN_APPLIED not in [e.action for e in audit(app, shop.shop_id, oid)]


def test_an_order_with_every_unit_packed_has_nothing_to_plan(app: App, shop: ShopFixture) -> None:
    oid = import_order(app, shop.shop_id, "T-1")
    planning.apply_plan(app.uow(), shop.shop_id, oid)
    with pytest.raises(NothingToPlan):
        planning.preview_plan(app.uow(), shop.shop_id, oid)
    with pytest.raises(NothingToPlan):
        planning.apply_plan(app.uow(), shop.shop_id, oid)


def test_units_that_cannot_ship_are_reported_and_stay_unassigned(
    app: App, shop: ShopFixture
) -> None:
    # Only 7 lamps in stock: 3 of the 10 cannot ship from anywhere.
    oid = import_order(app, shop.shop_id, "T-1", [("LAMP", 10), ("TEE", 1)])
    _, plan = planning.apply_plan(app.uow(), shop.shop_id, oid)
    missing = {u.line_id: u.quantity for u in plan.unshippable}
    assert missing == {"L1": 3}
    assert all(u.reason.en and u.reason.zh for u in plan.unshippable)
    stored = load(app, shop.shop_id, oid)
    assert stored.unassigned_items() == {"L1": 3}
    assert_units_conserved(stored)


# ---- rules -------------------------------------------------------------------------------


def test_rules_default_until_the_shop_saves_its_own(app: App, shop: ShopFixture) -> None:
    default = planning.get_rules(app.uow(), shop.shop_id)
    assert "segregate-dangerous" in [r.id for r in default.rules]

    saved = planning.put_rules(app.uow(), shop.shop_id, GOOD_RULES, "yaml")

    assert [r.id for r in saved.rules] == ["seg", "handling"]
    assert planning.get_rules(app.uow(), shop.shop_id) == saved
    # The handling cost of the new rule set is what the planner now charges per parcel.
    oid = import_order(app, shop.shop_id, "T-1")
    _, plan = planning.preview_plan(app.uow(), shop.shop_id, oid)
    assert {p.handling_cost for p in plan.packages} == {75}


def test_a_bad_rule_set_is_refused_whole_with_every_error_located(
    app: App, shop: ShopFixture
) -> None:
    kept = planning.put_rules(app.uow(), shop.shop_id, GOOD_RULES, "yaml")

    with pytest.raises(RuleSetInvalid) as refused:
        planning.put_rules(app.uow(), shop.shop_id, BAD_RULES, "yaml")

    exc = refused.value
    assert exc.code == "invalid_rule_set" and exc.status == 422
    located = {(e["rule_id"], e["field"]) for e in exc.details["errors"]}
    assert {
        ("seg", "params.groups"),
        ("seg", "id"),
        ("seg", "params.per_package"),
        ("fast", "params.objective"),
        ("fast", "params.allowed"),
        (None, "rules[3].id"),
    } <= located
    assert all(e["message"] for e in exc.details["errors"])
    assert planning.get_rules(app.uow(), shop.shop_id) == kept


def test_unreadable_rule_documents_are_refused_and_the_old_set_kept(
    app: App, shop: ShopFixture
) -> None:
    kept = planning.put_rules(app.uow(), shop.shop_id, GOOD_RULES, "yaml")
    for text, fmt in (("rules: [ {id: x", "yaml"), ('{"rules": [}', "json"), ("- 3\n- 4", "yaml")):
        with pytest.raises(RuleSetInvalid) as refused:
            planning.put_rules(app.uow(), shop.shop_id, text, fmt)
        assert refused.value.errors, text
    assert planning.get_rules(app.uow(), shop.shop_id) == kept


def test_a_rule_set_change_is_audited_with_before_and_after(app: App, shop: ShopFixture) -> None:
    planning.put_rules(app.uow(), shop.shop_id, GOOD_RULES, "yaml")
    second = planning.put_rules(
        app.uow(),
        shop.shop_id,
        {"rules": [{"id": "h", "type": "handling_cost", "params": {"per_package": 10}}]},
    )
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(t.audit_trail.c.before, t.audit_trail.c.after)
            .where(
                t.audit_trail.c.shop_id == shop.shop_id,
                t.audit_trail.c.action == planning.RULES_SAVED,
            )
            .order_by(t.audit_trail.c.id)
        ).all()
    assert [r.before for r in rows] == [None, rule_set_to_dict(load_rule_set(GOOD_RULES))]
    assert rows[-1].after == rule_set_to_dict(second)


def test_the_example_rule_file_in_the_docs_loads_cleanly() -> None:
    rules = load_rule_set(EXAMPLE_RULES.read_text(encoding="utf-8"))
    assert len(rules.rules) >= 9
    assert {r.type for r in rules.rules} >= {
        "tag_segregation",
        "ship_alone",
        "keep_together",
        "max_per_package",
        "channel_preference",
        "handling_cost",
    }


# ---- auto-apply on import ----------------------------------------------------------------


def test_auto_apply_on_import_plans_each_new_order_when_the_shop_asks(app: App) -> None:
    app.clock = lambda: T0
    auto = make_shop(app, settings=ShopSettings(auto_apply_plan_on_import=True))
    manual = make_shop(app, "Manual")
    on = import_order(app, auto.shop_id, "T-1")
    off = import_order(app, manual.shop_id, "T-1")

    report = planning.auto_apply_after_import(app.uow_factory(), auto.shop_id, [on])
    skipped = planning.auto_apply_after_import(app.uow_factory(), manual.shop_id, [off])

    assert report.enabled and report.applied == [on] and report.failures == []
    assert not skipped.enabled and skipped.applied == []
    planned = load(app, auto.shop_id, on)
    assert len(planned.packages) == 2 and planned.unassigned_items() == {}
    assert load(app, manual.shop_id, off).packages == []


def test_a_failed_auto_apply_keeps_the_imported_order(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.clock = lambda: T0
    auto = make_shop(app, settings=ShopSettings(auto_apply_plan_on_import=True))
    good, bad = (import_order(app, auto.shop_id, ext) for ext in ("T-1", "T-2"))
    real_plan = planner.plan

    def failing(order: Order, context: PlanningContext) -> planner.Plan:
        if order.id == bad:
            raise SplitshipError("the planner failed on purpose")
        return real_plan(order, context)

    monkeypatch.setattr(planning, "plan", failing)
    report = planning.auto_apply_after_import(app.uow_factory(), auto.shop_id, [bad, good])

    assert report.applied == [good]
    assert [(f.order_id, f.external_id, f.code) for f in report.failures] == [
        (bad, "T-2", "splitship_error")
    ]
    kept = load(app, auto.shop_id, bad)
    assert kept.packages == [] and sum(kept.unassigned_items().values()) == 4
    assert "plan.auto_apply_failed" in [e.action for e in audit(app, auto.shop_id, bad)]


# ---- every awaiting order ----------------------------------------------------------------

BATCH = {
    "B-1": MIXED,
    "B-2": [("TEE", 1)],
    "B-3": [("TEE", 3), ("MUG", 2)],
    "B-4": [("LAMP", 3), ("MUG", 4)],
    "B-5": [("PERFUME", 2), ("TEE", 1)],
}


def test_plan_all_summary_matches_the_per_order_plans(app: App, shop: ShopFixture) -> None:
    ids = {ext: import_order(app, shop.shop_id, ext, lines) for ext, lines in BATCH.items()}
    packed = import_order(app, shop.shop_id, "B-6", [("TEE", 1)])
    planning.apply_plan(app.uow(), shop.shop_id, packed)  # nothing left to plan
    previews = {}
    baselines = {}
    for ext, oid in ids.items():
        order, plan = planning.preview_plan(app.uow(), shop.shop_id, oid)
        with app.uow() as uow:
            context = planning.planning_context(uow, uow.shops.get(shop.shop_id))
        previews[ext] = plan
        baselines[ext] = planning.naive_baseline_cost(order, context, plan)
    ticks: list[tuple[int, int]] = []

    dry = planning.plan_all(app.uow_factory(), shop.shop_id, apply=False)
    summary = planning.plan_all(
        app.uow_factory(), shop.shop_id, progress=lambda done, total: ticks.append((done, total))
    )

    for s in (dry, summary):
        assert s.failures == []
        assert s.orders_seen == 6 and s.orders_skipped == 1 and s.orders_planned == 5
        assert s.orders_split == sum(len(p.packages) > 1 for p in previews.values())
        assert s.packages == sum(len(p.packages) for p in previews.values())
        assert s.total_cost == sum(p.total_cost for p in previews.values())
        singles = [p for p in previews.values() if p.single_parcel_cost is not None]
        assert s.single_parcel_orders == len(singles)
        assert s.single_parcel_cost_total == sum(p.single_parcel_cost or 0 for p in singles)
        assert s.cost_saved == sum((p.single_parcel_cost or 0) - p.total_cost for p in singles)
        priced = {ext: b for ext, b in baselines.items() if b is not None}
        assert s.baseline_orders == len(priced)
        assert s.baseline_cost == sum(priced.values())
        assert s.baseline_saved == sum(b - previews[e].total_cost for e, b in priced.items())
        assert s.unshippable_units == sum(
            u.quantity for p in previews.values() for u in p.unshippable
        )
    assert not dry.applied and summary.applied
    assert ticks[0] == (0, 6) and ticks[-1] == (6, 6)
    for ext, oid in ids.items():
        stored = load(app, shop.shop_id, oid)
        assert [p.items for p in stored.packages] == [p.items for p in previews[ext].packages]
        assert_units_conserved(stored)


def test_plan_all_goes_on_after_one_order_fails(
    app: App, shop: ShopFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [import_order(app, shop.shop_id, f"F-{n}", [("TEE", 2)]) for n in range(3)]
    real_plan = planner.plan

    def failing(order: Order, context: PlanningContext) -> planner.Plan:
        if order.id == ids[1]:
            raise RuntimeError("planner bug")
        return real_plan(order, context)

    monkeypatch.setattr(planning, "plan", failing)
    summary = planning.plan_all(app.uow_factory(), shop.shop_id)

    assert summary.orders_planned == 2
    assert [(f.external_id, f.code) for f in summary.failures] == [("F-1", "internal_error")]
    assert load(app, shop.shop_id, ids[1]).packages == []
    assert all(load(app, shop.shop_id, i).packages for i in (ids[0], ids[2]))


def test_naive_baseline_is_one_parcel_when_everything_fits(app: App, shop: ShopFixture) -> None:
    oid = import_order(app, shop.shop_id, "T-1", [("TEE", 2)])
    order, plan = planning.preview_plan(app.uow(), shop.shop_id, oid)
    with app.uow() as uow:
        context = planning.planning_context(uow, uow.shops.get(shop.shop_id))
    assert len(plan.packages) == 1
    assert planning.naive_baseline_cost(order, context, plan) == plan.total_cost
    # With no channel at all, the naive way has no price.
    assert planning.naive_baseline_cost(order, replace(context, channels=[]), plan) is None


def test_naive_baseline_takes_the_earliest_channel_when_none_is_on_time(
    app: App, shop: ShopFixture
) -> None:
    oid = import_order(app, shop.shop_id, "T-1", [("TEE", 2)])
    with app.uow() as uow:
        context = planning.planning_context(uow, uow.shops.get(shop.shop_id))
        order = uow.orders.get(shop.shop_id, oid)
    # promised for today: no channel delivers in time; the van is the earliest and not the
    # cheapest, and the naive way must pick it too rather than the cheaper late post
    order.deliver_by = T0.date()
    plan = planner.plan(order, context)
    assert not plan.on_time and len(plan.packages) == 1
    assert plan.packages[0].channel_id == shop.channels["own-van"].id
    assert planning.naive_baseline_cost(order, context, plan) == plan.total_cost
