"""Helpers for the HTTP API tests (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any

V1 = "/api/v1"
BASE_URL = "https://seller.example"
PROBLEM_JSON = "application/problem+json"


def assert_problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code; returns its body."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM_JSON), resp.headers
    body: dict[str, Any] = resp.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"].endswith(code)
    assert body["title"] and body["detail"]
    assert "Traceback" not in resp.text
    return body
