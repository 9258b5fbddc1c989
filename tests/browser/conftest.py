"""Real-browser fixtures: the whole application served by uvicorn on a free local port, and
Debian's Chromium driven by Playwright (sync API).

Without /usr/bin/chromium these tests skip with a hint; with CI=true or
SPLITSHIP_REQUIRE_BROWSER=1 a missing Chromium is a failure instead, so CI cannot go green by
skipping them. Screenshots go to test-artifacts/screenshots/ at the repository root.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from browser.live import LiveServer
from splitship.bootstrap import bootstrap
from splitship.config import Settings
from splitship.entrypoints.api import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("SPLITSHIP_REQUIRE_BROWSER") == "1"


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The application on 127.0.0.1 and a free port, with its own SQLite file."""
    app = bootstrap(Settings(env="test", database_url=f"sqlite:///{tmp_path / 'live.db'}"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the port is ours from here on: no race for a "free" port
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(app), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        app.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install it with "
            "'apt-get install -y chromium fonts-wqy-microhei' to run the browser tests "
            "(CI=true or SPLITSHIP_REQUIRE_BROWSER=1 makes this a failure)"
        )
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh context (English, desktop size); tests needing more make their own."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    try:
        yield context.new_page()
    finally:
        context.close()
