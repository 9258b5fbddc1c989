"""Per-page form tokens: a form posted to a page must come from that page, recently.

The token is ``<issued unix seconds>.<HMAC-SHA256(secret, scope|issued)>``, where the scope names
the page (for the tracking page: its tracking token). Nothing is stored on the server, so it
works across processes. Another site cannot read our page and so cannot forge the token.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_AGE_SECONDS = 6 * 3600


def issue(secret: str, scope: str, now: float) -> str:
    issued = str(int(now))
    return f"{issued}.{_mac(secret, scope, issued)}"


def verify(secret: str, scope: str, token: str, now: float) -> bool:
    issued, _, mac = token.partition(".")
    if not issued.isdigit() or not mac:
        return False
    if not 0 <= now - int(issued) <= MAX_AGE_SECONDS:
        return False
    return hmac.compare_digest(mac, _mac(secret, scope, issued))


def _mac(secret: str, scope: str, issued: str) -> str:
    return hmac.new(secret.encode(), f"{scope}|{issued}".encode(), hashlib.sha256).hexdigest()
