"""Domain errors.

Every error a user can meet says what was wrong, where, and what to do. Each class carries a stable
``code`` that the HTTP layer turns into the ``code`` member of an ``application/problem+json`` body,
so clients can branch on it.

    SplitshipError
    ├── NotFound                      an object of this shop does not exist (or is another shop's)
    ├── InvalidInput                  a value is malformed; ``field`` names it
    ├── ConflictError                 the request is valid but the current state refuses it
    │   ├── VersionConflict           someone else changed the aggregate first (lost race)
    │   ├── Duplicate                 the object already exists
    │   └── InvalidTransition         a lifecycle step that is not allowed from the current status
    └── RuleViolation                 the change would break an invariant, a limit or a rule
        ├── QuantityMismatch          units would be lost or invented (invariant 1)
        ├── ShippedPackageImmutable   a shipped package's items/warehouse/address (invariant 2)
        ├── LimitExceeded             a channel or box limit fails; ``violations`` lists them
        ├── OnHold                    a hold blocks the step; ``holds`` names them
        ├── UnitSplitNotAllowed       the shop allows whole-line splits only
        ├── InsufficientStock         a warehouse lacks the units; numbers included
        └── CorrectionWindowClosed    logistics info can no longer be corrected
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class SplitshipError(Exception):
    code = "splitship_error"
    status = 400

    def __init__(
        self, message: str, *, field: str | None = None, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details: dict[str, Any] = dict(details or {})


class NotFound(SplitshipError):
    code = "not_found"
    status = 404


class InvalidInput(SplitshipError):
    code = "invalid_input"
    status = 422


class ConflictError(SplitshipError):
    code = "conflict"
    status = 409


class VersionConflict(ConflictError):
    code = "version_conflict"


class Duplicate(ConflictError):
    code = "duplicate"


class InvalidTransition(ConflictError):
    code = "invalid_transition"


class PlanChanged(ConflictError):
    """The plan computed at apply time is not the one the caller previewed (stock, rules,
    channels or boxes changed in between)."""

    code = "plan_changed"


class RuleViolation(SplitshipError):
    code = "rule_violation"
    status = 422


class QuantityMismatch(RuleViolation):
    code = "quantity_mismatch"


class ShippedPackageImmutable(RuleViolation):
    code = "shipped_package_immutable"


class LimitExceeded(RuleViolation):
    code = "limit_exceeded"

    def __init__(self, message: str, violations: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(message, details={"violations": [dict(v) for v in violations]})


class OnHold(RuleViolation):
    code = "on_hold"


class UnitSplitNotAllowed(RuleViolation):
    code = "unit_split_not_allowed"


class InsufficientStock(RuleViolation):
    code = "insufficient_stock"


class CorrectionWindowClosed(RuleViolation):
    code = "correction_window_closed"


__all__ = [
    "ConflictError",
    "CorrectionWindowClosed",
    "Duplicate",
    "InsufficientStock",
    "InvalidInput",
    "InvalidTransition",
    "LimitExceeded",
    "NotFound",
    "OnHold",
    "QuantityMismatch",
    "RuleViolation",
    "ShippedPackageImmutable",
    "SplitshipError",
    "UnitSplitNotAllowed",
    "VersionConflict",
]
