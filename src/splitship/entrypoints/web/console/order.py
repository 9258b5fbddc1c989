"""The order page: lines, pre-check, auto-split preview, split editor, channel picker, logistics
form, shipment, audit trail. Each form posts the order version it was rendered from; a refusal
is shown next to what was refused (the package, the split form) with the page as it is now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import JSONResponse

from splitship.domain import tracking
from splitship.domain.catalog import ChannelKind
from splitship.domain.errors import InvalidInput, SplitshipError
from splitship.domain.status import PackageStatus
from splitship.entrypoints.web.console.deps import (
    PREFIX,
    ConsoleRoute,
    Ctx,
    Operator,
    Page,
    redirect,
)
from splitship.services import console, planning, shipping, splitting
from splitship.services.shipping import LogisticsInput
from splitship.services.splitting import PackageSpec

router = APIRouter(route_class=ConsoleRoute)

Version = Annotated[int | None, Form()]


def _show(
    ctx: Ctx,
    order_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    msg: str = "",
    status_code: int = 200,
) -> Response:
    view = console.order_view(ctx.uow(), ctx.shop.id, order_id)
    return ctx.page(
        "console/order.html",
        status_code=status_code,
        view=view,
        planned_reasons=planning.applied_reasons(ctx.uow(), ctx.shop.id, order_id),
        plan_fingerprint=planning.plan_fingerprint(view.plan) if view.plan else "",
        order=view.order,
        errors=errors or {},
        values=values or {},
        msg=msg,
        carriers=sorted(tracking.CARRIERS.values(), key=lambda c: c.name),
        PackageStatus=PackageStatus,
        ChannelKind=ChannelKind,
    )


def _done(order_id: str, msg: str, anchor: str = "") -> Response:
    response = redirect(f"{PREFIX}/orders/{order_id}", msg=msg)
    if anchor:
        response.headers["location"] += f"#{anchor}"
    return response


def _attempt(
    ctx: Ctx,
    order_id: str,
    where: str,
    change: Callable[[], Any],
    msg: str,
    *,
    values: dict[str, dict[str, str]] | None = None,
) -> Response:
    """Run one change; on refusal show the page with the reason next to ``where``."""
    try:
        change()
    except SplitshipError as exc:
        if exc.status == 404 and where == "order":
            raise
        return _show(
            ctx,
            order_id,
            errors={where: exc.message, f"{where}:code": exc.code},
            values=values,
            status_code=409 if exc.code in ("version_conflict", "plan_changed") else 422,
        )
    return _done(order_id, msg, f"pkg-{where}" if where not in ("order", "split", "plan") else "")


@router.get("/orders/{order_id}")
def order_page(
    ctx: Page, order_id: str, msg: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    return _show(ctx, order_id, msg=msg)


@router.post("/orders/{order_id}/auto-split")
def auto_split(
    ctx: Operator,
    order_id: str,
    version: Version = None,
    fingerprint: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    # the fingerprint pins the plan the operator saw: if stock or rules changed meanwhile, the
    # page comes back with the new plan instead of applying one nobody looked at
    return _attempt(
        ctx,
        order_id,
        "plan",
        lambda: planning.apply_plan(
            ctx.uow(), ctx.shop.id, order_id, version, expected_plan=fingerprint or None
        ),
        "split_applied",
    )


@router.post("/orders/{order_id}/split")
async def split_by_hand(ctx: Operator, order_id: str, request: Request) -> Response:
    form = await request.form()
    items: dict[str, int] = {}
    for key, value in form.multi_items():
        if key.startswith("qty_") and isinstance(value, str) and value.strip():
            if not value.strip().isdigit():
                return _show(
                    ctx,
                    order_id,
                    errors={"split": f"{value!r} is not a whole number of units"},
                    status_code=422,
                )
            if int(value) > 0:
                items[key[4:]] = int(value)
    warehouse = str(form.get("warehouse") or "") or None
    version = _int(form.get("version"))

    def change() -> None:
        if not items:
            raise InvalidInput("choose at least one unit for the new package", field="items")
        splitting.split_order(
            ctx.uow(), ctx.shop.id, order_id, [PackageSpec(items, warehouse)], version
        )

    return _attempt(ctx, order_id, "split", change, "package_created")


@router.post("/orders/{order_id}/move")
def move_units(
    ctx: Operator,
    order_id: str,
    source: Annotated[str, Form(max_length=64)],
    line: Annotated[str, Form(max_length=64)],
    quantity: Annotated[int, Form(ge=1, le=1_000_000)],
    target: Annotated[str, Form(max_length=64)] = "new",
    version: Version = None,
) -> Response:
    return _attempt(
        ctx,
        order_id,
        source,
        lambda: splitting.move_units(
            ctx.uow(),
            ctx.shop.id,
            order_id,
            source,
            None if target == "new" else target,
            line,
            quantity,
            version,
        ),
        "units_moved",
    )


@router.post("/orders/{order_id}/merge")
def merge(
    ctx: Operator,
    order_id: str,
    source: Annotated[str, Form(max_length=64)],
    target: Annotated[str, Form(max_length=64)],
    version: Version = None,
) -> Response:
    return _attempt(
        ctx,
        order_id,
        source,
        lambda: splitting.merge_packages(ctx.uow(), ctx.shop.id, order_id, target, source, version),
        "packages_merged",
    )


@router.post("/orders/{order_id}/undo")
def undo(ctx: Operator, order_id: str, version: Version = None) -> Response:
    return _attempt(
        ctx,
        order_id,
        "split",
        lambda: splitting.undo_split(ctx.uow(), ctx.shop.id, order_id, version),
        "split_undone",
    )


@router.post("/orders/{order_id}/packages/{package_id}/cancel")
def cancel_package(
    ctx: Operator, order_id: str, package_id: str, version: Version = None
) -> Response:
    return _attempt(
        ctx,
        order_id,
        package_id,
        lambda: splitting.cancel_package(ctx.uow(), ctx.shop.id, order_id, package_id, version),
        "package_cancelled",
    )


@router.post("/orders/{order_id}/packages/{package_id}/channel")
def choose_channel(
    ctx: Operator,
    order_id: str,
    package_id: str,
    channel: Annotated[str, Form(max_length=130)] = "",
    warehouse: Annotated[str, Form(max_length=64)] = "",
    box: Annotated[str, Form(max_length=64)] = "",
    version: Version = None,
) -> Response:
    # A choice in the channel table is "<channel id>:<box id>": the box its price was quoted with.
    chosen, _, quoted_box = channel.partition(":")

    def change() -> None:
        if not (chosen or warehouse or box):
            raise InvalidInput("choose a channel", field="channel")
        shipping.assign_package(
            ctx.uow(),
            ctx.shop.id,
            order_id,
            package_id,
            warehouse=warehouse or None,
            channel=chosen or None,
            box=box or quoted_box or None,
            expected_version=version,
        )

    return _attempt(ctx, order_id, package_id, change, "channel_chosen")


@router.post("/orders/{order_id}/packages/{package_id}/confirm")
def confirm(ctx: Operator, order_id: str, package_id: str, version: Version = None) -> Response:
    return _attempt(
        ctx,
        order_id,
        package_id,
        lambda: shipping.confirm_package(
            ctx.uow(), ctx.shop.id, order_id, package_id, expected_version=version
        ),
        "package_confirmed",
    )


@router.post("/orders/{order_id}/packages/{package_id}/ship")
def ship(
    ctx: Operator,
    order_id: str,
    package_id: str,
    tracking_number: Annotated[str, Form(max_length=100)] = "",
    carrier: Annotated[str, Form(max_length=32)] = "",
    ship_time: Annotated[str, Form(max_length=32)] = "",
    eta_from: Annotated[str, Form(max_length=10)] = "",
    eta_to: Annotated[str, Form(max_length=10)] = "",
    action: Annotated[str, Form(max_length=8)] = "ship",
    version: Version = None,
) -> Response:
    """Record the logistics info (``action=save``), or record it and ship (confirming an open
    package with a channel first)."""
    typed = {
        "tracking_number": tracking_number,
        "carrier": carrier,
        "ship_time": ship_time,
        "eta_from": eta_from,
        "eta_to": eta_to,
    }

    def change() -> None:
        info = LogisticsInput(
            tracking_number=tracking_number.strip() or None,
            carrier_code=carrier or None,
            ship_time=_local_time(ship_time, ctx.shop.settings.timezone),
            eta_earliest=_day(eta_from, "eta_from"),
            eta_latest=_day(eta_to, "eta_to"),
        )
        # Record first: a wrong tracking number is refused before anything is confirmed.
        saved = shipping.record_logistics(
            ctx.uow(), ctx.shop.id, order_id, package_id, info, version
        ).order
        if action == "save":
            return
        if saved.package(package_id).status is PackageStatus.OPEN:
            saved = shipping.confirm_package(
                ctx.uow(), ctx.shop.id, order_id, package_id, expected_version=saved.version
            )
        shipping.ship_package(ctx.uow(), ctx.shop.id, order_id, package_id, None, saved.version)

    return _attempt(
        ctx,
        order_id,
        package_id,
        change,
        "logistics_saved" if action == "save" else "package_shipped",
        values={package_id: typed},
    )


@router.get("/tracking-check")
def tracking_check(
    ctx: Page,
    number: Annotated[str, Query(max_length=100)] = "",
    carrier: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The tracking number checked as it is typed: valid for the carrier, and why not."""
    if not number.strip():
        return JSONResponse({"valid": None, "number": "", "reason": None, "carrier": None})
    try:
        check = tracking.check_tracking_number(number, carrier or None)
    except SplitshipError as exc:
        return JSONResponse({"valid": False, "reason": exc.message, "number": number})
    name = tracking.CARRIERS[check.carrier_code].name if check.carrier_code else None
    return JSONResponse(
        {
            "valid": check.valid,
            "number": check.number,
            "carrier": check.carrier_code,
            "carrier_name": name,
            "reason": check.reason,
        },
        headers={"Cache-Control": "no-store"},
    )


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def _local_time(value: str, tz: str) -> datetime | None:
    """A datetime-local input, read in the shop's time zone."""
    if not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date and time", field="ship_time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(tz))


def _day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None
