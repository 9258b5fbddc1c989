"""Seller users and console sessions on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from seed import seed_shop
from splitship.adapters.db.tables import audit_trail
from splitship.adapters.db.tables_console import seller_users
from splitship.bootstrap import App
from splitship.domain.errors import Duplicate, InvalidInput, NotFound
from splitship.domain.user import Role
from splitship.services import users

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Argon2id with a small memory cost: the same code path, a fraction of the time.
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
    users._dummy_hash.cache_clear()
    yield
    users._dummy_hash.cache_clear()


def test_created_user_signs_in_and_the_session_names_them(app: App) -> None:
    shop = seed_shop(app).shop_id
    user = users.create_user(app.uow(), shop, "Owner@Shop.test", PASSWORD, "owner")
    assert (user.email, user.role, user.shop_id) == ("owner@shop.test", Role.OWNER, shop)

    signed = users.sign_in(app.uow(), " OWNER@shop.test", PASSWORD)
    session = users.session_for(app.uow(), signed.token)
    assert session is not None and session.user == user


def test_password_is_stored_as_an_argon2id_hash_only(app: App) -> None:
    shop = seed_shop(app).shop_id
    users.create_user(app.uow(), shop, "op@shop.test", PASSWORD)
    with app.engine.connect() as conn:
        stored = conn.execute(select(seller_users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_password_and_unknown_email_get_the_same_answer(app: App) -> None:
    shop = seed_shop(app).shop_id
    users.create_user(app.uow(), shop, "op@shop.test", PASSWORD)
    messages = set()
    for email, password in [
        ("op@shop.test", "wrong password!"),
        ("nobody@shop.test", PASSWORD),
        ("not an address", PASSWORD),
    ]:
        with pytest.raises(users.InvalidCredentials) as info:
            users.sign_in(app.uow(), email, password)
        messages.add(info.value.message)
    assert messages == {"the e-mail address or the password is wrong"}


def test_unknown_email_is_verified_against_a_dummy_hash(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []

    class Spy(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            verified.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(users, "HASHER", Spy(time_cost=1, memory_cost=1024))
    with pytest.raises(users.InvalidCredentials):
        users.sign_in(app.uow(), "nobody@shop.test", PASSWORD)
    assert len(verified) == 1 and verified[0].startswith("$argon2id$")


def test_sign_out_ends_the_session(app: App) -> None:
    shop = seed_shop(app).shop_id
    users.create_user(app.uow(), shop, "op@shop.test", PASSWORD)
    signed = users.sign_in(app.uow(), "op@shop.test", PASSWORD)
    users.sign_out(app.uow(), signed.token)
    assert users.session_for(app.uow(), signed.token) is None


def test_session_expires(app: App) -> None:
    shop = seed_shop(app).shop_id
    users.create_user(app.uow(), shop, "op@shop.test", PASSWORD)
    signed = users.sign_in(app.uow(), "op@shop.test", PASSWORD)
    later = datetime.now(UTC) + users.SESSION_LIFETIME + timedelta(minutes=1)
    expired = App(app.settings, app.engine, clock=lambda: later)
    assert users.session_for(expired.uow(), signed.token) is None
    assert users.session_for(app.uow(), "not-a-token") is None


def test_email_is_unique_across_shops(app: App) -> None:
    a, b = seed_shop(app, "shop-a").shop_id, seed_shop(app, "shop-b").shop_id
    users.create_user(app.uow(), a, "op@shop.test", PASSWORD)
    with pytest.raises(Duplicate):
        users.create_user(app.uow(), b, "OP@shop.test", PASSWORD)


def test_bad_input_is_refused_before_anything_is_stored(app: App) -> None:
    shop = seed_shop(app).shop_id
    with pytest.raises(InvalidInput, match="at least 10"):
        users.create_user(app.uow(), shop, "op@shop.test", "short")
    with pytest.raises(InvalidInput, match="unknown role"):
        users.create_user(app.uow(), shop, "op@shop.test", PASSWORD, "admin")
    with pytest.raises(NotFound):
        users.create_user(app.uow(), "no-such-shop", "op@shop.test", PASSWORD)
    assert users.list_users(app.uow(), shop) == []


def test_user_creation_is_audited_without_the_password(app: App) -> None:
    shop = seed_shop(app).shop_id
    users.create_user(app.uow(), shop, "op@shop.test", PASSWORD, Role.VIEWER)
    with app.engine.connect() as conn:
        row = conn.execute(select(audit_trail).where(audit_trail.c.action == "user.created")).one()
    assert row.after == {"email": "op@shop.test", "role": "viewer"}
    assert PASSWORD not in str(row.after)


def test_users_are_listed_per_shop(app: App) -> None:
    a, b = seed_shop(app, "shop-a").shop_id, seed_shop(app, "shop-b").shop_id
    users.create_user(app.uow(), a, "one@a.test", PASSWORD)
    users.create_user(app.uow(), b, "two@b.test", PASSWORD)
    assert [u.email for u in users.list_users(app.uow(), a)] == ["one@a.test"]


def test_signed_in_gives_the_user_and_their_shop(app: App) -> None:
    shop = seed_shop(app).shop_id
    user = users.create_user(app.uow(), shop, "op@shop.test", PASSWORD)
    signed = users.sign_in(app.uow(), "op@shop.test", PASSWORD)
    found = users.signed_in(app.uow(), signed.token)
    assert found is not None and found[0] == user and found[1].id == shop
    assert users.signed_in(app.uow(), "") is None
    assert users.signed_in(app.uow(), "x" * 200) is None


def test_set_password_ends_every_session_and_the_new_one_works(app: App) -> None:
    shop = seed_shop(app).shop_id
    users.create_user(app.uow(), shop, "op@shop.test", PASSWORD)
    before = users.sign_in(app.uow(), "op@shop.test", PASSWORD)
    users.set_password(app.uow(), shop, "op@shop.test", "another long passphrase")
    assert users.session_for(app.uow(), before.token) is None
    with pytest.raises(users.InvalidCredentials):
        users.sign_in(app.uow(), "op@shop.test", PASSWORD)
    users.sign_in(app.uow(), "op@shop.test", "another long passphrase")
    with pytest.raises(NotFound):
        users.set_password(app.uow(), "other-shop", "op@shop.test", "another long passphrase")
