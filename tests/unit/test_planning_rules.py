import json

import pytest

from splitship.planning.rules import (
    ChannelPreference,
    KeepTogether,
    MaxPerPackage,
    RuleSetError,
    ShipAlone,
    TagSegregation,
    default_rule_set,
    load_rule_set,
    rule_set_to_dict,
)

GOOD = """
rules:
  - id: seg
    type: tag_segregation
    params: {groups: [[battery, liquid]]}
  - id: kit
    type: keep_together
    params: {skus: [A, B]}
  - id: alone
    type: ship_alone
    params: {per: line, tags: [hazmat]}
  - id: cap
    type: max_per_package
    priority: -1
    conditions: {country: [US], order_value_min: 100}
    params: {units: 3, category: toys}
  - id: fast
    type: channel_preference
    params: {objective: fastest, allowed: [express]}
"""


def test_yaml_rule_set_loads_in_priority_order():
    rs = load_rule_set(GOOD)
    assert [r.id for r in rs.rules] == ["cap", "seg", "kit", "alone", "fast"]
    cap = rs.rules[0]
    assert isinstance(cap, MaxPerPackage) and cap.units == 3 and cap.category == "toys"
    assert cap.conditions.countries == {"US"} and cap.conditions.order_value_min == 100
    assert isinstance(rs.rules[1], TagSegregation)
    assert isinstance(rs.rules[2], KeepTogether) and rs.rules[2].skus == {"A", "B"}
    alone = rs.rules[3]
    assert isinstance(alone, ShipAlone) and alone.per == "line"
    assert alone.conditions.tags == {"hazmat"}
    fast = rs.rules[4]
    assert isinstance(fast, ChannelPreference) and fast.objective == "fastest"
    assert rs.segregation() == (frozenset({"battery", "liquid"}),)


def test_json_rule_set_loads():
    doc = {"rules": [{"id": "h", "type": "handling_cost", "params": {"per_package": 30}}]}
    assert load_rule_set(json.dumps(doc), fmt="json").rules[0].id == "h"


def test_rule_set_round_trips_through_its_document():
    rs = load_rule_set(GOOD)
    assert load_rule_set(rule_set_to_dict(rs)) == rs
    assert load_rule_set(rule_set_to_dict(default_rule_set())) == default_rule_set()


def test_bad_rule_set_is_refused_whole_with_every_error_located():
    doc = {
        "rules": [
            {"id": "a", "type": "warehouse_allocation", "params": {"strategy": "random"}},
            {"id": "a", "type": "handling_cost", "params": {}},
            {"id": "b", "type": "teleport"},
            {"type": "ship_alone"},
            {"id": "c", "type": "max_per_package", "params": {"units": 0, "colour": "red"}},
            {"id": "d", "type": "ship_alone", "conditions": {"planet": ["mars"]}},
            {"id": "e", "type": "tag_segregation", "params": {"groups": [["battery"]]}},
            {
                "id": "f",
                "type": "availability",
                "conditions": {"order_value_min": 9, "order_value_max": 1},
            },
        ]
    }
    with pytest.raises(RuleSetError) as err:
        load_rule_set(doc)
    located = {(e.rule_id, e.field) for e in err.value.errors}
    assert ("a", "params.strategy") in located
    assert ("a", "id") in located  # duplicate
    assert ("a", "params.per_package") in located  # required
    assert ("b", "type") in located
    assert (None, "rules[3].id") in located
    assert ("c", "params.units") in located
    assert ("c", "params.colour") in located
    assert ("d", "conditions.planet") in located
    assert ("e", "params.groups") in located
    assert ("f", "conditions.order_value_max") in located
    assert all(e.message for e in err.value.errors)


def test_unparseable_document_is_one_located_error():
    with pytest.raises(RuleSetError) as err:
        load_rule_set("rules: [unclosed", fmt="yaml")
    assert err.value.errors[0].field == "document"


def test_default_rule_set_segregates_batteries_and_liquids():
    assert frozenset({"battery", "liquid"}) in default_rule_set().segregation()
