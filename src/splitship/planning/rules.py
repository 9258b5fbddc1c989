"""The shop's split rules: model, conditions, loading and validation.

A rule set is a priority-ordered list (document order, or an explicit ``priority``, lower first).
A document that has any error is refused whole, with every error located by rule id and field, so
the caller keeps the rule set it had.

    rules:
      - id: seg
        type: tag_segregation
        params: {groups: [[battery, liquid]]}
      - id: big-orders-express
        type: channel_preference
        conditions: {country: [US], order_value_min: 10000}
        params: {objective: fastest, allowed: [ups-ground]}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from splitship.domain.catalog import SkuAttributes

RULE_TYPES = (
    "warehouse_allocation",
    "ship_alone",
    "keep_together",
    "no_unit_split",
    "tag_segregation",
    "max_per_package",
    "availability",
    "channel_preference",
    "handling_cost",
)
ALLOCATION_STRATEGIES = ("priority_order", "fewest_packages", "highest_stock", "nearest")
OBJECTIVES = ("cheapest_on_time", "fastest", "cheapest")


@dataclass(frozen=True)
class RuleError:
    rule_id: str | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "field": self.field, "message": self.message}


class RuleSetError(ValueError):
    """The rule set was refused; ``errors`` lists every problem with its rule id and field."""

    code = "invalid_rule_set"

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        lines = [f"{e.rule_id or '-'} {e.field}: {e.message}" for e in errors]
        super().__init__(f"the rule set has {len(errors)} error(s): " + "; ".join(lines))


@dataclass(frozen=True)
class Conditions:
    """Empty means "any". Order-level: country, region, order value, source.

    Item-level (sku, tag, category) select the units a rule applies to.
    """

    countries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()  # "CA" or "US-CA"
    order_value_min: int | None = None
    order_value_max: int | None = None
    sources: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()

    def matches_order(
        self, country: str, region: str | None, order_value: int, source: str
    ) -> bool:
        if self.countries and country not in self.countries:
            return False
        if self.regions and not ({region, f"{country}-{region}"} & self.regions):
            return False
        if self.order_value_min is not None and order_value < self.order_value_min:
            return False
        if self.order_value_max is not None and order_value > self.order_value_max:
            return False
        return not self.sources or source in self.sources

    @property
    def selects_items(self) -> bool:
        return bool(self.skus or self.tags or self.categories)

    def matches_item(self, sku: str, attrs: SkuAttributes) -> bool:
        if self.skus and sku not in self.skus:
            return False
        if self.tags and not (self.tags & attrs.tags):
            return False
        return not self.categories or attrs.category in self.categories


@dataclass(frozen=True)
class Rule:
    id: str
    conditions: Conditions = field(default_factory=Conditions)

    type = "rule"


@dataclass(frozen=True)
class WarehouseAllocation(Rule):
    strategy: str = "fewest_packages"
    type = "warehouse_allocation"


@dataclass(frozen=True)
class ShipAlone(Rule):
    per: str = "unit"  # "unit" or "line"
    type = "ship_alone"


@dataclass(frozen=True)
class KeepTogether(Rule):
    skus: frozenset[str] = frozenset()
    type = "keep_together"


@dataclass(frozen=True)
class NoUnitSplit(Rule):
    type = "no_unit_split"


@dataclass(frozen=True)
class TagSegregation(Rule):
    groups: tuple[frozenset[str], ...] = ()
    type = "tag_segregation"


@dataclass(frozen=True)
class MaxPerPackage(Rule):
    units: int | None = None
    category: str | None = None  # with ``units``: units of this category
    weight_g: int | None = None  # contents of the selected units, box excluded
    declared_value: int | None = None
    type = "max_per_package"


@dataclass(frozen=True)
class Availability(Rule):
    wait_days: int = 0  # 0: ship available units now, pre-sale units when they arrive
    type = "availability"


@dataclass(frozen=True)
class ChannelPreference(Rule):
    objective: str = "cheapest_on_time"
    allowed: frozenset[str] = frozenset()  # channel ids or codes; empty: every channel
    type = "channel_preference"


@dataclass(frozen=True)
class HandlingCost(Rule):
    per_package: int = 0
    type = "handling_cost"


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = ()

    def of_type(self, rule_type: type[Rule]) -> list[Rule]:
        return [r for r in self.rules if isinstance(r, rule_type)]

    def segregation(self) -> tuple[frozenset[str], ...]:
        """Every tag group that must not share a package, whatever the conditions."""
        return tuple(g for r in self.rules if isinstance(r, TagSegregation) for g in r.groups)


# ---- loading -----------------------------------------------------------------------------

_COND_KEYS = {
    "country": "countries",
    "region": "regions",
    "order_value_min": "order_value_min",
    "order_value_max": "order_value_max",
    "source": "sources",
    "sku": "skus",
    "tag": "tags",
    "category": "categories",
}
_COND_ALIASES = {k + "s": k for k in ("country", "region", "source", "sku", "tag")} | {
    "categories": "category"
}

Checker = Callable[[Any], str | None]


def _choice(options: Sequence[str]) -> Checker:
    def check(v: Any) -> str | None:
        return None if v in options else f"must be one of {', '.join(options)}, got {v!r}"

    return check


def _int_min(low: int) -> Checker:
    def check(v: Any) -> str | None:
        ok = isinstance(v, int) and not isinstance(v, bool) and v >= low
        return None if ok else f"must be a whole number >= {low}, got {v!r}"

    return check


def _str_list(v: Any) -> str | None:
    if isinstance(v, str):
        return None
    if isinstance(v, list) and v and all(isinstance(x, str) and x for x in v):
        return None
    return f"must be a non-empty list of names, got {v!r}"


def _opt_str_list(v: Any) -> str | None:
    return None if v == [] else _str_list(v)


def _groups(v: Any) -> str | None:
    if not isinstance(v, list) or not v:
        return f"must be a non-empty list of tag groups, got {v!r}"
    for g in v:
        if not isinstance(g, list) or len(g) < 2 or not all(isinstance(t, str) for t in g):
            return f"each group needs at least two tags, got {g!r}"
    return None


def _name(v: Any) -> str | None:
    return None if isinstance(v, str) and v else f"must be a non-empty text, got {v!r}"


# type -> param -> (checker, required)
_PARAMS: dict[str, dict[str, tuple[Checker, bool]]] = {
    "warehouse_allocation": {"strategy": (_choice(ALLOCATION_STRATEGIES), True)},
    "ship_alone": {"per": (_choice(("unit", "line")), False)},
    "keep_together": {"skus": (_str_list, True)},
    "no_unit_split": {},
    "tag_segregation": {"groups": (_groups, True)},
    "max_per_package": {
        "units": (_int_min(1), False),
        "category": (_name, False),
        "weight_g": (_int_min(1), False),
        "declared_value": (_int_min(1), False),
    },
    "availability": {"wait_days": (_int_min(0), False)},
    "channel_preference": {
        "objective": (_choice(OBJECTIVES), False),
        "allowed": (_opt_str_list, False),
    },
    "handling_cost": {"per_package": (_int_min(0), True)},
}
# ship_alone's selectors may be given as params too (they read naturally there).
_SELECTOR_PARAMS = {"ship_alone": ("skus", "tags", "categories")}


def _as_set(v: Any) -> frozenset[str]:
    if v is None:
        return frozenset()
    return frozenset([v] if isinstance(v, str) else v)


def _parse_conditions(raw: Any, rid: str | None, errors: list[RuleError]) -> Conditions | None:
    if raw is None:
        return Conditions()
    if not isinstance(raw, Mapping):
        errors.append(RuleError(rid, "conditions", "must be a mapping of condition: values"))
        return None
    out: dict[str, Any] = {}
    ok = True
    for key, value in raw.items():
        name = _COND_ALIASES.get(key, key)
        where = f"conditions.{key}"
        if name not in _COND_KEYS:
            errors.append(
                RuleError(rid, where, f"unknown condition; use one of {', '.join(_COND_KEYS)}")
            )
            ok = False
        elif name.startswith("order_value"):
            problem = _int_min(0)(value)
            if problem:
                errors.append(RuleError(rid, where, problem))
                ok = False
            out[_COND_KEYS[name]] = value
        else:
            problem = _str_list(value)
            if problem:
                errors.append(RuleError(rid, where, problem))
                ok = False
            else:
                out[_COND_KEYS[name]] = _as_set(value)
    lo, hi = out.get("order_value_min"), out.get("order_value_max")
    if ok and lo is not None and hi is not None and lo > hi:
        errors.append(
            RuleError(rid, "conditions.order_value_max", f"is below order_value_min ({lo})")
        )
        ok = False
    return Conditions(**out) if ok else None


def _build(rtype: str, rid: str, cond: Conditions, params: Mapping[str, Any]) -> Rule:
    if rtype == "warehouse_allocation":
        return WarehouseAllocation(rid, cond, strategy=params["strategy"])
    if rtype == "ship_alone":
        return ShipAlone(rid, cond, per=params.get("per", "unit"))
    if rtype == "keep_together":
        return KeepTogether(rid, cond, skus=_as_set(params["skus"]))
    if rtype == "no_unit_split":
        return NoUnitSplit(rid, cond)
    if rtype == "tag_segregation":
        return TagSegregation(rid, cond, groups=tuple(frozenset(g) for g in params["groups"]))
    if rtype == "max_per_package":
        return MaxPerPackage(
            rid,
            cond,
            units=params.get("units"),
            category=params.get("category"),
            weight_g=params.get("weight_g"),
            declared_value=params.get("declared_value"),
        )
    if rtype == "availability":
        return Availability(rid, cond, wait_days=params.get("wait_days", 0))
    if rtype == "channel_preference":
        return ChannelPreference(
            rid,
            cond,
            objective=params.get("objective", "cheapest_on_time"),
            allowed=_as_set(params.get("allowed")),
        )
    return HandlingCost(rid, cond, per_package=params["per_package"])


def _parse_rule(
    index: int, raw: Any, seen: set[str], errors: list[RuleError]
) -> tuple[int, Rule] | None:
    if not isinstance(raw, Mapping):
        errors.append(RuleError(None, f"rules[{index}]", "must be a mapping with id and type"))
        return None
    rid_raw = raw.get("id")
    rid = rid_raw if isinstance(rid_raw, str) and rid_raw else None
    start = len(errors)
    if rid is None:
        errors.append(RuleError(None, f"rules[{index}].id", "every rule needs a non-empty id"))
    elif rid in seen:
        errors.append(RuleError(rid, "id", "this id is used by another rule; ids must be unique"))
    else:
        seen.add(rid)
    for key in raw:
        if key not in ("id", "type", "priority", "params", "conditions", "when", "description"):
            errors.append(RuleError(rid, str(key), "unknown field"))
    priority = raw.get("priority", 0)
    if _int_min(-(10**9))(priority):
        errors.append(RuleError(rid, "priority", f"must be a whole number, got {priority!r}"))
    rtype = raw.get("type")
    if rtype not in RULE_TYPES:
        errors.append(
            RuleError(
                rid, "type", f"unknown rule type {rtype!r}; use one of {', '.join(RULE_TYPES)}"
            )
        )
    cond = _parse_conditions(raw.get("conditions", raw.get("when")), rid, errors)
    params = raw.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        errors.append(RuleError(rid, "params", "must be a mapping"))
        return None
    if rtype in _PARAMS:
        spec = _PARAMS[rtype]
        selectors = _SELECTOR_PARAMS.get(rtype, ())
        for key, value in params.items():
            if key in selectors:
                problem = _str_list(value)
            elif key in spec:
                problem = spec[key][0](value)
            else:
                allowed = ", ".join([*spec, *selectors]) or "none"
                problem = f"unknown parameter for {rtype}; allowed: {allowed}"
            if problem:
                errors.append(RuleError(rid, f"params.{key}", problem))
        for key, (_, required) in spec.items():
            if required and key not in params:
                errors.append(RuleError(rid, f"params.{key}", "is required"))
        if rtype == "max_per_package" and not any(
            k in params for k in ("units", "weight_g", "declared_value")
        ):
            errors.append(
                RuleError(rid, "params", "give at least one of units, weight_g, declared_value")
            )
        if rtype == "max_per_package" and "category" in params and "units" not in params:
            errors.append(RuleError(rid, "params.units", "is required with category"))
    if len(errors) > start or rid is None or cond is None or not isinstance(rtype, str):
        return None
    if rtype in _SELECTOR_PARAMS:
        cond = Conditions(
            **{
                **cond.__dict__,
                "skus": cond.skus | _as_set(params.get("skus")),
                "tags": cond.tags | _as_set(params.get("tags")),
                "categories": cond.categories | _as_set(params.get("categories")),
            }
        )
    return priority, _build(rtype, rid, cond, params)


def load_rule_set(data: Mapping[str, Any] | str, fmt: str = "yaml") -> RuleSet:
    """Parse and validate a rule-set document (a mapping, or YAML/JSON text).

    Raises ``RuleSetError`` listing every problem; nothing is half-loaded.
    """
    errors: list[RuleError] = []
    doc: Any = data
    if isinstance(data, str):
        try:
            doc = json.loads(data) if fmt == "json" else yaml.safe_load(data)
        except (ValueError, yaml.YAMLError) as err:
            raise RuleSetError([RuleError(None, "document", f"not valid {fmt}: {err}")]) from err
    if isinstance(doc, list):
        doc = {"rules": doc}
    if not isinstance(doc, Mapping) or not isinstance(doc.get("rules", []), list):
        raise RuleSetError(
            [RuleError(None, "rules", "the document must be a mapping with a list under 'rules'")]
        )
    for key in doc:
        if key not in ("rules", "version"):
            errors.append(RuleError(None, str(key), "unknown top-level field"))
    seen: set[str] = set()
    parsed: list[tuple[int, int, Rule]] = []
    for i, raw in enumerate(doc.get("rules") or []):
        got = _parse_rule(i, raw, seen, errors)
        if got is not None:
            parsed.append((got[0], i, got[1]))
    if errors:
        raise RuleSetError(errors)
    parsed.sort(key=lambda t: (t[0], t[1]))
    return RuleSet(tuple(r for _, _, r in parsed))


def _conditions_to_dict(c: Conditions) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, attr in _COND_KEYS.items():
        value = getattr(c, attr)
        if isinstance(value, frozenset):
            if value:
                out[key] = sorted(value)
        elif value is not None:
            out[key] = value
    return out


def rule_set_to_dict(rs: RuleSet) -> dict[str, Any]:
    """A document that ``load_rule_set`` reads back into an equal rule set."""
    rules: list[dict[str, Any]] = []
    for r in rs.rules:
        params: dict[str, Any] = {}
        cond = r.conditions
        if isinstance(r, WarehouseAllocation):
            params = {"strategy": r.strategy}
        elif isinstance(r, ShipAlone):
            params = {"per": r.per}
        elif isinstance(r, KeepTogether):
            params = {"skus": sorted(r.skus)}
        elif isinstance(r, TagSegregation):
            params = {"groups": [sorted(g) for g in r.groups]}
        elif isinstance(r, MaxPerPackage):
            params = {
                k: v
                for k, v in (
                    ("units", r.units),
                    ("category", r.category),
                    ("weight_g", r.weight_g),
                    ("declared_value", r.declared_value),
                )
                if v is not None
            }
        elif isinstance(r, Availability):
            params = {"wait_days": r.wait_days}
        elif isinstance(r, ChannelPreference):
            params = {"objective": r.objective, "allowed": sorted(r.allowed)}
        elif isinstance(r, HandlingCost):
            params = {"per_package": r.per_package}
        entry: dict[str, Any] = {"id": r.id, "type": r.type, "params": params}
        conditions = _conditions_to_dict(cond)
        if conditions:
            entry["conditions"] = conditions
        rules.append(entry)
    return {"version": 1, "rules": rules}


def default_rule_set() -> RuleSet:
    """What a new shop starts with: keep batteries and liquids apart, charge a little per parcel."""
    return load_rule_set(
        {
            "rules": [
                {
                    "id": "segregate-dangerous",
                    "type": "tag_segregation",
                    "params": {"groups": [["battery", "liquid"], ["cold_chain", "ambient"]]},
                },
                {"id": "ship-hazmat-alone", "type": "ship_alone", "params": {"tags": ["hazmat"]}},
                {
                    "id": "warehouses",
                    "type": "warehouse_allocation",
                    "params": {"strategy": "fewest_packages"},
                },
                {"id": "availability", "type": "availability", "params": {"wait_days": 0}},
                {
                    "id": "channels",
                    "type": "channel_preference",
                    "params": {"objective": "cheapest_on_time"},
                },
                {"id": "handling", "type": "handling_cost", "params": {"per_package": 50}},
            ]
        }
    )


__all__ = [
    "RULE_TYPES",
    "Availability",
    "ChannelPreference",
    "Conditions",
    "HandlingCost",
    "KeepTogether",
    "MaxPerPackage",
    "NoUnitSplit",
    "Rule",
    "RuleError",
    "RuleSet",
    "RuleSetError",
    "ShipAlone",
    "TagSegregation",
    "WarehouseAllocation",
    "default_rule_set",
    "load_rule_set",
    "rule_set_to_dict",
]
