"""Use cases around the split planner: what it needs from the database, gathered in one place."""

from __future__ import annotations

from collections.abc import Mapping

from splitship.domain.errors import InvalidInput
from splitship.domain.eta import BusinessCalendar
from splitship.domain.order import Order
from splitship.domain.shop import Shop
from splitship.planning.context import PlanningContext
from splitship.planning.planner import SplitPrecheck, precheck
from splitship.planning.rules import (
    RuleSet,
    RuleSetError,
    TagSegregation,
    default_rule_set,
    load_rule_set,
)
from splitship.services.common import RULES_DOCUMENT
from splitship.services.unit_of_work import UnitOfWork

SHOP_SEGREGATION_RULE = "shop-settings-segregation"


def shop_rules(uow: UnitOfWork, shop: Shop) -> RuleSet:
    """The shop's rule set (the default one until it saves its own), plus the tag groups its
    settings keep apart, so that the planner refuses what manual edits refuse."""
    body = uow.shops.get_document(shop.id, RULES_DOCUMENT)
    try:
        rules = load_rule_set(body) if isinstance(body, Mapping) else default_rule_set()
    except RuleSetError as err:
        raise InvalidInput(f"the shop's rule set cannot be used: {err}", field="rules") from None
    groups = tuple(g for g in shop.settings.tag_segregation if g not in rules.segregation())
    if groups:
        rules = RuleSet((*rules.rules, TagSegregation(SHOP_SEGREGATION_RULE, groups=groups)))
    return rules


def planning_context(uow: UnitOfWork, shop: Shop) -> PlanningContext:
    """Warehouses with stock, active channels, boxes, rules and the shop's calendar, now."""
    return PlanningContext(
        warehouses=uow.catalog.warehouses(shop.id),
        channels=[c for c in uow.catalog.channels(shop.id) if c.active],
        boxes=uow.catalog.boxes(shop.id),
        rules=shop_rules(uow, shop),
        allow_unit_split=shop.settings.allow_unit_split,
        now=uow.now(),
        shop_tz=shop.settings.timezone,
        calendar=BusinessCalendar(holidays=frozenset(shop.settings.holidays)),
        stock_check=shop.settings.track_stock,
    )


def split_precheck(uow: UnitOfWork, shop_id: str, order_id: str) -> tuple[Order, SplitPrecheck]:
    """May the seller split this order now (can_split), and can it ship as one (must_split)?"""
    with uow:
        shop = uow.shops.get(shop_id)
        order = uow.orders.get(shop_id, order_id)
        context = planning_context(uow, shop)
    return order, precheck(order, context)
