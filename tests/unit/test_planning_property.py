"""Every plan obeys every limit and rule, loses no unit, and never costs more than baseline (1)."""

from datetime import timedelta

from _planning_fixtures import NOW, channel, context, order, realistic_boxes, warehouse
from benchmarks.baselines import baseline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splitship.domain.catalog import Dimensions, SkuAttributes, ZoneRate
from splitship.domain.limits import check_package
from splitship.planning.planner import _setup, plan
from splitship.planning.rules import load_rule_set

TAGS = ["battery", "liquid", "fragile"]


@st.composite
def skus(draw: st.DrawFn) -> SkuAttributes:
    weight = draw(st.integers(20, 4000))
    dims = draw(
        st.none()
        | st.tuples(st.integers(10, 450), st.integers(10, 350), st.integers(5, 300)).map(
            lambda t: Dimensions(*t)
        )
    )
    return SkuAttributes(
        weight_g=weight,
        dimensions=dims,
        tags=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=1))),
        category=draw(st.sampled_from(["toys", "home"])),
        declared_value=draw(st.integers(0, 3000)),
        available_from=draw(
            st.none() | st.integers(1, 9).map(lambda d: NOW.date() + timedelta(days=d))
        ),
    )


@st.composite
def channels(draw: st.DrawFn) -> list:
    out = []
    for i in range(draw(st.integers(1, 3))):
        table = draw(st.booleans())
        rate = (
            ZoneRate(0, 0, 1, 0, table=((1000, 500), (3000, 900), (10000, 1600), (30000, 3000)))
            if table
            else ZoneRate(
                draw(st.sampled_from([500, 1000])),
                draw(st.integers(200, 900)),
                draw(st.sampled_from([100, 500, 1000])),
                draw(st.integers(20, 300)),
            )
        )
        out.append(
            channel(
                f"c{i}",
                max_weight_g=draw(st.sampled_from([None, 2000, 5000, 20000])),
                rate=rate,
                transit=draw(st.sampled_from([(1, 2), (3, 5), (6, 10)])),
                divisor=draw(st.sampled_from([None, 5000, 6000])),
                step_g=draw(st.sampled_from([1, 100, 500])),
                max_longest_side_mm=draw(st.sampled_from([None, 600])),
                max_items=draw(st.sampled_from([None, 4, 10])),
                max_declared_value=draw(st.sampled_from([None, 5000])),
                forbidden_tags=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=1))),
            )
        )
    return out


RULE_POOL = {
    "seg": {"id": "seg", "type": "tag_segregation", "params": {"groups": [["battery", "liquid"]]}},
    "handling": {"id": "handling", "type": "handling_cost", "params": {"per_package": 60}},
    "wait": {"id": "wait", "type": "availability", "params": {"wait_days": 4}},
    "cap": {"id": "cap", "type": "max_per_package", "params": {"units": 3, "category": "toys"}},
    "value": {"id": "value", "type": "max_per_package", "params": {"declared_value": 6000}},
    "kit": {"id": "kit", "type": "keep_together", "params": {"skus": ["S0", "S1"]}},
    "whole": {"id": "whole", "type": "no_unit_split", "conditions": {"sku": ["S2"]}},
    "alone": {"id": "alone", "type": "ship_alone", "params": {"tags": ["fragile"]}},
    "fast": {"id": "fast", "type": "channel_preference", "params": {"objective": "fastest"}},
}
COMPARABLE = {"seg", "handling", "wait"}


@st.composite
def scenarios(draw: st.DrawFn):
    n_lines = draw(st.integers(1, 6))
    lines = [(f"S{i}", draw(st.integers(1, 5)), draw(skus())) for i in range(n_lines)]
    deliver_by = draw(st.none() | st.integers(0, 15).map(lambda d: NOW.date() + timedelta(d)))
    gift = draw(st.sets(st.integers(0, n_lines - 1), max_size=1))
    o = order(lines, deliver_by=deliver_by, gift=gift)
    rule_ids = draw(st.sets(st.sampled_from(sorted(RULE_POOL))))
    rules = load_rule_set({"rules": [RULE_POOL[r] for r in sorted(rule_ids)]})
    stock_check = draw(st.booleans())
    whs = [
        warehouse(f"W{w}", {s: draw(st.integers(0, 6)) for s, _, _ in lines}, priority=w)
        for w in range(draw(st.integers(1, 3)))
    ]
    all_boxes = realistic_boxes()
    boxes = draw(st.sets(st.sampled_from(range(len(all_boxes)))))
    ctx = context(
        warehouses=whs,
        channels=draw(channels()),
        boxes=[all_boxes[i] for i in sorted(boxes)],
        rules=rules,
        allow_unit_split=draw(st.booleans()),
        stock_check=stock_check,
    )
    comparable = rule_ids <= COMPARABLE and ctx.allow_unit_split
    return o, ctx, comparable


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_plan_obeys_limits_ships_each_unit_once_and_beats_baseline(scenario) -> None:
    o, ctx, comparable = scenario
    p = plan(o, ctx)
    boxes = {b.id: b for b in ctx.boxes}
    chans = {c.id: c for c in ctx.channels}
    for pkg in p.packages:
        items = [(o.line(lid).attributes, q) for lid, q in pkg.items.items()]
        box = boxes[pkg.box_id] if pkg.box_id else None
        assert (
            check_package(items, box, chans[pkg.channel_id], pkg.address.country, p.segregation)
            == []
        )
        assert all(q > 0 for q in pkg.items.values())
        assert len({o.line_address(lid) for lid in pkg.items}) == 1
        assert pkg.price >= 0
        if not ctx.allow_unit_split:
            assert all(q == o.unassigned(lid) for lid, q in pkg.items.items())
    for ln in o.lines:
        planned = sum(pkg.items.get(ln.id, 0) for pkg in p.packages)
        reported = sum(u.quantity for u in p.unshippable if u.line_id == ln.id)
        assert planned + reported == o.unassigned(ln.id)
    assert p.total_cost == sum(pkg.price + pkg.handling_cost for pkg in p.packages)
    if comparable:
        handling = 60 if any(r.id == "handling" for r in ctx.rules.rules) else 0
        # the baseline reads the deadline as the planner does: the channels on time if any,
        # else the earliest (per ship date, from the planner's own set-up)
        setup = _setup(o, ctx)
        on_time = {
            ln.ship_on: [c for c in setup.channels if setup.on_time(c, ln.address, ln.ship_on)]
            for ln in setup.lines
        }
        latest = {
            ln.ship_on: {c.id: setup.latest(c, ln.address, ln.ship_on) for c in setup.channels}
            for ln in setup.lines
        }
        base = baseline(o, ctx, p, handling, on_time, latest_for=latest)
        if base.cost is not None:
            assert p.total_cost <= base.cost
