"""Why a package exists, why an order must (or cannot) split, why a unit cannot ship.

Every reason carries a stable ``code`` that clients can branch on, its parameters, and the same
sentence in English and in Simplified Chinese for the seller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Stable codes. ``rule:<id>`` is built with ``rule_code``.
CHANNEL_LIMIT_WEIGHT = "channel_limit:weight"
CHANNEL_LIMIT_SIZE = "channel_limit:size"
CHANNEL_LIMIT_ITEMS = "channel_limit:items"
TAG_CONFLICT = "tag_conflict"
STOCK_LOCATION = "stock_location"
CATEGORY_LIMIT = "category_limit"
AVAILABILITY = "availability"
DESTINATION = "destination"
VALUE_LIMIT = "value_limit"
CHEAPER_SPLIT = "cheaper_split"
NO_CHANNEL = "no_channel"
NO_STOCK = "no_stock"
LATE = "late"
RULE_UNMET = "rule_unmet"
UNIT_SPLIT_NOT_ALLOWED = "unit_split_not_allowed"
# can_split answers
TOO_FEW_UNITS = "too_few_units"
ORDER_STATUS = "order_status"
ON_HOLD = "on_hold"
CANCELLATION_REQUESTED = "cancellation_requested"


def rule_code(rule_id: str) -> str:
    return f"rule:{rule_id}"


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    en: str = ""
    zh: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "en": self.en, "zh": self.zh}

    def __hash__(self) -> int:
        return hash((self.code, self.en))


def _r(code: str, en: str, zh: str, **params: Any) -> Reason:
    return Reason(code, params, en, zh)


def channel_limit(limit: str, **params: Any) -> Reason:
    """``limit`` is one of weight, size, items (the LimitViolation names map onto these)."""
    if limit == "weight":
        return _r(
            CHANNEL_LIMIT_WEIGHT,
            "too heavy for one parcel on any allowed channel",
            "重量超过所有可用物流渠道的单包上限",
            **params,
        )
    if limit == "size":
        return _r(
            CHANNEL_LIMIT_SIZE,
            "too large for one parcel (no box and channel take it all)",
            "体积过大，没有可装下全部商品的箱子和渠道",
            **params,
        )
    return _r(
        CHANNEL_LIMIT_ITEMS,
        "more items than one parcel may hold on any allowed channel",
        "件数超过渠道的单包件数上限",
        **params,
    )


def tag_conflict(tags: list[str], rule_id: str | None) -> Reason:
    joined = ", ".join(tags)
    return _r(
        TAG_CONFLICT,
        f"items tagged {joined} must not share a parcel",
        f"带有 {joined} 标签的商品不能同箱",
        tags=tags,
        rule_id=rule_id,
    )


def stock_location(warehouses: list[str]) -> Reason:
    joined = ", ".join(warehouses)
    return _r(
        STOCK_LOCATION,
        f"no single warehouse has every item; ships from {joined}",
        f"没有一个仓库备齐所有商品，分别从 {joined} 发货",
        warehouses=warehouses,
    )


def category_limit(category: str, limit: int, rule_id: str) -> Reason:
    return _r(
        CATEGORY_LIMIT,
        f"at most {limit} unit(s) of category {category} per parcel (rule {rule_id})",
        f"每个包裹最多 {limit} 件 {category} 类商品（规则 {rule_id}）",
        category=category,
        limit=limit,
        rule_id=rule_id,
    )


def value_limit(limit: int, source: str) -> Reason:
    return _r(
        VALUE_LIMIT,
        f"declared value per parcel is capped at {limit} ({source})",
        f"每个包裹的申报价值上限为 {limit}（{source}）",
        limit=limit,
        source=source,
    )


def availability(ship_on: str) -> Reason:
    return _r(
        AVAILABILITY,
        f"pre-sale items become available later; this parcel ships on {ship_on}",
        f"预售商品到货较晚，此包裹于 {ship_on} 发出",
        ship_on=ship_on,
    )


def destination(country: str, city: str) -> Reason:
    return _r(
        DESTINATION,
        f"these items go to a different address ({city}, {country})",
        f"这些商品寄往不同的地址（{country} {city}）",
        country=country,
        city=city,
    )


def cheaper_split(saved: int) -> Reason:
    return _r(
        CHEAPER_SPLIT,
        f"splitting costs {saved} less than one parcel",
        f"拆分比合并为一个包裹节省 {saved}",
        saved=saved,
    )


def no_channel(detail: str) -> Reason:
    return _r(
        NO_CHANNEL,
        f"no allowed channel and box can carry this item ({detail})",
        f"没有可用的物流渠道和箱子能运送此商品（{detail}）",
        detail=detail,
    )


def no_stock(sku: str) -> Reason:
    return _r(
        NO_STOCK,
        f"no warehouse has enough stock of {sku}",
        f"没有仓库有足够的 {sku} 库存",
        sku=sku,
    )


def late(deliver_by: str) -> Reason:
    return _r(
        LATE,
        f"no channel delivers by {deliver_by}; the fastest one was chosen",
        f"没有渠道能在 {deliver_by} 前送达，已选择最快的渠道",
        deliver_by=deliver_by,
    )


def unit_split_not_allowed(line_id: str) -> Reason:
    return _r(
        UNIT_SPLIT_NOT_ALLOWED,
        f"the shop ships whole lines only and line {line_id} does not fit one parcel",
        f"店铺只允许整行拆分，订单行 {line_id} 无法装入一个包裹",
        line_id=line_id,
    )


# ---- rules -------------------------------------------------------------------------------

_RULE_TEXT: dict[str, tuple[str, str]] = {
    "ship_alone": ("these items always ship on their own", "这些商品必须单独发货"),
    "keep_together": ("items of a kit ship together", "套装商品一起发货"),
    "no_unit_split": ("units of one item stay together", "同一商品的多件不拆开"),
    "tag_segregation": ("some tags must not share a parcel", "某些标签的商品不能同箱"),
    "max_per_package": ("a per-parcel cap applies", "适用单包上限"),
    "availability": ("pre-sale items ship separately", "预售商品分开发货"),
    "channel_preference": ("only some channels may carry these items", "这些商品只能走指定渠道"),
    "warehouse_allocation": ("warehouse allocation strategy", "仓库分配策略"),
    "handling_cost": ("handling cost per parcel", "每个包裹的处理费"),
}


def rule(rule_id: str, rule_type: str, detail: str = "", detail_zh: str = "") -> Reason:
    en, zh = _RULE_TEXT.get(rule_type, ("rule applies", "规则生效"))
    return Reason(
        rule_code(rule_id),
        {"rule_id": rule_id, "type": rule_type},
        f"rule {rule_id}: {en}{' (' + detail + ')' if detail else ''}",
        f"规则 {rule_id}：{zh}{'（' + (detail_zh or detail) + '）' if detail else ''}",
    )


def rule_unmet(rule_id: str, rule_type: str, because: str, because_zh: str) -> Reason:
    return _r(
        RULE_UNMET,
        f"rule {rule_id} ({rule_type}) could not be met: {because}",
        f"规则 {rule_id}（{rule_type}）无法满足：{because_zh}",
        rule_id=rule_id,
        type=rule_type,
        because=because,
    )


# ---- can_split ---------------------------------------------------------------------------


def too_few_units(units: int) -> Reason:
    return _r(
        TOO_FEW_UNITS,
        f"the order has {units} unit(s) left to ship; a split needs at least 2",
        f"订单待发货商品只有 {units} 件，至少 2 件才能拆分",
        units=units,
    )


def order_status(status: str) -> Reason:
    return _r(
        ORDER_STATUS,
        f"the order is {status}; only orders awaiting shipment or partially shipped can split",
        f"订单状态为 {status}，只有待发货或部分发货的订单可以拆分",
        status=status,
    )


def on_hold(holds: list[str]) -> Reason:
    joined = ", ".join(holds)
    return _r(
        ON_HOLD,
        f"the order is on hold ({joined}): release the hold first",
        f"订单被暂停（{joined}），请先解除暂停",
        holds=holds,
    )


def cancellation_requested() -> Reason:
    return _r(
        CANCELLATION_REQUESTED,
        "the buyer asked to cancel: answer the request first",
        "买家已申请取消订单，请先处理取消申请",
    )
