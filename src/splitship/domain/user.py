"""Seller users: the people who sign in to a shop's console, and what each role may do.

A user belongs to exactly one shop. The role decides what the user may change; what a user may
see is the shop's data, whatever the role. Pure: no hashing, no clock, no storage here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from splitship.domain.errors import InvalidInput

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
MAX_EMAIL_CHARS = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Role(StrEnum):
    OWNER = "owner"  # everything, including the shop's rules, catalogue pages and its users
    OPERATOR = "operator"  # the daily work: split, choose channels, ship, answer buyers
    VIEWER = "viewer"  # reads everything, changes nothing


class Permission(StrEnum):
    VIEW = "view"
    OPERATE = "operate"  # change orders, packages and inquiries
    CONFIGURE = "configure"  # change rules, channels, boxes, warehouses, settings
    MANAGE_USERS = "manage_users"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.OPERATOR: frozenset({Permission.VIEW, Permission.OPERATE}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}


def permissions(role: Role) -> frozenset[Permission]:
    return _GRANTS[role]


def can(role: Role, permission: Permission) -> bool:
    return permission in _GRANTS[role]


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {value!r}: use one of {allowed}", field="role") from None


def normalize_email(raw: str) -> str:
    """The address as stored and looked up: trimmed, NFKC, lower case; refused when malformed."""
    email = unicodedata.normalize("NFKC", raw).strip().lower()
    if not email or len(email) > MAX_EMAIL_CHARS or _EMAIL.fullmatch(email) is None:
        raise InvalidInput(
            f"{raw.strip()!r} is not an e-mail address: use the form name@example.com",
            field="email",
        )
    return email


def check_password(password: str) -> None:
    """Length is what makes a password strong; no composition rules (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD_CHARS}",
            field="password",
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(
            f"the password is longer than {MAX_PASSWORD_CHARS} characters", field="password"
        )


@dataclass(frozen=True)
class SellerUser:
    id: str
    shop_id: str
    email: str
    role: Role
    created_at: datetime

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission)


__all__ = [
    "MIN_PASSWORD_CHARS",
    "Permission",
    "Role",
    "SellerUser",
    "can",
    "check_password",
    "normalize_email",
    "parse_role",
    "permissions",
]
