"""The audit trail of an order: every change, who made it, the values before and after."""

from fastapi import APIRouter

from splitship.entrypoints.api import queries
from splitship.entrypoints.api.deps import Caller
from splitship.entrypoints.api.schemas import AuditEntryOut, AuditOut

router = APIRouter(tags=["audit"])


@router.get("/orders/{order_id}/audit")
def order_audit(order_id: str, caller: Caller) -> AuditOut:
    entries = queries.order_audit(caller.uow(), caller.shop_id, order_id)
    return AuditOut(order_id=order_id, items=[AuditEntryOut.of(e) for e in entries])
