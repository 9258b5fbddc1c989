"""Helpers of the browser tests (kept out of conftest.py so that test modules can import them
without depending on which directory's ``conftest`` module Python saw last)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from splitship.bootstrap import App

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    app: App


def screenshot(page: Any, request: pytest.FixtureRequest, *parts: object) -> Path:
    """Save a full-page screenshot named by test and the given parts (language, width)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.originalname or request.node.name)
    name = "-".join([test, *(str(p) for p in parts)]) + ".png"
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
