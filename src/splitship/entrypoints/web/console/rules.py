"""The rules editor: the shop's split rules as a YAML document, validated per rule, tried on an
order before saving."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Response

from splitship.domain.errors import SplitshipError
from splitship.entrypoints.web.console.deps import PREFIX, ConsoleRoute, Owner, Page, redirect
from splitship.planning.rules import RULE_TYPES, RuleSetError
from splitship.services import console, planning
from splitship.services.planning import RuleSetInvalid

router = APIRouter(route_class=ConsoleRoute)
MAX_RULES_CHARS = 100_000


@router.get("/rules")
def rules_page(
    ctx: Page,
    msg: Annotated[str, Query(max_length=64)] = "",
    order: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    doc = console.rules_document(ctx.uow(), ctx.shop.id)
    return ctx.page(
        "console/rules.html",
        text=doc.text,
        is_default=doc.is_default,
        rules=doc.rules.rules,
        rule_errors=[],
        rule_types=RULE_TYPES,
        trial=None,
        trial_error=None,
        order_ref=order,
        msg=msg,
    )


def _edited(
    ctx: Page,
    text: str,
    order_ref: str,
    *,
    rule_errors: list[dict[str, str | None]] | None = None,
    trial: object = None,
    trial_error: str | None = None,
    status_code: int = 200,
) -> Response:
    doc = console.rules_document(ctx.uow(), ctx.shop.id)
    return ctx.page(
        "console/rules.html",
        status_code=status_code,
        text=text,
        is_default=doc.is_default,
        rules=doc.rules.rules,
        rule_errors=rule_errors or [],
        rule_types=RULE_TYPES,
        trial=trial,
        trial_error=trial_error,
        order_ref=order_ref,
        msg="",
    )


@router.post("/rules")
def save_rules(
    ctx: Owner,
    text: Annotated[str, Form(max_length=MAX_RULES_CHARS)] = "",
    order: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    try:
        planning.put_rules(ctx.uow(), ctx.shop.id, text, "yaml")
    except RuleSetInvalid as exc:
        return _edited(ctx, text, order, rule_errors=console.rule_errors(exc), status_code=422)
    return redirect(f"{PREFIX}/rules", msg="rules_saved")


@router.post("/rules/try")
def try_rules(
    ctx: Owner,
    text: Annotated[str, Form(max_length=MAX_RULES_CHARS)] = "",
    order: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    try:
        found, proposal = console.try_rules(ctx.uow(), ctx.shop.id, text, order)
    except RuleSetError as exc:
        return _edited(ctx, text, order, rule_errors=console.rule_errors(exc), status_code=422)
    except SplitshipError as exc:
        return _edited(ctx, text, order, trial_error=exc.message, status_code=422)
    catalog = console.catalog_overview(ctx.uow(), ctx.shop.id)
    return _edited(
        ctx,
        text,
        order,
        trial={
            "order": found,
            "plan": proposal,
            "channels": {c.id: c for c in catalog.channels},
            "warehouses": {w.id: w for w in catalog.warehouses},
            "boxes": {b.id: b for b in catalog.boxes},
        },
    )
