"""CSRF protection for every console form (synchronizer tokens, nothing stored).

A signed-in form carries ``issue(secret, "console|<session hash>")``: it is bound to the session,
so a token seen by one browser is worthless in another, and expires with ``formtoken``'s max age.
The sign-in form has no session yet: it is bound to a random nonce in a cookie of its own
(``console_login``), which another site can neither read nor set.
"""

from __future__ import annotations

import time

from splitship.entrypoints.web import formtoken

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "console_login"


def session_scope(session_hash: str) -> str:
    return f"console|{session_hash}"


def login_scope(nonce: str) -> str:
    return f"console-login|{nonce}"


def issue(secret: str, scope: str) -> str:
    return formtoken.issue(secret, scope, time.time())


def valid(secret: str, scope: str, token: str | None) -> bool:
    return bool(token) and formtoken.verify(secret, scope, token or "", time.time())
