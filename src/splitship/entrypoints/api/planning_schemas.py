"""Bodies of the planner endpoints: rule sets, plans (preview and applied), the batch summary.

Money in integer minor units of ``currency``, weights in grams, dates YYYY-MM-DD. Every reason
carries its stable ``code``, its ``params``, and the sentence in English (``en``) and Simplified
Chinese (``zh``).
"""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from splitship.domain.order import Order
from splitship.entrypoints.api.schemas import AddressOut, In, OrderOut, ReasonOut, Version
from splitship.planning.planner import Plan, PlannedPackage
from splitship.planning.reasons import Reason
from splitship.services.planning import PlanAllSummary, plan_fingerprint


def reason_out(r: Reason) -> ReasonOut:
    return ReasonOut(**r.as_dict())


class RuleSetDocument(BaseModel):
    """A rule-set document as ``PUT /rules`` takes it back (see docs/planner.md)."""

    model_config = ConfigDict(extra="allow")

    version: int = 1
    rules: list[dict[str, Any]]


class PlannedItemOut(BaseModel):
    line_id: str
    sku: str
    name: str
    quantity: int


class PlannedPackageOut(BaseModel):
    number: int = Field(description="1, 2, ... in the order of the plan")
    items: list[PlannedItemOut]
    units: int
    warehouse_id: str
    box_id: str | None = Field(description="none: the unit ships in its own packaging")
    channel_id: str
    zone: str
    chargeable_weight_g: int
    price: int
    handling_cost: int
    cost: int = Field(description="price + handling_cost")
    eta_earliest: date | None
    eta_latest: date | None
    on_time: bool
    ship_on: date
    address: AddressOut
    reasons: list[ReasonOut]

    @classmethod
    def of(cls, order: Order, number: int, p: PlannedPackage) -> "PlannedPackageOut":
        return cls(
            number=number,
            items=[
                PlannedItemOut(
                    line_id=lid, sku=order.line(lid).sku, name=order.line(lid).name, quantity=q
                )
                for lid, q in p.items.items()
            ],
            units=sum(p.items.values()),
            warehouse_id=p.warehouse_id,
            box_id=p.box_id,
            channel_id=p.channel_id,
            zone=p.zone,
            chargeable_weight_g=p.chargeable_weight_g,
            price=p.price,
            handling_cost=p.handling_cost,
            cost=p.cost,
            eta_earliest=p.eta_earliest,
            eta_latest=p.eta_latest,
            on_time=p.on_time,
            ship_on=p.ship_on,
            address=AddressOut.of(p.address),
            reasons=[reason_out(r) for r in p.reasons],
        )


class UnshippableOut(BaseModel):
    line_id: str
    sku: str
    quantity: int
    reason: ReasonOut


class PlanOut(BaseModel):
    order_id: str
    external_id: str
    version: int = Field(
        description="the order's version: a preview's is the one apply takes to refuse a stale plan"
    )
    currency: str = Field(description="the shop's currency, which rate cards are in")
    packages: list[PlannedPackageOut]
    unshippable: list[UnshippableOut] = Field(description="units no package can take, and why")
    notes: list[ReasonOut] = Field(description="rules that could not be met, late delivery")
    total_cost: int
    single_parcel_cost: int | None = Field(
        description="shipping every planned unit as one parcel; null when that is not possible"
    )
    cost_saved: int | None
    on_time: bool
    proven_optimal: bool
    fingerprint: str = Field(
        description="digest of what applying this plan creates; send it to apply to refuse a "
        "plan that changed since (stock, rules, channels or boxes)"
    )

    @classmethod
    def of(cls, order: Order, plan: Plan, currency: str) -> "PlanOut":
        return cls(
            order_id=order.id,
            external_id=order.external_id,
            version=order.version,
            currency=currency,
            packages=[PlannedPackageOut.of(order, i, p) for i, p in enumerate(plan.packages, 1)],
            unshippable=[
                UnshippableOut(
                    line_id=u.line_id,
                    sku=order.line(u.line_id).sku,
                    quantity=u.quantity,
                    reason=reason_out(u.reason),
                )
                for u in plan.unshippable
            ],
            notes=[reason_out(r) for r in plan.notes],
            total_cost=plan.total_cost,
            single_parcel_cost=plan.single_parcel_cost,
            cost_saved=plan.cost_saved,
            on_time=plan.on_time,
            proven_optimal=plan.proven_optimal,
            fingerprint=plan_fingerprint(plan),
        )


class ApplyPlanIn(In):
    version: Version = None
    fingerprint: Annotated[
        str | None,
        Field(
            max_length=64,
            description="the previewed plan's fingerprint: apply only that plan (409 "
            "plan_changed with the new fingerprint otherwise)",
        ),
    ] = None
    confirm: Annotated[bool, Field(description="also confirm the packages (reserves stock)")] = (
        False
    )


class AppliedPlanOut(BaseModel):
    order: OrderOut
    plan: PlanOut


class PlanAllIn(In):
    dry_run: Annotated[bool, Field(description="plan and sum only; nothing is written")] = False
    confirm: Annotated[bool, Field(description="also confirm the packages created")] = False


class PlanFailureOut(BaseModel):
    order_id: str
    external_id: str | None
    code: str
    message: str


class UnshippableUnitsOut(BaseModel):
    order_id: str
    external_id: str
    line_id: str
    sku: str
    quantity: int
    reason: ReasonOut


class PlanAllOut(BaseModel):
    applied: bool
    currency: str
    orders_seen: int
    orders_planned: int
    orders_split: int
    orders_skipped: int = Field(description="nothing left to plan: every unit packed already")
    packages: int
    total_cost: int
    single_parcel_orders: int
    single_parcel_cost_total: int
    cost_saved: int = Field(description="against one parcel per order, where that was possible")
    baseline_orders: int
    baseline_cost: int
    baseline_saved: int = Field(description="against the naive baseline, where it had a price")
    unshippable_units: int
    unshippable: list[UnshippableUnitsOut]
    failures: list[PlanFailureOut]

    @classmethod
    def of(cls, s: PlanAllSummary) -> "PlanAllOut":
        return cls(
            applied=s.applied,
            currency=s.currency,
            orders_seen=s.orders_seen,
            orders_planned=s.orders_planned,
            orders_split=s.orders_split,
            orders_skipped=s.orders_skipped,
            packages=s.packages,
            total_cost=s.total_cost,
            single_parcel_orders=s.single_parcel_orders,
            single_parcel_cost_total=s.single_parcel_cost_total,
            cost_saved=s.cost_saved,
            baseline_orders=s.baseline_orders,
            baseline_cost=s.baseline_cost,
            baseline_saved=s.baseline_saved,
            unshippable_units=s.unshippable_units,
            unshippable=[
                UnshippableUnitsOut(
                    order_id=u.order_id,
                    external_id=u.external_id,
                    line_id=u.line_id,
                    sku=u.sku,
                    quantity=u.quantity,
                    reason=reason_out(u.reason),
                )
                for u in s.unshippable
            ],
            failures=[
                PlanFailureOut(
                    order_id=f.order_id,
                    external_id=f.external_id,
                    code=f.code,
                    message=f.message,
                )
                for f in s.failures
            ],
        )
