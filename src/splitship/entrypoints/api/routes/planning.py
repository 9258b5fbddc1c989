"""The split planner: the shop's rule set, an order's plan (preview and apply), every order."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from splitship.entrypoints.api import queries
from splitship.entrypoints.api.deps import Caller, IfMatch, expected_version
from splitship.entrypoints.api.planning_schemas import (
    AppliedPlanOut,
    ApplyPlanIn,
    PlanAllIn,
    PlanAllOut,
    PlanOut,
    RuleSetDocument,
)
from splitship.entrypoints.api.problems import PayloadTooLarge, UnsupportedMediaType
from splitship.entrypoints.api.routes.common import order_out
from splitship.entrypoints.api.uploads import decode_text
from splitship.planning.rules import rule_set_to_dict
from splitship.services import planning

router = APIRouter(tags=["planning"])

MAX_RULES_BYTES = 1024 * 1024
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})

_RULES_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RuleSetDocument"}},
            "application/yaml": {"schema": {"type": "string"}},
            "text/yaml": {"schema": {"type": "string"}},
        },
    }
}


def _rules_out(caller: Caller) -> RuleSetDocument:
    rules = planning.get_rules(caller.uow(), caller.shop_id)
    return RuleSetDocument.model_validate(rule_set_to_dict(rules))


@router.get("/rules")
def get_rules(caller: Caller) -> RuleSetDocument:
    """The shop's rule set (the default one until the shop saves its own)."""
    return _rules_out(caller)


@router.put("/rules", openapi_extra=_RULES_BODY)
async def put_rules(request: Request, caller: Caller) -> RuleSetDocument:
    """Replace the rule set with a JSON or YAML (``application/yaml``, ``text/yaml``) document.

    A document with any error is refused whole (422 ``invalid_rule_set``) with every error in
    ``errors`` as ``{rule_id, field, message}``; the shop keeps the rule set it had.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in YAML_TYPES:
        fmt = "yaml"
    elif media in ("", "application/json") or media.endswith("+json"):
        fmt = "json"
    else:
        raise UnsupportedMediaType(
            f"cannot read {media} as a rule set: send application/json or application/yaml"
        )
    raw = await request.body()
    if len(raw) > MAX_RULES_BYTES:
        raise PayloadTooLarge(
            f"the rule set is {len(raw)} bytes; at most {MAX_RULES_BYTES} are accepted"
        )
    planning.put_rules(caller.uow(), caller.shop_id, decode_text(raw), fmt)
    return _rules_out(caller)


@router.get("/orders/{order_id}/plan")
def preview_plan(order_id: str, caller: Caller, response: Response) -> PlanOut:
    """What the planner proposes for the order's unassigned units; nothing is written. Apply it
    with the ``version`` given here (also sent as the ``ETag``)."""
    order, plan = planning.preview_plan(caller.uow(), caller.shop_id, order_id)
    currency = queries.shop(caller.uow(), caller.shop_id).settings.currency
    response.headers["ETag"] = f'"{order.version}"'
    return PlanOut.of(order, plan, currency)


@router.post("/orders/{order_id}/plan/apply")
def apply_plan(
    order_id: str,
    caller: Caller,
    if_match: IfMatch,
    response: Response,
    body: Annotated[ApplyPlanIn | None, Body()] = None,
) -> AppliedPlanOut:
    """Plan the order now and create the planned packages (open, or confirmed with ``confirm``).

    With ``version`` (or If-Match) the plan is applied only if the order has not changed since
    (409 ``version_conflict`` otherwise); with the preview's ``fingerprint``, only if planning now
    gives the same plan (409 ``plan_changed`` otherwise). Units that cannot ship stay unassigned
    and are listed in ``plan.unshippable``.
    """
    given = body or ApplyPlanIn()
    version = expected_version(given.version, if_match)
    order, plan = planning.apply_plan(
        caller.uow(),
        caller.shop_id,
        order_id,
        version,
        confirm=given.confirm,
        expected_plan=given.fingerprint,
    )
    currency = queries.shop(caller.uow(), caller.shop_id).settings.currency
    return AppliedPlanOut(
        order=order_out(caller, order, response),
        plan=PlanOut.of(order, plan, currency),
    )


@router.post("/plan/all")
def plan_all(caller: Caller, body: Annotated[PlanAllIn | None, Body()] = None) -> PlanAllOut:
    """Plan every order awaiting shipment that has units left to pack, one order at a time (a
    failure is reported and the rest go on); ``dry_run`` only sums what would happen."""
    given = body or PlanAllIn()
    summary = planning.plan_all(
        caller.app.uow_factory(caller.actor),
        caller.shop_id,
        apply=not given.dry_run,
        confirm=given.confirm,
    )
    return PlanAllOut.of(summary)
