"""``splitship rules`` and ``splitship plan`` end to end on a real SQLite file per test."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from factories import ShopFixture, make_shop
from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.demo import DEMO_SHOP_ID, seed_demo
from splitship.domain.order import Address, Order
from splitship.domain.status import PackageStatus
from splitship.entrypoints.cli import app as cli
from splitship.planning.rules import rule_set_to_dict
from splitship.services import orders, planning, shops
from splitship.services.orders import LineDraft, OrderDraft
from splitship.services.unit_of_work import OrderFilter

EXAMPLE_RULES = Path(__file__).parents[2] / "docs" / "examples" / "rules.yaml"
HOME = Address("Ada Buyer", "1 Main St", "Austin", "US", "TX", "78701")

BAD_RULES = """
rules:
  - id: seg
    type: tag_segregation
    params: {groups: [[battery]]}
  - id: fast
    type: channel_preference
    params: {objective: quickest, allowed: [pigeon-post]}
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SPLITSHIP_SHOP", "SPLITSHIP_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def app(db: str) -> Iterator[App]:
    wired = bootstrap(Settings(env="test", database_url=db))
    yield wired
    wired.dispose()


@pytest.fixture
def shop(app: App) -> ShopFixture:
    return make_shop(app)


def import_order(app: App, shop_id: str, external_id: str, lines: list[tuple[str, int]]) -> str:
    draft = OrderDraft("tiktok", external_id, HOME, [LineDraft(s, q, 1500) for s, q in lines])
    report = orders.import_orders(app.uow(), shop_id, [draft])
    assert report.ok, report.errors
    return report.order_ids[0]


def mixed(app: App, shop_id: str, external_id: str = "TT-1") -> str:
    return import_order(app, shop_id, external_id, [("TEE", 2), ("POWERBANK", 1), ("PERFUME", 1)])


def load(app: App, shop_id: str, order_id: str) -> Order:
    with app.uow() as uow:
        return uow.orders.get(shop_id, order_id)


def run(db: str, *args: str | Path) -> Result:
    """One command as a user runs it; a crash (not a clean exit) fails the test at once."""
    result = CliRunner().invoke(
        cli, [str(a) for a in args] + ["--database-url", db], env={"COLUMNS": "200"}
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def ok(db: str, *args: str | Path) -> Result:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result


def rules_of(db: str, shop_id: str) -> object:
    return yaml.safe_load(ok(db, "rules", "show", "--shop", shop_id).output)


# ---- rules -------------------------------------------------------------------------------


def test_rules_show_prints_the_default_set_as_yaml_or_json(db: str, shop: ShopFixture) -> None:
    shown = rules_of(db, shop.shop_id)
    assert isinstance(shown, dict)
    assert "segregate-dangerous" in [r["id"] for r in shown["rules"]]
    as_json = ok(db, "rules", "show", "--shop", shop.shop_id, "--format", "json").output
    assert yaml.safe_load(as_json) == shown  # JSON is YAML too


def test_rules_load_replaces_the_set_and_show_reads_it_back(
    db: str, shop: ShopFixture, tmp_path: Path
) -> None:
    path = tmp_path / "rules.json"
    path.write_text(
        '{"rules": [{"id": "h", "type": "handling_cost", "params": {"per_package": 70}}]}',
        encoding="utf-8",
    )
    loaded = ok(db, "rules", "load", path, "--shop", shop.shop_id)
    assert "1 rule(s)" in loaded.output
    assert rules_of(db, shop.shop_id) == {
        "version": 1,
        "rules": [{"id": "h", "type": "handling_cost", "params": {"per_package": 70}}],
    }


def test_a_bad_rule_file_is_refused_with_every_error_and_the_old_set_kept(
    db: str, shop: ShopFixture, tmp_path: Path
) -> None:
    before = rules_of(db, shop.shop_id)
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_RULES, encoding="utf-8")

    refused = run(db, "rules", "load", path, "--shop", shop.shop_id)

    assert refused.exit_code == 1
    out = refused.output
    assert "refused" in out and "Nothing changed" in out
    for rule_id, field in (
        ("seg", "params.groups"),
        ("fast", "params.objective"),
        ("fast", "params.allowed"),
    ):
        assert any(rule_id in line and field in line for line in out.splitlines()), (
            rule_id,
            field,
            out,
        )
    assert "pigeon-post" in out
    assert rules_of(db, shop.shop_id) == before


def test_rules_load_reports_a_yaml_syntax_error_with_its_line(
    db: str, shop: ShopFixture, tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("rules:\n  - id: x\n    type: [unclosed\n", encoding="utf-8")
    refused = run(db, "rules", "load", path, "--shop", shop.shop_id)
    assert refused.exit_code == 1
    assert "document" in refused.output and "line" in refused.output


# ---- plan --------------------------------------------------------------------------------


def test_plan_previews_an_order_without_changing_it(app: App, db: str, shop: ShopFixture) -> None:
    order_id = mixed(app, shop.shop_id)
    before = load(app, shop.shop_id, order_id)

    shown = ok(db, "plan", "TT-1", "--shop", shop.shop_id, "--lang", "en")

    out = shown.output
    assert "Plan for order TT-1" in out
    assert "POWERBANK×1" in out and "PERFUME×1" in out
    assert "battery, liquid must not share a parcel" in out
    assert "Preview only" in out and "nothing was changed" in out
    assert load(app, shop.shop_id, order_id).version == before.version
    assert load(app, shop.shop_id, order_id).packages == []


def test_plan_shows_reasons_in_the_shops_language_by_default(
    app: App, db: str, shop: ShopFixture
) -> None:
    mixed(app, shop.shop_id)
    chinese = ok(db, "plan", "TT-1", "--shop", shop.shop_id).output  # the shop reads zh_Hans
    assert "不能同箱" in chinese
    shops.update_settings(app.uow(), shop.shop_id, {"default_locale": "en"})
    assert "must not share a parcel" in ok(db, "plan", "TT-1", "--shop", shop.shop_id).output


def test_plan_apply_and_confirm_creates_ready_packages(
    app: App, db: str, shop: ShopFixture
) -> None:
    order_id = mixed(app, shop.shop_id)

    applied = ok(db, "plan", "TT-1", "--shop", shop.shop_id, "--apply", "--confirm")

    assert "Applied: 2 package(s) created (confirmed)" in applied.output
    order = load(app, shop.shop_id, order_id)
    assert [p.status for p in order.packages] == [PackageStatus.READY] * 2
    assert all(p.warehouse_id and p.channel_id and p.reasons for p in order.packages)
    assert order.unassigned_items() == {}
    again = run(db, "plan", "TT-1", "--shop", shop.shop_id, "--apply")
    assert again.exit_code == 1 and "no unassigned units" in again.output


def test_plan_apply_with_expect_refuses_a_plan_that_changed_since_the_preview(
    app: App, db: str, shop: ShopFixture
) -> None:
    order_id = mixed(app, shop.shop_id)
    preview = ok(db, "plan", "TT-1", "--shop", shop.shop_id, "--lang", "en").output
    found = re.search(r"--expect ([0-9a-f]{16})", preview)
    assert found is not None, preview
    # a handling cost appears between the preview and the apply: the order is unchanged
    doc = rule_set_to_dict(planning.get_rules(app.uow(), shop.shop_id))
    doc["rules"] = [r for r in doc["rules"] if r["type"] != "handling_cost"]
    doc["rules"].append({"id": "handling", "type": "handling_cost", "params": {"per_package": 150}})
    planning.put_rules(app.uow(), shop.shop_id, doc, "json")

    stale = run(db, "plan", "TT-1", "--shop", shop.shop_id, "--apply", "--expect", found[1])

    assert stale.exit_code == 1 and "no longer the one previewed" in stale.output
    assert load(app, shop.shop_id, order_id).packages == []
    again = ok(db, "plan", "TT-1", "--shop", shop.shop_id).output
    fresh = re.search(r"--expect ([0-9a-f]{16})", again)
    assert fresh is not None and fresh[1] != found[1]
    applied = ok(db, "plan", "TT-1", "--shop", shop.shop_id, "--apply", "--expect", fresh[1])
    assert "Applied: 2 package(s) created (open)" in applied.output


def test_plan_refuses_unclear_requests(db: str, shop: ShopFixture) -> None:
    neither = run(db, "plan", "--shop", shop.shop_id)
    assert neither.exit_code == 1 and "ORDER or --all" in neither.output
    both = run(db, "plan", "TT-1", "--all", "--shop", shop.shop_id)
    assert both.exit_code == 1
    confirm_alone = run(db, "plan", "TT-1", "--shop", shop.shop_id, "--confirm")
    assert confirm_alone.exit_code == 1 and "--apply" in confirm_alone.output
    expect_alone = run(db, "plan", "TT-1", "--shop", shop.shop_id, "--expect", "0" * 16)
    assert expect_alone.exit_code == 1 and "--apply" in expect_alone.output
    unknown = run(db, "plan", "NOPE", "--shop", shop.shop_id)
    assert unknown.exit_code == 1 and "no order" in unknown.output


def test_plan_all_previews_then_applies_with_a_summary(
    app: App, db: str, shop: ShopFixture
) -> None:
    ids = [mixed(app, shop.shop_id, "TT-1"), import_order(app, shop.shop_id, "TT-2", [("TEE", 1)])]

    dry = ok(db, "plan", "--all", "--shop", shop.shop_id)

    assert "Plan summary (dry run)" in dry.output
    assert "Dry run: nothing was changed" in dry.output
    for label in ("Orders looked at", "Orders split", "Packages", "Total cost", "Naive baseline"):
        assert label in dry.output
    assert all(load(app, shop.shop_id, i).packages == [] for i in ids)

    applied = ok(db, "plan", "--all", "--shop", shop.shop_id, "--apply")

    assert "Plan summary" in applied.output and "dry run" not in applied.output
    lines = {ln.split("│")[1].strip(): ln.split("│")[2].strip() for ln in _rows(applied.output)}
    assert lines["Orders looked at"] == "2"
    assert lines["Orders split"] == "1"
    assert lines["Packages"] == "3"
    assert lines["Failures"] == "0"
    assert all(load(app, shop.shop_id, i).unassigned_items() == {} for i in ids)


def _rows(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith("│") and ln.count("│") == 3]


def test_import_applies_the_plan_when_the_shop_asks(
    app: App, db: str, shop: ShopFixture, tmp_path: Path
) -> None:
    shops.update_settings(app.uow(), shop.shop_id, {"auto_apply_plan_on_import": True})
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,seller_sku,quantity,price,buyer_name,address_line1,city,region,postal_code,country\n"
        "CSV-1,POWERBANK,1,10.00,Ada Buyer,1 Main St,Austin,TX,78701,US\n"
        "CSV-1,PERFUME,1,10.00,Ada Buyer,1 Main St,Austin,TX,78701,US\n",
        encoding="utf-8",
    )
    imported = run(db, "orders", "import", path, "--shop", shop.shop_id)
    assert imported.exit_code == 0, imported.output
    assert "Plan applied automatically to 1 order(s)" in imported.output
    with app.uow() as uow:
        [order] = uow.orders.search(shop.shop_id, OrderFilter(limit=100)).orders
    assert len(order.packages) == 2


# ---- the demo shop and the example rule file ------------------------------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    seeded = bootstrap(Settings(env="test", database_url=f"sqlite:///{path}"))
    try:
        seed_demo(seeded)
    finally:
        seeded.dispose()
    return path


def test_the_example_rule_file_loads_into_the_demo_shop_and_plans_every_order(
    demo_template: Path, tmp_path: Path
) -> None:
    shutil.copyfile(demo_template, tmp_path / "demo.db")
    wal = demo_template.with_name(demo_template.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, tmp_path / "demo.db-wal")
    db = f"sqlite:///{tmp_path / 'demo.db'}"

    loaded = ok(db, "rules", "load", EXAMPLE_RULES, "--shop", DEMO_SHOP_ID)
    assert "11 rule(s)" in loaded.output

    summary = ok(db, "plan", "--all", "--shop", DEMO_SHOP_ID, "--lang", "en")
    rows = {ln.split("│")[1].strip(): ln.split("│")[2].strip() for ln in _rows(summary.output)}
    assert int(rows["Orders planned"]) > 0
    assert rows["Failures"] == "0"
