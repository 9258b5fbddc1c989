"""Use cases around the split planner: what it needs from the database, gathered in one place.

- the shop's rule set: read (the default until the shop saves its own), replaced whole after
  validation (``RuleSetInvalid`` lists every error with its rule id and field; the old set stays);
- one order: pre-check (can/must split), preview (dry run, nothing written) and apply (the planned
  packages created, optionally confirmed, in one transaction, refused on a stale version);
- every awaiting order at once (``plan_all``), one transaction per order, with a summary that
  compares the plans with one parcel per order and with a naive baseline;
- auto-apply after an import, when the shop's settings ask for it.

Packages keep their reasons as stable codes (``Package.reasons``: ``rule:<id>``,
``channel_limit:weight``, ...); the sentences in both languages and their parameters go into the
``plan.applied`` audit entry of the order, from which ``applied_reasons`` reads them back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from splitship.domain.catalog import Channel
from splitship.domain.errors import (
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    PlanChanged,
    SplitshipError,
)
from splitship.domain.eta import BusinessCalendar
from splitship.domain.order import Order, Package
from splitship.domain.shop import Shop
from splitship.domain.status import OrderStatus
from splitship.planning.context import PlanningContext
from splitship.planning.planner import Plan, PlannedPackage, SplitPrecheck, plan, precheck
from splitship.planning.reasons import Reason
from splitship.planning.rules import (
    ChannelPreference,
    RuleError,
    RuleSet,
    RuleSetError,
    TagSegregation,
    default_rule_set,
    load_rule_set,
    rule_set_to_dict,
)
from splitship.services.common import RULES_DOCUMENT, load_order, segregation
from splitship.services.plan_baseline import naive_baseline_cost
from splitship.services.unit_of_work import AuditEntry, UnitOfWork

__all__ = [
    "PLAN_APPLIED",
    "RULES_SAVED",
    "AutoApplyReport",
    "NothingToPlan",
    "PlanAllSummary",
    "PlanFailure",
    "RuleSetInvalid",
    "UnshippableUnits",
    "applied_reasons",
    "apply_plan",
    "auto_apply_after_import",
    "get_rules",
    "naive_baseline_cost",
    "plan_all",
    "plan_fingerprint",
    "planning_context",
    "preview_plan",
    "put_rules",
    "shop_rules",
    "split_precheck",
]

log = logging.getLogger("splitship.planning")

SHOP_SEGREGATION_RULE = "shop-settings-segregation"
RULES_SAVED = "rules.saved"
PLAN_APPLIED = "plan.applied"
PLAN_AUTO_APPLY_FAILED = "plan.auto_apply_failed"
RULE_FORMATS = ("yaml", "json")
PLANNABLE = (OrderStatus.AWAITING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED)


class RuleSetInvalid(InvalidInput):
    """The rule set was refused whole; ``details["errors"]`` holds every problem as
    ``{rule_id, field, message}`` and the shop keeps the rule set it had."""

    code = "invalid_rule_set"

    def __init__(self, errors: Sequence[RuleError]) -> None:
        shown = "; ".join(f"{e.rule_id or '-'} {e.field}: {e.message}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(
            f"the rule set has {len(errors)} error(s), nothing was changed: {shown}{more}",
            field=errors[0].field if errors else "rules",
            details={"errors": [e.as_dict() for e in errors]},
        )
        self.errors = list(errors)


class NothingToPlan(InvalidTransition):
    """The order has no unassigned units, or its status does not allow a split."""

    code = "nothing_to_plan"


# ---- context -----------------------------------------------------------------------------


def _stored_rules(uow: UnitOfWork, shop_id: str) -> RuleSet:
    body = uow.shops.get_document(shop_id, RULES_DOCUMENT)
    if not isinstance(body, Mapping):
        return default_rule_set()
    try:
        return load_rule_set(body)
    except RuleSetError as err:
        raise InvalidInput(f"the shop's rule set cannot be used: {err}", field="rules") from None


def shop_rules(uow: UnitOfWork, shop: Shop) -> RuleSet:
    """The shop's rule set (the default one until it saves its own), plus the tag groups its
    settings keep apart, so that the planner refuses what manual edits refuse."""
    rules = _stored_rules(uow, shop.id)
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


# ---- rules -------------------------------------------------------------------------------


def get_rules(uow: UnitOfWork, shop_id: str) -> RuleSet:
    """The rule set the shop edits: its own, or the default one until it saves one."""
    with uow:
        uow.shops.get(shop_id)
        return _stored_rules(uow, shop_id)


def put_rules(
    uow: UnitOfWork, shop_id: str, data: Mapping[str, Any] | str, fmt: str = "yaml"
) -> RuleSet:
    """Replace the shop's rule set with this document (a mapping, or YAML or JSON text).

    The document is checked whole: every error (with its rule id and field) is reported at once
    in ``RuleSetInvalid`` and nothing changes. Channels named in ``channel_preference.allowed``
    must be channels of the shop (id or code). The change is audited with both documents.
    """
    if fmt not in RULE_FORMATS:
        raise InvalidInput(f"format must be yaml or json, got {fmt!r}", field="format")
    with uow:
        uow.shops.get(shop_id)
        doc = _rules_document(data, fmt)
        errors: list[RuleError] = []
        rules: RuleSet | None = None
        try:
            rules = load_rule_set(doc)
        except RuleSetError as err:
            errors.extend(err.errors)
        errors.extend(_unknown_channels(doc, uow.catalog.channels(shop_id)))
        if errors or rules is None:
            raise RuleSetInvalid(errors)
        before = uow.shops.get_document(shop_id, RULES_DOCUMENT)
        after = rule_set_to_dict(rules)
        uow.shops.put_document(shop_id, RULES_DOCUMENT, after)
        uow.audit.record(
            shop_id,
            AuditEntry(
                uow.now(),
                uow.actor,
                None,
                RULES_SAVED,
                "rules",
                shop_id,
                dict(before) if isinstance(before, Mapping) else None,
                after,
            ),
        )
        uow.commit()
    return rules


def _rules_document(data: Mapping[str, Any] | str, fmt: str) -> Mapping[str, Any]:
    """The parsed document; text that is not YAML/JSON, or not a mapping, is refused here."""
    doc: Any = data
    if isinstance(data, str):
        try:
            doc = json.loads(data) if fmt == "json" else yaml.safe_load(data)
        except (ValueError, yaml.YAMLError) as err:
            raise RuleSetInvalid([RuleError(None, "document", f"not valid {fmt}: {err}")]) from None
    if isinstance(doc, list):
        doc = {"rules": doc}
    if not isinstance(doc, Mapping):
        raise RuleSetInvalid(
            [
                RuleError(
                    None,
                    "document",
                    f"the document must be a mapping with a list under 'rules', got "
                    f"{type(doc).__name__}",
                )
            ]
        )
    return doc


def _unknown_channels(doc: Mapping[str, Any], channels: Sequence[Channel]) -> list[RuleError]:
    known = {c.id for c in channels} | {c.code for c in channels}
    codes = ", ".join(sorted(c.code for c in channels)) or "none yet"
    out: list[RuleError] = []
    raw_rules = doc.get("rules")
    for raw in raw_rules if isinstance(raw_rules, list) else []:
        if not isinstance(raw, Mapping) or raw.get("type") != ChannelPreference.type:
            continue
        params = raw.get("params")
        allowed = params.get("allowed") if isinstance(params, Mapping) else None
        names = [allowed] if isinstance(allowed, str) else allowed
        rid = raw.get("id") if isinstance(raw.get("id"), str) else None
        for name in names if isinstance(names, list) else []:
            if isinstance(name, str) and name and name not in known:
                out.append(
                    RuleError(
                        rid,
                        "params.allowed",
                        f"no channel {name!r} in this shop; use a channel id or code ({codes})",
                    )
                )
    return out


# ---- one order ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    order: Order
    plan: Plan
    context: PlanningContext


def _require_plannable(order: Order) -> None:
    if order.status not in PLANNABLE and order.status is not OrderStatus.ON_HOLD:
        raise NothingToPlan(
            f"order {order.external_id} is {order.status.value}; only orders awaiting shipment "
            "or partially shipped are planned",
            field="order_id",
        )
    if not order.unassigned_items():
        raise NothingToPlan(
            f"order {order.external_id} has no unassigned units left to plan: every unit is in "
            "a package already (undo the split to plan it again)",
            field="order_id",
        )


def _preview(uow: UnitOfWork, shop_id: str, order_id: str) -> _Planned:
    with uow:
        shop = uow.shops.get(shop_id)
        order = uow.orders.get(shop_id, order_id)
        _require_plannable(order)
        context = planning_context(uow, shop)
    return _Planned(order, plan(order, context), context)


def preview_plan(uow: UnitOfWork, shop_id: str, order_id: str) -> tuple[Order, Plan]:
    """The plan for the order's unassigned units (a dry run: nothing is written), with the
    order it was made for, whose ``version`` ``apply_plan`` takes to refuse a stale preview."""
    planned = _preview(uow, shop_id, order_id)
    return planned.order, planned.plan


def plan_fingerprint(proposal: Plan) -> str:
    """A short digest of what a plan would create: each package's units, warehouse, box,
    channel, price and delivery estimate, and the units left behind. Stock, rules and the
    catalogue can change between a preview and its apply, so the order's version alone does not
    pin the plan; ``apply_plan`` compares this digest to refuse applying a different one."""
    doc = {
        "packages": [
            [
                sorted(p.items.items()),
                p.warehouse_id,
                p.box_id,
                p.channel_id,
                p.price,
                p.handling_cost,
                _iso(p.eta_earliest),
                _iso(p.eta_latest),
            ]
            for p in proposal.packages
        ],
        "unshippable": sorted([u.line_id, u.quantity] for u in proposal.unshippable),
    }
    raw = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def apply_plan(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    expected_version: int | None = None,
    *,
    confirm: bool = False,
    expected_plan: str | None = None,
) -> tuple[Order, Plan]:
    """Plan the order now and create the planned packages (warehouse, channel, box and reason
    codes set), all in one transaction; with ``confirm`` they are also confirmed (limits checked,
    stock reserved). Units that cannot ship stay unassigned and are reported in the plan.

    ``expected_version``: the version the preview was made on; if the order changed since,
    nothing happens (VersionConflict). ``expected_plan``: the previewed plan's
    ``plan_fingerprint``; if planning now gives another plan, nothing happens (PlanChanged).
    """
    applied = _apply(uow, shop_id, order_id, expected_version, confirm, expected_plan=expected_plan)
    return applied.order, applied.plan


def _apply(
    uow: UnitOfWork,
    shop_id: str,
    order_id: str,
    expected_version: int | None,
    confirm: bool,
    *,
    allow_empty: bool = False,
    expected_plan: str | None = None,
) -> _Planned:
    """``allow_empty``: a plan without any package is returned (nothing written) instead of
    refused, for the batch, which reports its unshippable units."""
    with uow:
        shop = uow.shops.get(shop_id)
        order = load_order(uow, shop_id, order_id, expected_version)
        _require_plannable(order)
        context = planning_context(uow, shop)
        proposal = plan(order, context)
        if expected_plan is not None:
            now_planned = plan_fingerprint(proposal)
            if now_planned != expected_plan:
                raise PlanChanged(
                    f"order {order.external_id}: the plan is no longer the one previewed "
                    "(stock, rules, channels or boxes changed since): look at the new plan and "
                    "apply it",
                    field="fingerprint",
                    details={"fingerprint": now_planned},
                )
        if not proposal.packages and allow_empty:
            return _Planned(order, proposal, context)
        if not proposal.packages:
            why = "; ".join(sorted({u.reason.en for u in proposal.unshippable}))
            raise InvalidInput(
                f"order {order.external_id}: no unit can ship, so no package was created"
                + (f" ({why})" if why else ""),
                field="order_id",
                details={"unshippable": _unshippable_dict(order, proposal)},
            )
        groups = segregation(uow, shop)
        now = uow.now()
        created: list[tuple[Package, PlannedPackage]] = []
        for planned in proposal.packages:
            pkg = order.create_package(
                uow.new_id(),
                planned.items,
                now,
                allow_unit_split=shop.settings.allow_unit_split,
                warehouse_id=planned.warehouse_id,
                channel_id=planned.channel_id,
                box_id=planned.box_id,
                reasons=[r.code for r in planned.reasons],
                segregation=groups,
            )
            created.append((pkg, planned))
        if confirm:
            channels = {c.id: c for c in context.channels}
            boxes = {b.id: b for b in context.boxes}
            for pkg, planned in created:
                order.confirm_package(
                    pkg.id,
                    channels[planned.channel_id],
                    boxes[planned.box_id] if planned.box_id else None,
                    segregation=groups,
                )
                _reserve_stock(uow, shop, order, pkg)
        uow.audit.record(
            shop_id,
            AuditEntry(
                now,
                uow.actor,
                order.id,
                PLAN_APPLIED,
                "order",
                order.id,
                None,
                _applied_record(order, proposal, created, confirm),
            ),
        )
        uow.commit()
    return _Planned(order, proposal, context)


def _reserve_stock(uow: UnitOfWork, shop: Shop, order: Order, pkg: Package) -> None:
    # The same reservation as shipping.confirm_package, inside this transaction.
    if not shop.settings.track_stock or pkg.warehouse_id is None:
        return
    for line_id, qty in pkg.items.items():
        sku = order.line(line_id).sku
        if not uow.stock.reserve(shop.id, pkg.warehouse_id, sku, qty):
            raise InsufficientStock(
                f"the warehouse of package {pkg.number} no longer has {qty} unit(s) of {sku} "
                "available: apply the plan again (it re-reads stock) or apply without confirming",
                field="warehouse_id",
                details={"sku": sku, "needed": qty, "warehouse_id": pkg.warehouse_id},
            )


def _unshippable_dict(order: Order, proposal: Plan) -> list[dict[str, Any]]:
    return [
        {
            "line_id": u.line_id,
            "sku": order.line(u.line_id).sku,
            "quantity": u.quantity,
            "reason": u.reason.as_dict(),
        }
        for u in proposal.unshippable
    ]


def _applied_record(
    order: Order,
    proposal: Plan,
    created: Sequence[tuple[Package, PlannedPackage]],
    confirmed: bool,
) -> dict[str, Any]:
    """What the audit keeps of an applied plan: enough to explain every package later."""
    return {
        "confirmed": confirmed,
        "total_cost": proposal.total_cost,
        "single_parcel_cost": proposal.single_parcel_cost,
        "packages": [
            {
                "package_id": pkg.id,
                "number": pkg.number,
                "items": dict(planned.items),
                "warehouse_id": planned.warehouse_id,
                "channel_id": planned.channel_id,
                "box_id": planned.box_id,
                "price": planned.price,
                "handling_cost": planned.handling_cost,
                "eta_earliest": _iso(planned.eta_earliest),
                "eta_latest": _iso(planned.eta_latest),
                "on_time": planned.on_time,
                "reasons": [r.as_dict() for r in planned.reasons],
            }
            for pkg, planned in created
        ],
        "unshippable": _unshippable_dict(order, proposal),
        "notes": [r.as_dict() for r in proposal.notes],
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def applied_reasons(uow: UnitOfWork, shop_id: str, order_id: str) -> dict[str, list[Reason]]:
    """Package id -> the reasons (code, parameters, English and Chinese) the planner gave when
    the package was created by ``apply_plan``; packages made by hand are absent."""
    with uow:
        uow.orders.get(shop_id, order_id)
        entries = uow.audit.for_order(shop_id, order_id)
    out: dict[str, list[Reason]] = {}
    for entry in entries:
        if entry.action != PLAN_APPLIED or not isinstance(entry.after, Mapping):
            continue
        for pkg in entry.after.get("packages", []):
            out[str(pkg["package_id"])] = [
                Reason(r["code"], dict(r.get("params") or {}), r.get("en", ""), r.get("zh", ""))
                for r in pkg.get("reasons", [])
            ]
    return out


# ---- every awaiting order ----------------------------------------------------------------


@dataclass(frozen=True)
class PlanFailure:
    order_id: str
    external_id: str | None
    code: str
    message: str


@dataclass(frozen=True)
class UnshippableUnits:
    """Units of one line that no package could take, and why."""

    order_id: str
    external_id: str
    line_id: str
    sku: str
    quantity: int
    reason: Reason


@dataclass
class PlanAllSummary:
    """What ``plan_all`` did (or, as a dry run, would do). Money in minor units of ``currency``.

    ``cost_saved`` compares with one parcel per order, over the orders where one parcel was
    possible at all (``single_parcel_orders``; their plans cost ``single_parcel_cost_total -
    cost_saved``). ``baseline_saved`` compares with the naive baseline over the orders where the
    baseline finds a price (``baseline_orders``).
    """

    applied: bool
    currency: str
    orders_seen: int = 0  # awaiting orders looked at
    orders_planned: int = 0  # orders a plan with at least one package was made for
    orders_split: int = 0  # of these, the ones planned as two or more packages
    orders_skipped: int = 0  # nothing left to plan (every unit packed already)
    packages: int = 0
    total_cost: int = 0
    single_parcel_orders: int = 0
    single_parcel_cost_total: int = 0
    cost_saved: int = 0
    baseline_orders: int = 0
    baseline_cost: int = 0
    baseline_saved: int = 0
    unshippable_units: int = 0
    unshippable: list[UnshippableUnits] = field(default_factory=list)
    failures: list[PlanFailure] = field(default_factory=list)

    def add(self, planned: _Planned) -> None:
        proposal, order = planned.plan, planned.order
        for u in proposal.unshippable:
            self.unshippable_units += u.quantity
            self.unshippable.append(
                UnshippableUnits(
                    order.id,
                    order.external_id,
                    u.line_id,
                    order.line(u.line_id).sku,
                    u.quantity,
                    u.reason,
                )
            )
        if not proposal.packages:
            return
        self.orders_planned += 1
        self.orders_split += int(len(proposal.packages) > 1)
        self.packages += len(proposal.packages)
        self.total_cost += proposal.total_cost
        if proposal.single_parcel_cost is not None:
            self.single_parcel_orders += 1
            self.single_parcel_cost_total += proposal.single_parcel_cost
            self.cost_saved += proposal.single_parcel_cost - proposal.total_cost
        baseline = naive_baseline_cost(planned.order, planned.context, proposal)
        if baseline is not None:
            self.baseline_orders += 1
            self.baseline_cost += baseline
            self.baseline_saved += baseline - proposal.total_cost


Progress = Callable[[int, int], None]  # (orders done, orders in all)


def plan_all(
    uow_factory: Callable[[], UnitOfWork],
    shop_id: str,
    *,
    apply: bool = True,
    confirm: bool = False,
    progress: Progress | None = None,
) -> PlanAllSummary:
    """Plan every order awaiting shipment (or partially shipped) with units left to pack, one
    transaction per order, so that one order's failure (recorded in ``failures``) stops nothing.

    ``apply=False`` is a dry run: the plans are made and summed, nothing is written.
    """
    with uow_factory() as uow:
        currency = uow.shops.get(shop_id).settings.currency
        order_ids = uow.orders.ids_awaiting(shop_id)
    summary = PlanAllSummary(applied=apply, currency=currency)
    if progress is not None:
        progress(0, len(order_ids))
    for done, order_id in enumerate(order_ids, start=1):
        summary.orders_seen += 1
        try:
            if apply:
                planned = _apply(uow_factory(), shop_id, order_id, None, confirm, allow_empty=True)
            else:
                planned = _preview(uow_factory(), shop_id, order_id)
            summary.add(planned)
        except NothingToPlan:
            summary.orders_skipped += 1
        except SplitshipError as exc:
            summary.failures.append(_failure(uow_factory, shop_id, order_id, exc.code, exc.message))
        except Exception as exc:  # a bug on one order must not stop the batch
            log.exception("planning order %s of shop %s failed", order_id, shop_id)
            summary.failures.append(
                _failure(uow_factory, shop_id, order_id, "internal_error", str(exc) or repr(exc))
            )
        if progress is not None:
            progress(done, len(order_ids))
    return summary


def _failure(
    uow_factory: Callable[[], UnitOfWork], shop_id: str, order_id: str, code: str, message: str
) -> PlanFailure:
    external: str | None = None
    try:
        with uow_factory() as uow:
            external = uow.orders.get(shop_id, order_id).external_id
    except SplitshipError:
        pass
    return PlanFailure(order_id, external, code, message)


# ---- auto-apply on import ----------------------------------------------------------------


@dataclass
class AutoApplyReport:
    enabled: bool
    applied: list[str] = field(default_factory=list)  # order ids
    failures: list[PlanFailure] = field(default_factory=list)


def auto_apply_after_import(
    uow_factory: Callable[[], UnitOfWork], shop_id: str, order_ids: Sequence[str]
) -> AutoApplyReport:
    """When the shop's ``auto_apply_plan_on_import`` is on, apply the plan to each newly
    imported order, each in its own transaction after the import committed: a planning failure
    never loses an imported order. Packages are created open (not confirmed), for the seller to
    check; a failure is recorded in the order's audit trail (``plan.auto_apply_failed``)."""
    if not order_ids:
        return AutoApplyReport(enabled=False)
    with uow_factory() as uow:
        enabled = uow.shops.get(shop_id).settings.auto_apply_plan_on_import
    report = AutoApplyReport(enabled=enabled)
    if not enabled:
        return report
    for order_id in order_ids:
        try:
            _apply(uow_factory(), shop_id, order_id, None, False)
            report.applied.append(order_id)
        except SplitshipError as exc:
            report.failures.append(_failure(uow_factory, shop_id, order_id, exc.code, exc.message))
            _record_auto_apply_failure(uow_factory, shop_id, order_id, exc.code, exc.message)
        except Exception as exc:  # the import has committed; report, never undo it
            log.exception("auto-apply of order %s of shop %s failed", order_id, shop_id)
            message = str(exc) or repr(exc)
            report.failures.append(
                _failure(uow_factory, shop_id, order_id, "internal_error", message)
            )
    return report


def _record_auto_apply_failure(
    uow_factory: Callable[[], UnitOfWork], shop_id: str, order_id: str, code: str, message: str
) -> None:
    try:
        with uow_factory() as uow:
            uow.audit.record(
                shop_id,
                AuditEntry(
                    uow.now(),
                    uow.actor,
                    order_id,
                    PLAN_AUTO_APPLY_FAILED,
                    "order",
                    order_id,
                    None,
                    {"code": code, "message": message},
                ),
            )
            uow.commit()
    except Exception:  # the audit note is a courtesy; the failure is in the report already
        log.exception("could not record the auto-apply failure of order %s", order_id)
