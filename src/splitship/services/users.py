"""Seller users: create them, sign them in and out, and find who holds a session token.

Passwords are hashed with Argon2id (memory-hard). Sign-in answers the same error, after the same
work, whether the e-mail is unknown or the password wrong: an unknown address is verified against
a dummy hash, so timing tells nothing about which addresses exist.

Sessions are rows on the server (see docs/console.md): the browser holds a random 256-bit token,
the database only its SHA-256, so signing out or removing a user ends the session at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from splitship.domain.errors import NotFound, SplitshipError
from splitship.domain.shop import Shop
from splitship.domain.user import (
    Role,
    SellerUser,
    check_password,
    normalize_email,
    parse_role,
)
from splitship.services.console_repository import ConsoleSession
from splitship.services.unit_of_work import AuditEntry, UnitOfWork

SESSION_LIFETIME = timedelta(hours=12)

# argon2-cffi's defaults: RFC 9106's low-memory profile (t=3, 64 MiB, p=4).
HASHER = PasswordHasher()


class InvalidCredentials(SplitshipError):
    """The e-mail and password do not match a user: the same answer for either mistake."""

    code = "invalid_credentials"
    status = 401


@dataclass(frozen=True)
class SignedIn:
    user: SellerUser
    token: str  # goes to the browser once; only its hash is stored


def create_user(
    uow: UnitOfWork, shop_id: str, email: str, password: str, role: Role | str = Role.OPERATOR
) -> SellerUser:
    address = normalize_email(email)
    check_password(password)
    chosen = role if isinstance(role, Role) else parse_role(role)
    password_hash = HASHER.hash(password)
    with uow:
        uow.shops.get(shop_id)  # NotFound for an unknown shop
        user = SellerUser(uow.new_id(), shop_id, address, chosen, uow.now())
        uow.users.add(user, password_hash)
        uow.audit.record(
            shop_id,
            AuditEntry(
                uow.now(),
                uow.actor,
                None,
                "user.created",
                "user",
                user.id,
                None,
                {"email": address, "role": chosen.value},
            ),
        )
        uow.commit()
    return user


def set_password(uow: UnitOfWork, shop_id: str, email: str, password: str) -> SellerUser:
    """Give a user of the shop a new password and end every session they had."""
    address = normalize_email(email)
    check_password(password)
    password_hash = HASHER.hash(password)
    with uow:
        stored = uow.users.by_email(address)
        if stored is None or stored.user.shop_id != shop_id:
            raise NotFound(f"no user {address} in this shop", field="email")
        user = stored.user
        uow.users.set_password_hash(shop_id, user.id, password_hash)
        uow.users.remove_sessions_of(shop_id, user.id)
        uow.audit.record(
            shop_id,
            AuditEntry(
                uow.now(), uow.actor, None, "user.password_set", "user", user.id, None, None
            ),
        )
        uow.commit()
    return user


def sign_in(uow: UnitOfWork, email: str, password: str) -> SignedIn:
    """Check the password and open a session; InvalidCredentials when they do not match."""
    try:
        address = normalize_email(email)
    except SplitshipError:
        address = ""
    with uow:
        stored = uow.users.by_email(address) if address else None
        if stored is None:
            _verify(_dummy_hash(), password)
            raise InvalidCredentials("the e-mail address or the password is wrong")
        if not _verify(stored.password_hash, password):
            raise InvalidCredentials("the e-mail address or the password is wrong")
        user = stored.user
        if HASHER.check_needs_rehash(stored.password_hash):
            uow.users.set_password_hash(user.shop_id, user.id, HASHER.hash(password))
        token = secrets.token_urlsafe(32)
        now = uow.now()
        uow.users.remove_expired_sessions(now)
        uow.users.add_session(hash_token(token), user, now, now + SESSION_LIFETIME)
        uow.commit()
    return SignedIn(user, token)


def session_for(uow: UnitOfWork, token: str) -> ConsoleSession | None:
    """The live session this token opens, or None (unknown, expired or signed out)."""
    if not token or len(token) > 128:
        return None
    with uow:
        return uow.users.session(hash_token(token), uow.now())


def signed_in(uow: UnitOfWork, token: str) -> tuple[SellerUser, Shop] | None:
    """Who holds this session token, and their shop (one transaction: every page asks)."""
    if not token or len(token) > 128:
        return None
    with uow:
        session = uow.users.session(hash_token(token), uow.now())
        if session is None:
            return None
        return session.user, uow.shops.get(session.user.shop_id)


def sign_out(uow: UnitOfWork, token: str) -> None:
    with uow:
        uow.users.remove_session(hash_token(token))
        uow.commit()


def list_users(uow: UnitOfWork, shop_id: str) -> list[SellerUser]:
    with uow:
        return uow.users.for_shop(shop_id)


def hash_token(token: str) -> str:
    # The token carries 256 random bits, so a fast hash is enough: nothing to guess from.
    return hashlib.sha256(token.encode()).hexdigest()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


__all__ = [
    "HASHER",
    "SESSION_LIFETIME",
    "InvalidCredentials",
    "SignedIn",
    "create_user",
    "hash_token",
    "list_users",
    "session_for",
    "set_password",
    "sign_in",
    "sign_out",
    "signed_in",
]
