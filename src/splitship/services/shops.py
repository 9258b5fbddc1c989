"""Shops and their API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from typing import Any

from splitship.domain.errors import InvalidInput, InvalidTransition, NotFound
from splitship.domain.shop import Shop, ShopSettings
from splitship.services.unit_of_work import ApiKeyInfo, AuditEntry, UnitOfWork

KEY_PREFIX = "sk_"


@dataclass(frozen=True)
class NewApiKey:
    key_id: str
    shop_id: str
    secret: str  # shown once, stored only as a hash


def hash_api_key(secret: str) -> str:
    # API keys carry 192 random bits, so a fast hash is enough: no dictionary to guess from.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_shop(
    uow: UnitOfWork, name: str, shop_id: str | None = None, settings: ShopSettings | None = None
) -> Shop:
    name = name.strip()
    if not name:
        raise InvalidInput("the shop needs a name", field="name")
    with uow:
        shop = Shop(shop_id or uow.new_id(), name, settings or ShopSettings())
        uow.shops.add(shop)
        _audit(uow, shop.id, "shop.created", None, {"name": name})
        uow.commit()
    return shop


def create_api_key(uow: UnitOfWork, shop_id: str) -> NewApiKey:
    with uow:
        uow.shops.get(shop_id)
        secret = KEY_PREFIX + secrets.token_urlsafe(24)
        key_id = uow.new_id()
        uow.shops.add_api_key(shop_id, key_id, secret[:8], hash_api_key(secret))
        _audit(uow, shop_id, "api_key.created", None, {"key_id": key_id, "prefix": secret[:8]})
        uow.commit()
    return NewApiKey(key_id, shop_id, secret)


def authenticate(uow: UnitOfWork, secret: str) -> str:
    """The shop id an API key belongs to; NotFound for an unknown or revoked key."""
    with uow:
        shop_id = uow.shops.shop_for_key_hash(hash_api_key(secret))
    if shop_id is None:
        raise NotFound("unknown API key")
    return shop_id


def update_settings(uow: UnitOfWork, shop_id: str, changes: dict[str, Any]) -> Shop:
    with uow:
        shop = uow.shops.get(shop_id)
        unknown = set(changes) - set(ShopSettings.__dataclass_fields__)
        if unknown:
            raise InvalidInput(
                f"unknown setting(s): {', '.join(sorted(unknown))}", field=sorted(unknown)[0]
            )
        before = {k: getattr(shop.settings, k) for k in changes}
        shop.settings = replace(shop.settings, **changes)
        uow.shops.save(shop)
        _audit(uow, shop_id, "shop.settings_changed", _plain(before), _plain(changes))
        uow.commit()
    return shop


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool | None) else str(v) for k, v in d.items()
    }


def list_api_keys(uow: UnitOfWork, shop_id: str) -> list[ApiKeyInfo]:
    """The shop's keys with their prefix, creation and revocation times (secrets are never
    stored, so never shown)."""
    with uow:
        uow.shops.get(shop_id)
        return uow.shops.api_keys(shop_id)


def revoke_api_key(uow: UnitOfWork, shop_id: str, key_ref: str) -> ApiKeyInfo:
    """Revoke a key by its id or its prefix (as ``keys list`` shows them); from then on every
    request with it is refused. Revoking cannot be undone: create a new key instead."""
    key_ref = key_ref.strip()
    with uow:
        uow.shops.get(shop_id)
        keys = uow.shops.api_keys(shop_id)
        found = [k for k in keys if key_ref in (k.id, k.prefix)]
        if not found:
            raise NotFound(
                f"shop {shop_id} has no API key {key_ref!r}: `splitship keys list --shop "
                f"{shop_id}` shows its keys",
                field="key",
            )
        if len(found) > 1:
            raise InvalidInput(
                f"{key_ref!r} is the prefix of {len(found)} keys: give the key id instead",
                field="key",
            )
        key = found[0]
        if key.revoked_at is not None:
            raise InvalidTransition(
                f"API key {key.id} was revoked already at {key.revoked_at.isoformat()}",
                field="key",
            )
        now = uow.now()
        if not uow.shops.revoke_api_key(shop_id, key.id, now):
            # revoked by someone else between the read and this update
            raise InvalidTransition(f"API key {key.id} was revoked already", field="key")
        _audit(uow, shop_id, "api_key.revoked", {"key_id": key.id, "prefix": key.prefix}, None)
        uow.commit()
    return ApiKeyInfo(key.id, key.prefix, key.created_at, now)


def _audit(uow: UnitOfWork, shop_id: str, action: str, before: Any, after: Any) -> None:
    uow.audit.record(
        shop_id, AuditEntry(uow.now(), uow.actor, None, action, "shop", shop_id, before, after)
    )
