"""Roles and their permissions, e-mail and password checks: pure functions."""

from __future__ import annotations

import pytest

from splitship.domain.errors import InvalidInput
from splitship.domain.user import (
    Permission,
    Role,
    can,
    check_password,
    normalize_email,
    parse_role,
    permissions,
)


def test_owner_may_do_everything() -> None:
    assert permissions(Role.OWNER) == frozenset(Permission)


def test_operator_ships_but_does_not_configure() -> None:
    assert can(Role.OPERATOR, Permission.VIEW)
    assert can(Role.OPERATOR, Permission.OPERATE)
    assert not can(Role.OPERATOR, Permission.CONFIGURE)
    assert not can(Role.OPERATOR, Permission.MANAGE_USERS)


def test_viewer_only_views() -> None:
    assert permissions(Role.VIEWER) == frozenset({Permission.VIEW})


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_view(role: Role) -> None:
    assert can(role, Permission.VIEW)


def test_roles_are_ordered_by_what_they_grant() -> None:
    assert permissions(Role.VIEWER) < permissions(Role.OPERATOR) < permissions(Role.OWNER)


def test_parse_role_accepts_any_case_and_names_the_choices() -> None:
    assert parse_role(" Owner ") is Role.OWNER
    with pytest.raises(InvalidInput, match="owner, operator, viewer"):
        parse_role("admin")


def test_email_is_normalized_for_look_up() -> None:
    assert normalize_email("  Ada@Example.COM ") == "ada@example.com"
    # Full-width characters typed with a Chinese IME become ASCII.
    assert normalize_email("ａｄａ@example.com") == "ada@example.com"


@pytest.mark.parametrize("bad", ["", "ada", "ada@", "@example.com", "a b@example.com", "ada@x"])
def test_malformed_email_is_refused_with_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_email(bad)
    assert info.value.field == "email"


def test_short_password_is_refused_with_its_length() -> None:
    with pytest.raises(InvalidInput, match="has 5 characters; use at least 10"):
        check_password("short")
    check_password("a long enough passphrase")
