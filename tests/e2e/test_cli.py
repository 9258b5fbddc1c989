"""The ``splitship`` command line end to end, on a real SQLite file per test.

Commands run in-process through Typer's ``CliRunner``; ``splitship up`` runs as a real process
that serves HTTP on a free port.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner, Result

from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.demo import seed_demo
from splitship.domain.catalog import ChannelKind
from splitship.domain.errors import NotFound
from splitship.domain.order import Order
from splitship.domain.status import OrderStatus, PackageStatus
from splitship.domain.tracking import check_tracking_number
from splitship.domain.tracking_checks import dhl_express_check_digit
from splitship.entrypoints.cli import app as cli
from splitship.services import shops
from splitship.services.unit_of_work import OrderFilter

KEY = re.compile(r"sk_[A-Za-z0-9_-]{20,}")
FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


# ---- helpers -----------------------------------------------------------------------------------


def run(*args: str | Path) -> Result:
    """Run one command as a user would; a crash (not a clean exit) fails the test at once."""
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def ok(*args: str | Path) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


@contextmanager
def opened(url: str) -> Iterator[App]:
    app = bootstrap(Settings(database_url=url))
    try:
        yield app
    finally:
        app.dispose()


def all_orders(url: str, shop: str = "demo") -> list[Order]:
    with opened(url) as app, app.uow() as uow:
        return uow.orders.search(shop, OrderFilter(limit=10_000)).orders


def write(path: Path, text: str) -> Path:
    path.write_text(text.lstrip(), encoding="utf-8")
    return path


def dhl_number(body: int) -> str:
    digits = f"{body:09d}"
    return f"{digits}{dhl_express_check_digit(digits)}"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SPLITSHIP_SHOP", "SPLITSHIP_HOST", "SPLITSHIP_PORT", "SPLITSHIP_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty database that every command uses through SPLITSHIP_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SPLITSHIP_DATABASE_URL", url)
    return url


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with opened(f"sqlite:///{path}") as app:
        seed_demo(app)
    return path


@pytest.fixture
def demo_url(seeded_template: Path, db_url: str, tmp_path: Path) -> str:
    """A copy of the seeded demo database, so each test may change it."""
    shutil.copyfile(seeded_template, tmp_path / "cli.db")
    wal = seeded_template.with_name(seeded_template.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, tmp_path / "cli.db-wal")
    return db_url


# ---- demo --------------------------------------------------------------------------------------


def test_demo_seeds_the_documented_shop_and_is_idempotent(db_url: str) -> None:
    first = ok("demo")
    key = KEY.search(first.stdout)
    assert key is not None, first.stdout
    assert "/t/" in first.stdout

    with opened(db_url) as app, app.uow() as uow:
        shop = uow.shops.get("demo")
        warehouses = uow.catalog.warehouses("demo")
        channels = {c.code: c for c in uow.catalog.channels("demo")}
        boxes = uow.catalog.boxes("demo")
        skus = uow.catalog.skus("demo")
    assert shop.name == "Demo Cross-Border Store / 演示跨境店"
    assert (shop.settings.currency, shop.settings.timezone) == ("USD", "Asia/Shanghai")
    assert [(w.code, w.country, w.region, w.priority) for w in warehouses] == [
        ("SZ", "CN", "GD", 0),
        ("LA", "US", "CA", 1),
    ]
    assert {c.kind for c in channels.values()} == set(ChannelKind)
    assert any("battery" in c.limits.forbidden_tags for c in channels.values())
    yun, dhl, van = channels["yunexpress-std"], channels["dhl-express"], channels["own-van"]
    assert (yun.limits.max_weight_g, yun.volumetric_divisor) == (2_000, None)
    assert (dhl.limits.max_weight_g, dhl.volumetric_divisor, str(dhl.cutoff)) == (
        30_000,
        5_000,
        "17:00:00",
    )
    assert van.kind is ChannelKind.SELF_DELIVERY and not van.requires_tracking
    assert "usps-ground" in channels
    for c in channels.values():
        assert set(c.zones.values()) <= set(c.rates)
    assert {"US-West", "US-East", "EU"} <= {z for c in channels.values() for z in c.rates}
    assert 4 <= len(boxes) <= 5
    assert 18 <= len(skus) <= 22
    tags = Counter(t for s in skus for t in s.attributes.tags)
    assert tags["battery"] >= 2 and tags["liquid"] >= 2
    assert any(
        s.attributes.available_from and s.attributes.available_from > datetime.now(UTC).date()
        for s in skus
    )
    assert max(s.attributes.weight_g for s in skus) >= 10_000
    assert sum(1 for w in warehouses for level in w.stock.values() if level.on_hand) >= 20

    orders = all_orders(db_url)
    assert len(orders) == 50
    statuses = Counter(o.status for o in orders)
    assert statuses[OrderStatus.SHIPPED] >= 3
    assert statuses[OrderStatus.PARTIALLY_SHIPPED] >= 2
    assert statuses[OrderStatus.AWAITING_SHIPMENT] >= 20
    assert {o.address.country for o in orders} >= {"US", "GB", "DE", "CN"}
    assert all(re.fullmatch(r"buyer\d+@example\.com", o.buyer_email or "") for o in orders)
    assert any(sum(ln.quantity for ln in o.lines) >= 60 for o in orders)  # wholesale
    assert any(ln.address is not None for o in orders for ln in o.lines)  # gift line
    assert all(o.ship_by is not None and o.deliver_by is not None for o in orders)
    for pkg in (p for o in orders for p in o.packages if p.is_shipped):
        info = pkg.logistics
        assert info is not None
        if info.tracking_number:
            assert check_tracking_number(info.tracking_number, info.carrier_code).valid

    again = ok("demo")
    second_key = KEY.search(again.stdout)
    assert second_key is not None and second_key.group() != key.group()
    assert "existed already" in again.stdout
    assert len(all_orders(db_url)) == 50
    with opened(db_url) as app:
        assert shops.authenticate(app.uow(), key.group()) == "demo"
        assert shops.authenticate(app.uow(), second_key.group()) == "demo"


def test_demo_is_deterministic_given_seed_and_clock(tmp_path: Path) -> None:
    def snapshot(name: str) -> list[tuple[object, ...]]:
        app = bootstrap(
            Settings(database_url=f"sqlite:///{tmp_path / name}"), clock=lambda: FIXED_NOW
        )
        try:
            info = seed_demo(app, orders=20, seed=3)
            with app.uow() as uow:
                orders = [uow.orders.get("demo", oid) for oid in info.order_ids]
        finally:
            app.dispose()
        return [
            (
                o.external_id,
                o.status,
                o.address,
                o.ship_by,
                [(ln.sku, ln.quantity, ln.unit_price, ln.address) for ln in o.lines],
                [
                    (p.number, p.status, p.items, p.logistics and p.logistics.tracking_number)
                    for p in o.packages
                ],
            )
            for o in orders
        ]

    assert snapshot("a.db") == snapshot("b.db")


# ---- shops and keys ----------------------------------------------------------------------------


def test_shops_create_and_keys_create(db_url: str) -> None:
    created = ok("shops", "create", "Acme 跨境", "--id", "acme")
    assert "Created shop acme" in created.stdout

    taken = run("shops", "create", "Other", "--id", "acme")
    assert taken.exit_code == 1
    assert "exists already" in taken.stderr and "Traceback" not in taken.output

    made = ok("keys", "create", "--shop", "acme")
    key = made.stdout.strip()
    assert KEY.fullmatch(key), made.stdout
    assert "will not be shown again" in made.stderr
    with opened(db_url) as app:
        assert shops.authenticate(app.uow(), key) == "acme"

    listed = ok("shops", "list")
    assert "acme" in listed.stdout and "Acme 跨境" in listed.stdout


def test_keys_list_and_revoke(db_url: str) -> None:
    ok("shops", "create", "Acme", "--id", "acme")
    first = ok("keys", "create", "--shop", "acme").stdout.strip()
    second = ok("keys", "create", "--shop", "acme").stdout.strip()

    listed = ok("keys", "list", "--shop", "acme").stdout
    assert first[:8] in listed and second[:8] in listed
    assert first not in listed and second not in listed  # secrets are never shown

    revoked = ok("keys", "revoke", first[:8], "--shop", "acme")
    assert "Revoked API key" in revoked.stdout
    with opened(db_url) as app:
        with pytest.raises(NotFound):
            shops.authenticate(app.uow(), first)
        assert shops.authenticate(app.uow(), second) == "acme"
    again = run("keys", "revoke", first[:8], "--shop", "acme")
    assert again.exit_code == 1 and "revoked already" in again.stderr
    unknown = run("keys", "revoke", "sk_nope", "--shop", "acme")
    assert unknown.exit_code == 1 and "keys list --shop acme" in unknown.stderr
    after = ok("keys", "list", "--shop", "acme").stdout
    assert after.count("—") == 1  # only the second key is still valid


# ---- imports -----------------------------------------------------------------------------------

SKUS_CSV = """
code,name,weight_g,length_mm,width_mm,height_mm,tags,category,declared_value
MUG,Ceramic Mug / 马克杯,380,120,90,100,fragile,home,8.99
TEA,Oolong Tea,300,150,100,80,,food,12.99
BAD,Broken row,-5,,,,,,
"""

ORDERS_CSV = """
order_id,seller_sku,quantity,price,buyer_name,buyer_email,address_line1,city,region,postal_code,country
A-1001,MUG,2,8.99,Ann Lee,ann@example.com,1 Main St,Austin,TX,78701,US
A-1001,TEA,1,12.00,Ann Lee,ann@example.com,1 Main St,Austin,TX,78701,US
A-1002,NOPE,1,5.00,Bo Chen,bo@example.com,2 High St,London,,EC1A 1BB,GB
A-1003,MUG,x,8.99,Cy Park,cy@example.com,3 Oak Ave,Seattle,WA,98101,US
A-1004,TEA,3,12.00,Di Wu,di@example.com,Hauptstraße 4,Berlin,BE,10115,DE
A-1005,MUG,1,8.99,Ed Kim,ed@example.com,5 Pine St,Boston,MA,02108,USA
"""


def test_orders_import_reports_bad_rows_and_keeps_good_ones(db_url: str, tmp_path: Path) -> None:
    ok("shops", "create", "Acme", "--id", "acme")
    skus = run("skus", "import", write(tmp_path / "skus.csv", SKUS_CSV), "--shop", "acme")
    assert skus.exit_code == 1
    assert "2 SKU(s) saved" in skus.stdout and "weight_g" in skus.stdout

    orders_file = write(tmp_path / "orders.csv", ORDERS_CSV)
    errors_out = tmp_path / "errors.csv"
    first = run("orders", "import", orders_file, "--shop", "acme", "--errors-out", errors_out)
    assert first.exit_code == 1, first.output
    assert "2 order(s) imported" in first.stdout
    table = first.stdout[first.stdout.index("Rejected rows") :]
    for row, field in ((4, "seller_sku"), (5, "quantity"), (7, "country")):
        assert re.search(rf"│\s+{row} │ {field}\s", table), table
    assert "Traceback" not in first.output
    with errors_out.open(encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert [(r["row"], r["field"]) for r in written] == [
        ("4", "seller_sku"),
        ("5", "quantity"),
        ("7", "country"),
    ]
    assert sorted(o.external_id for o in all_orders(db_url, "acme")) == ["A-1001", "A-1004"]

    again = run("orders", "import", orders_file, "--shop", "acme")
    assert again.exit_code == 1
    assert "0 order(s) imported, 2 already known" in again.stdout
    assert len(all_orders(db_url, "acme")) == 2


def test_orders_import_reads_tiktok_json(db_url: str, tmp_path: Path) -> None:
    ok("shops", "create", "Acme", "--id", "acme")
    run("skus", "import", write(tmp_path / "skus.csv", SKUS_CSV), "--shop", "acme")
    payload = """
{"data": {"orders": [{
  "id": "576800000000000001",
  "payment": {"currency": "USD"},
  "buyer_email": "buyer1@example.com",
  "recipient_address": {"name": "Ann Lee", "address_line1": "1 Main St", "city": "Austin",
                        "state": "TX", "postal_code": "78701", "region_code": "US"},
  "line_items": [{"seller_sku": "MUG", "sale_price": "8.99"},
                 {"seller_sku": "MUG", "sale_price": "8.99"}]
}]}}
"""
    done = ok("orders", "import", write(tmp_path / "orders.json", payload), "--shop", "acme")
    assert "1 order(s) imported" in done.stdout
    (order,) = all_orders(db_url, "acme")
    assert (order.source, [(ln.sku, ln.quantity) for ln in order.lines]) == ("tiktok", [("MUG", 2)])


def test_stock_set_and_import(demo_url: str, tmp_path: Path) -> None:
    ok(
        "stock",
        "set",
        "--shop",
        "demo",
        "--warehouse",
        "LA",
        "--sku",
        "TEA-OOLONG",
        "--on-hand",
        "7",
    )
    with opened(demo_url) as app, app.uow() as uow:
        la = next(w for w in uow.catalog.warehouses("demo") if w.code == "LA")
    assert la.stock["TEA-OOLONG"].on_hand == 7

    unknown = run(
        "stock", "set", "--shop", "demo", "--warehouse", "LA", "--sku", "NOPE", "--on-hand", "1"
    )
    assert unknown.exit_code == 1 and "unknown SKU 'NOPE'" in unknown.stderr

    stock = write(
        tmp_path / "stock.csv", "warehouse,sku,on_hand\nSZ,MUG-CERAMIC,4\nXX,STICKERS,1\n"
    )
    imported = run("stock", "import", stock, "--shop", "demo")
    assert imported.exit_code == 1
    assert "1 stock level(s) set" in imported.stdout and "no warehouse 'XX'" in imported.stdout


# ---- orders list / show ------------------------------------------------------------------------


def test_orders_list_and_show(demo_url: str) -> None:
    listed = ok("orders", "list", "--shop", "demo", "--status", "shipped")
    rows = [ln for ln in listed.stdout.splitlines() if re.match(r"│ \d{18} ", ln)]
    assert rows and all("│ shipped " in ln for ln in rows)

    orders = all_orders(demo_url)
    partial = next(o for o in orders if o.status is OrderStatus.PARTIALLY_SHIPPED)
    shipped_pkg = next(p for p in partial.packages if p.is_shipped)
    assert shipped_pkg.logistics is not None

    shown = ok("orders", "show", partial.external_id, "--shop", "demo")
    for expected in (
        "Lines",
        "Packages",
        "partially_shipped",
        partial.lines[0].sku,
        shipped_pkg.id,
    ):
        assert expected in shown.stdout
    if shipped_pkg.logistics.tracking_number:
        assert shipped_pkg.logistics.tracking_number in shown.stdout
    assert ok("orders", "show", partial.id, "--shop", "demo").stdout == shown.stdout

    held = next(o for o in orders if o.status is OrderStatus.ON_HOLD)
    shown_held = ok("orders", "show", held.external_id, "--shop", "demo").stdout
    assert "Holds" in shown_held and "address_check" in shown_held

    searched = ok("orders", "list", "--shop", "demo", "--search", partial.external_id)
    assert partial.external_id in searched.stdout and "1 of 1 order(s)" in searched.stdout


# ---- split and ship ----------------------------------------------------------------------------


def _order_to_split(url: str) -> Order:
    """An order with two or more lines that ships whole from Shenzhen by DHL."""
    with opened(url) as app, app.uow() as uow:
        shenzhen = next(w for w in uow.catalog.warehouses("demo") if w.code == "SZ")
    for order in all_orders(url):
        if (
            order.status is OrderStatus.AWAITING_SHIPMENT
            and not order.packages
            and len(order.lines) >= 2
            and order.address.country in ("US", "GB", "DE")
            and all(ln.address is None for ln in order.lines)
            and all(shenzhen.available(ln.sku) >= ln.quantity for ln in order.lines)
            and sum(ln.quantity * ln.attributes.weight_g for ln in order.lines) < 25_000
        ):
            return order
    raise AssertionError("the demo has no order to split")


def test_split_then_ship_moves_the_order_to_partially_shipped_then_shipped(demo_url: str) -> None:
    order = _order_to_split(demo_url)
    specs = [f"{ln.id}:{ln.quantity}" for ln in order.lines]
    args = [arg for spec in specs for arg in ("--package", spec)]
    split = ok("split", order.external_id, "--shop", "demo", *args, "--warehouse", "SZ")
    assert "awaiting_shipment" in split.stdout

    numbers = range(1, len(specs) + 1)
    for n in numbers:
        shipped = ok(
            "ship",
            f"{order.external_id}#{n}",
            "--shop",
            "demo",
            "--tracking",
            dhl_number(123_456_700 + n),
            "--confirm-channel",
            "dhl-express",
        )
        expected = "shipped" if n == len(specs) else "partially_shipped"
        assert f"is now {expected}" in shipped.stdout, shipped.output
        (now,) = [o for o in all_orders(demo_url) if o.id == order.id]
        assert now.status.value == expected

    shown = ok("orders", "show", order.id, "--shop", "demo").stdout
    assert dhl_number(123_456_701) in shown and "dhl-express" in shown


def test_ship_batch_reports_a_result_per_row(demo_url: str, tmp_path: Path) -> None:
    orders = all_orders(demo_url)
    ready = next((o, p) for o in orders for p in o.packages if p.status is PackageStatus.READY)
    shipped = next((o, p) for o in orders for p in o.packages if p.status is PackageStatus.SHIPPED)
    batch = write(
        tmp_path / "batch.csv",
        "package_id,order_id,package_number,carrier,tracking_number,ship_time\n"
        f",{ready[0].external_id},{ready[1].number},yunexpress,YT1234567890123456,"
        "2026-03-02T10:00:00+08:00\n"
        f"{shipped[1].id},,,,YT6543210987654321,\n"
        "no-such-package,,,,YT1111111111111111,\n",
    )
    result = run("ship-batch", batch, "--shop", "demo")
    assert result.exit_code == 1, result.output
    assert "1 shipped, 2 failed" in result.stdout
    lines = result.stdout.splitlines()
    assert any(re.search(r"│\s+2 │.*│ shipped ", ln) for ln in lines), result.stdout
    assert any(re.search(r"│\s+3 │.*│ failed ", ln) for ln in lines)
    assert "package no-such-package not found" in result.stdout
    (after,) = [o for o in all_orders(demo_url) if o.id == ready[0].id]
    assert after.package(ready[1].id).status is PackageStatus.SHIPPED


def test_a_service_error_prints_a_message_without_traceback(demo_url: str) -> None:
    order = _order_to_split(demo_url)
    too_many = run("split", order.external_id, "--shop", "demo", "--package", "L1:999")
    assert too_many.exit_code == 1
    assert "Error: line L1 has" in too_many.stderr and "cannot put 999" in too_many.stderr
    assert "where: items" in too_many.stderr
    assert "Traceback" not in too_many.output
    assert isinstance(too_many.exception, SystemExit)

    unknown_shop = run("orders", "list", "--shop", "nope")
    assert unknown_shop.exit_code == 1 and "shop nope not found" in unknown_shop.stderr

    bad_spec = run("split", order.external_id, "--shop", "demo", "--package", "L1=2")
    assert bad_spec.exit_code == 2 and "LINE:UNITS" in bad_spec.output


def test_db_upgrade_on_a_fresh_database(db_url: str) -> None:
    result = ok("db", "upgrade")
    assert "is up to date" in result.stdout
    assert ok("db", "upgrade").exit_code == 0


# ---- splitship up ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_up_seeds_prints_the_key_and_serves_the_api(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "SPLITSHIP_DATABASE_URL": f"sqlite:///{tmp_path / 'up.db'}",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "120",
    }
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    command = [sys.executable, "-m", "splitship.entrypoints.cli", "up", "--port", str(port)]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=tmp_path)
    try:
        docs = _wait_for(f"{base}/docs", proc, err_path)
        assert docs.status_code == 200
        spec_url = re.search(r"""url: ?['"]([^'"]*openapi\.json)['"]""", docs.text)
        assert spec_url is not None, docs.text[:500]
        spec = httpx.get(base + spec_url.group(1), timeout=5)
        assert spec.status_code == 200 and "paths" in spec.json()

        printed = out_path.read_text(encoding="utf-8")
        assert f"{base}/docs" in printed and f"{base}/t/" in printed and "curl" in printed
        key = KEY.search(printed)
        assert key is not None, printed
        orders = httpx.get(
            f"{base}/api/v1/orders",
            headers={"Authorization": f"Bearer {key.group()}"},
            timeout=5,
        )
        assert orders.status_code == 200, orders.text
        assert httpx.get(f"{base}/api/v1/orders", timeout=5).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl+C sends
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    assert proc.returncode == 0, err_path.read_text(encoding="utf-8")
    assert "Application shutdown complete" in err_path.read_text(encoding="utf-8")


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"splitship up exited early:\n{log.read_text(encoding='utf-8')}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within 60 s:\n{log.read_text(encoding='utf-8')}")


def test_demo_clock_offsets_are_relative(db_url: str) -> None:
    """Deadlines and pre-sale dates follow the app's clock, so the demo never looks stale."""
    with opened(db_url) as app:
        app.clock = lambda: FIXED_NOW
        seed_demo(app, orders=10)
        with app.uow() as uow:
            presale = [s for s in uow.catalog.skus("demo") if s.attributes.available_from]
    orders = all_orders(db_url)
    assert presale and all(
        s.attributes.available_from and s.attributes.available_from > FIXED_NOW.date()
        for s in presale
    )
    assert all(o.ship_by and FIXED_NOW < o.ship_by < FIXED_NOW + timedelta(days=5) for o in orders)


def test_worker_once_delivers_what_is_due_and_takes_a_retention(demo_url: str) -> None:
    refused = run("worker", "--once", "--retention-days", "-1")
    assert refused.exit_code == 2 and "retention-days" in refused.output

    done = ok("worker", "--once", "--retention-days", "0")

    assert re.search(r"\d+ event\(s\) fanned out; \d+ delivered", done.output), done.output
    again = ok("worker", "--once")  # nothing left to fan out, nothing old enough to forget
    assert again.output.startswith("0 event(s) fanned out") and "forgot" not in again.output
