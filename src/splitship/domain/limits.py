"""Does a package fit its box and its channel? One check shared by manual edits and the planner."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from splitship.domain.catalog import Box, Channel, Dimensions, SkuAttributes


@dataclass(frozen=True)
class LimitViolation:
    limit: str
    message: str
    actual: int | str | None = None
    allowed: int | str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "limit": self.limit,
            "message": self.message,
            "actual": self.actual,
            "allowed": self.allowed,
        }


@dataclass(frozen=True)
class PackageMeasure:
    units: int
    content_weight_g: int
    weight_g: int  # contents + box tare
    declared_value: int
    tags: frozenset[str]
    content_volume_mm3: int
    outer: Dimensions | None


def measure_package(items: Iterable[tuple[SkuAttributes, int]], box: Box | None) -> PackageMeasure:
    units = weight = value = volume = 0
    tags: set[str] = set()
    single: Dimensions | None = None
    for attrs, qty in items:
        if qty <= 0:
            continue
        units += qty
        weight += attrs.weight_g * qty
        value += attrs.declared_value * qty
        tags |= attrs.tags
        if attrs.dimensions is not None:
            volume += attrs.dimensions.volume_mm3 * qty
            single = attrs.dimensions
    # Without a box, only a single unit has known outer dimensions (it ships in its own packaging).
    outer = box.outer if box is not None else (single if units == 1 else None)
    tare = box.tare_g if box is not None else 0
    return PackageMeasure(units, weight, weight + tare, value, frozenset(tags), volume, outer)


def tag_conflicts(
    tags: frozenset[str], segregation: Sequence[frozenset[str]]
) -> list[frozenset[str]]:
    """The groups of tags that must not share a package and do here."""
    return [group for group in segregation if len(group & tags) >= 2]


def check_box(
    items: Sequence[tuple[SkuAttributes, int]], box: Box, measure: PackageMeasure
) -> list[LimitViolation]:
    out: list[LimitViolation] = []
    if measure.content_weight_g > box.max_load_g:
        out.append(
            LimitViolation(
                "box_load",
                f"contents weigh {measure.content_weight_g} g but box {box.name} "
                f"carries at most {box.max_load_g} g: choose a stronger box or split",
                measure.content_weight_g,
                box.max_load_g,
            )
        )
    for attrs, qty in items:
        if qty > 0 and attrs.dimensions is not None and not attrs.dimensions.fits_inside(box.inner):
            out.append(
                LimitViolation(
                    "box_size",
                    f"an item of {_dims(attrs.dimensions)} does not fit in box {box.name} "
                    f"({_dims(box.inner)} inside): choose a larger box",
                    _dims(attrs.dimensions),
                    _dims(box.inner),
                )
            )
            break
    if measure.content_volume_mm3 > box.inner.volume_mm3:
        out.append(
            LimitViolation(
                "box_volume",
                f"contents take {measure.content_volume_mm3 // 1000} cm³ but box {box.name} "
                f"holds {box.inner.volume_mm3 // 1000} cm³: choose a larger box or split",
                measure.content_volume_mm3,
                box.inner.volume_mm3,
            )
        )
    return out


def check_channel(measure: PackageMeasure, channel: Channel, country: str) -> list[LimitViolation]:
    lim = channel.limits
    out: list[LimitViolation] = []
    if not channel.delivers_to(country):
        out.append(
            LimitViolation(
                "destination",
                f"channel {channel.name} does not deliver to {country}: choose another channel",
                country,
                ",".join(sorted(lim.destinations)),
            )
        )
    if lim.max_weight_g is not None and measure.weight_g > lim.max_weight_g:
        out.append(
            LimitViolation(
                "weight",
                f"package weighs {measure.weight_g} g but {channel.name} takes at most "
                f"{lim.max_weight_g} g: split the package or choose another channel",
                measure.weight_g,
                lim.max_weight_g,
            )
        )
    if lim.max_items is not None and measure.units > lim.max_items:
        out.append(
            LimitViolation(
                "items",
                f"package holds {measure.units} units but {channel.name} takes at most "
                f"{lim.max_items}: split the package",
                measure.units,
                lim.max_items,
            )
        )
    if lim.max_declared_value is not None and measure.declared_value > lim.max_declared_value:
        out.append(
            LimitViolation(
                "declared_value",
                f"declared value {measure.declared_value} exceeds {channel.name}'s limit of "
                f"{lim.max_declared_value}: split the package or choose another channel",
                measure.declared_value,
                lim.max_declared_value,
            )
        )
    forbidden = sorted(measure.tags & lim.forbidden_tags)
    if forbidden:
        out.append(
            LimitViolation(
                "forbidden_tag",
                f"{channel.name} does not carry items tagged {', '.join(forbidden)}: "
                "move them to another package or choose another channel",
                ",".join(forbidden),
                None,
            )
        )
    if measure.outer is not None:
        sides = measure.outer.sorted_sides()
        longest = sides[0]
        if lim.max_longest_side_mm is not None and longest > lim.max_longest_side_mm:
            out.append(
                LimitViolation(
                    "longest_side",
                    f"longest side is {longest} mm but {channel.name} takes at most "
                    f"{lim.max_longest_side_mm} mm: choose a smaller box or another channel",
                    longest,
                    lim.max_longest_side_mm,
                )
            )
        total = sum(sides)
        if lim.max_sum_of_sides_mm is not None and total > lim.max_sum_of_sides_mm:
            out.append(
                LimitViolation(
                    "sum_of_sides",
                    f"length + width + height is {total} mm but {channel.name} takes at most "
                    f"{lim.max_sum_of_sides_mm} mm: choose a smaller box or another channel",
                    total,
                    lim.max_sum_of_sides_mm,
                )
            )
    return out


def check_package(
    items: Sequence[tuple[SkuAttributes, int]],
    box: Box | None,
    channel: Channel | None,
    country: str,
    segregation: Sequence[frozenset[str]] = (),
    *,
    measure: PackageMeasure | None = None,
) -> list[LimitViolation]:
    """Every limit and tag rule the package breaks, in words a seller can act on.

    ``measure``: ``measure_package(items, box)`` when the caller has it already (it prices the
    package from the same measure)."""
    if measure is None:
        measure = measure_package(items, box)
    out: list[LimitViolation] = []
    for group in tag_conflicts(measure.tags, segregation):
        mixed = ", ".join(sorted(group & measure.tags))
        out.append(
            LimitViolation(
                "tag_conflict",
                f"items tagged {mixed} must not share a package: move one of them out",
                mixed,
                None,
            )
        )
    if box is not None:
        out.extend(check_box(items, box, measure))
    if channel is not None:
        out.extend(check_channel(measure, channel, country))
    return out


def _dims(d: Dimensions) -> str:
    return f"{d.length_mm}×{d.width_mm}×{d.height_mm} mm"
