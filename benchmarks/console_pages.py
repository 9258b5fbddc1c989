"""Seller console page times on the demo data set, against a live uvicorn on 127.0.0.1.

    .venv/bin/python -m benchmarks.console_pages              # 40 requests per page
    .venv/bin/python -m benchmarks.console_pages -n 200 --orders 500

Seeds the demo shop in a fresh SQLite file, serves the whole application with uvicorn in a
process of its own (one worker, as ``splitship up`` does), signs in as the demo owner, then
requests every main page ``n`` times in turn (after a warm-up round) over one keep-alive
connection. Prints p50,
p95 and max per page beside a baseline measured in the same run: FastAPI's own ``/docs`` page,
which does no database work. The target is p95 < 200 ms for every page.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.demo import seed_demo
from splitship.domain.status import OrderStatus
from splitship.services import inquiries
from splitship.services.console_repository import QueueFilter
from splitship.services.unit_of_work import OrderFilter

TARGET_MS = 200.0


SERVER = """
import sys, uvicorn
from splitship.bootstrap import bootstrap
from splitship.config import Settings
from splitship.entrypoints.api import create_app
app = bootstrap(Settings(env="test", database_url=sys.argv[1]), upgrade=False)
uvicorn.run(create_app(app), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


def serve(database_url: str) -> tuple[str, Callable[[], None]]:
    """The application in a process of its own, as ``splitship serve`` runs it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", SERVER, database_url, str(port)])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base + "/console/login", timeout=1)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)

    def stop() -> None:
        proc.terminate()
        proc.wait(timeout=10)

    return base, stop


def pages(app: App, shop_id: str) -> list[tuple[str, str]]:
    """Every main page, with an order of each kind the order page shows."""
    with app.uow() as uow:
        found = uow.orders.search(shop_id, OrderFilter(limit=100_000)).orders
        must = uow.console.order_refs(shop_id, QueueFilter(), statuses=["awaiting_shipment"])
    by_status = {o.status: o for o in found}
    split = next((o for o in found if len(o.live_packages) > 1), found[0])
    awaiting = must[0].id if must else found[0].id
    token = next(o.tracking_token for o in found if o.status is OrderStatus.SHIPPED)
    inquiry = inquiries.open_inquiry(app.uow(), token, "late", "Where is my parcel?")
    package_ids = [p.id for o in found[:20] for p in o.live_packages][:40]
    listed = "&".join(f"package_id={p}" for p in package_ids)
    shipped = by_status.get(OrderStatus.SHIPPED, found[0])
    return [
        ("queue: must split", "/console/queue?tab=must_split"),
        ("queue: ready to ship", "/console/queue?tab=ready_to_ship"),
        ("queue: partially shipped", "/console/queue?tab=partially_shipped"),
        ("queue: exceptions", "/console/queue?tab=exceptions"),
        ("queue: on hold", "/console/queue?tab=on_hold"),
        ("queue: all", "/console/queue?tab=all"),
        ("queue: search", "/console/queue?tab=all&q=mug"),
        ("order: awaiting (plan preview)", f"/console/orders/{awaiting}"),
        ("order: split", f"/console/orders/{split.id}"),
        ("order: shipped", f"/console/orders/{shipped.id}"),
        ("order page in Chinese", f"/console/orders/{awaiting}?lang=zh_Hans"),
        ("packages (batch)", "/console/batch"),
        ("packing list CSV (40 pkgs)", f"/console/batch/packing-list.csv?{listed}"),
        ("upload form", "/console/upload"),
        ("rules", "/console/rules"),
        ("channels", "/console/channels"),
        ("boxes", "/console/boxes"),
        ("warehouses", "/console/warehouses"),
        ("inquiries", "/console/inquiries"),
        ("inquiry thread", f"/console/inquiries/{inquiry.id}"),
        ("users", "/console/users"),
        ("tracking check (JSON)", "/console/tracking-check?number=1Z999AA10123456784&carrier=ups"),
    ]


def measure(client: httpx.Client, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        resp = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if resp.status_code != 200:
            raise SystemExit(f"{path} answered {resp.status_code}: {resp.text[:300]}")
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=40, help="requests per page (default 40)")
    parser.add_argument("--orders", type=int, default=50, help="demo orders (default 50)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = bootstrap(Settings(env="test", database_url=f"sqlite:///{tmp}/bench.db"))
        seeded = time.perf_counter()
        info = seed_demo(app, orders=args.orders)
        print(f"demo seeded: {args.orders} orders in {time.perf_counter() - seeded:.1f} s")
        email, _, password = next(login for login in info.console_logins if login[1] == "owner")
        targets = pages(app, info.shop_id)
        base, stop = serve(app.settings.database_url)
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                form = client.get("/console/login").text
                token = re.search(r'name="csrf_token" value="([^"]+)"', form)
                assert token is not None
                start = time.perf_counter()
                signed = client.post(
                    "/console/login",
                    data={"email": email, "password": password, "csrf_token": token.group(1)},
                    follow_redirects=True,
                )
                login_ms = (time.perf_counter() - start) * 1000
                assert signed.status_code == 200 and "/console/login" not in str(signed.url)
                rows = []
                for _, path in [("baseline", "/docs"), *targets]:
                    measure(client, path, 3)  # warm-up: templates compiled, caches filled
                baseline = measure(client, "/docs", args.n)
                for name, path in targets:
                    rows.append((name, measure(client, path, args.n)))
        finally:
            stop()
            app.dispose()

    base50 = statistics.median(baseline)
    print(f"\n{args.n} requests per page, one keep-alive connection, uvicorn on 127.0.0.1\n")
    print(f"{'page':<34}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'p50 ÷ base':>12}   p95<200")
    print(
        f"{'baseline: /docs (no database)':<34}{base50:>9.1f}{p95(baseline):>9.1f}"
        f"{max(baseline):>9.1f}{1:>12.1f}"
    )
    worst = 0.0
    for name, times in rows:
        p50, top = statistics.median(times), p95(times)
        worst = max(worst, top)
        ok = "yes" if top < TARGET_MS else "NO"
        print(f"{name:<34}{p50:>9.1f}{top:>9.1f}{max(times):>9.1f}{p50 / base50:>12.1f}   {ok}")
    print(f"\nsign-in POST (Argon2id, once): {login_ms:.0f} ms")
    print(f"slowest page p95: {worst:.1f} ms (target < {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
