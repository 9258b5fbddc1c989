"""``splitship rules`` and ``splitship plan``: the shop's split rules, and the planner's plans.

splitship rules show --shop S [--format yaml|json]
splitship rules load rules.yaml --shop S          # refused whole, every error listed
splitship plan ORDER --shop S [--apply [--confirm]] [--lang en|zh_Hans]
splitship plan --all --shop S [--apply [--confirm]]
"""

import json
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml
from babel.numbers import get_currency_precision
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from splitship.domain.order import Order
from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    err,
    fail,
    find_order,
    guarded,
    opened,
    out,
    plain,
    read_text,
)
from splitship.entrypoints.cli.render import Names
from splitship.planning.planner import Plan
from splitship.planning.reasons import Reason
from splitship.planning.rules import rule_set_to_dict
from splitship.services import planning
from splitship.services.planning import PlanAllSummary, RuleSetInvalid
from splitship.services.unit_of_work import UnitOfWork

rules_app = typer.Typer(help="Show and load the shop's split rules.", no_args_is_help=True)


class RulesFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"


class FileFormat(StrEnum):
    AUTO = "auto"
    YAML = "yaml"
    JSON = "json"


class Lang(StrEnum):
    EN = "en"
    ZH_HANS = "zh_Hans"


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
    app.command("plan")(plan_command)


# ---- formatting ------------------------------------------------------------------------


def money(minor: int | None, currency: str) -> str:
    if minor is None:
        return "—"
    digits = get_currency_precision(currency)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f} {currency}"


def said(reason: Reason, lang: str) -> str:
    """The reason in the reader's language (English when there is no Chinese sentence)."""
    return reason.zh if lang == Lang.ZH_HANS and reason.zh else reason.en


# ---- rules -------------------------------------------------------------------------------


@rules_app.command("show")
@guarded
def rules_show_command(
    shop: ShopOption,
    fmt: Annotated[RulesFormat, typer.Option("--format", help="yaml or json")] = RulesFormat.YAML,
    database_url: DatabaseUrl = None,
) -> None:
    """Print the shop's rule set (the default one until the shop loads its own)."""
    with opened(database_url) as app:
        rules = planning.get_rules(app.uow(CLI_ACTOR), shop)
    doc = rule_set_to_dict(rules)
    if fmt is RulesFormat.JSON:
        text = json.dumps(doc, indent=2, ensure_ascii=False)
    else:
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    # Printed as is: a rule set is data, never Rich markup; no wrapping, so it loads back.
    Console(highlight=False, soft_wrap=True).print(Text(text.rstrip("\n")))


@rules_app.command("load")
@guarded
def rules_load_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="YAML or JSON file")
    ],
    shop: ShopOption,
    fmt: Annotated[
        FileFormat, typer.Option("--format", help="auto: by the file name (.json is JSON)")
    ] = FileFormat.AUTO,
    database_url: DatabaseUrl = None,
) -> None:
    """Replace the shop's rule set with the file's. A file with any error is refused whole (every
    error listed with its rule id and field) and the shop keeps the rule set it had."""
    text = read_text(file)
    kind = fmt.value
    if fmt is FileFormat.AUTO:
        kind = "json" if file.suffix.lower() == ".json" else "yaml"
    with opened(database_url) as app:
        try:
            rules = planning.put_rules(app.uow(CLI_ACTOR), shop, text, kind)
        except RuleSetInvalid as exc:
            console = err()
            console.print(
                Text(
                    f"Error: {file.name} was refused: {len(exc.errors)} error(s). "
                    "Nothing changed: the shop keeps its rule set.",
                    style="bold red",
                )
            )
            console.print(rule_errors_table(exc))
            raise typer.Exit(1) from None
    out().print(
        plain(f"Rule set of shop {shop} replaced: {len(rules.rules)} rule(s) from {file.name}.")
    )


def rule_errors_table(exc: RuleSetInvalid) -> Table:
    table = Table(title="Rule set errors", title_justify="left", title_style="bold red")
    table.add_column("Rule", no_wrap=True)
    table.add_column("Field", no_wrap=True)
    table.add_column("Message")
    for e in exc.errors:
        table.add_row(plain(e.rule_id or "—"), plain(e.field), plain(e.message))
    return table


# ---- plan --------------------------------------------------------------------------------


@guarded
def plan_command(
    shop: ShopOption,
    order: Annotated[
        str | None, typer.Argument(help="Order id or marketplace order id (or --all)")
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every order awaiting shipment with units to pack")
    ] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Create the planned packages (default: preview only)")
    ] = False,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="With --apply: also confirm them (reserves stock)")
    ] = False,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="With --apply: the fingerprint a preview printed; refuse if the plan differs",
        ),
    ] = None,
    lang: Annotated[
        Lang | None,
        typer.Option("--lang", help="Language of the reasons (default: the shop's)"),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Preview the planner's split of an order, or of every awaiting order; --apply creates it.

    Each package says why it exists (rule, channel limit, tag conflict, stock, ...); units that
    cannot ship at all are listed with the reason.
    """
    if every == (order is not None):
        raise fail("give one ORDER or --all", hint="splitship plan TT-1001 --shop demo")
    if confirm and not apply:
        raise fail("--confirm confirms the packages --apply creates: add --apply")
    if expect is not None and (not apply or every):
        raise fail("--expect checks the plan one ORDER --apply creates: add --apply, drop --all")
    with opened(database_url) as app:
        with app.uow(CLI_ACTOR) as uow:
            settings = uow.shops.get(shop).settings
            names = Names.load(uow, shop)
            found = find_order(uow, shop, order) if order is not None else None
        language = lang.value if lang is not None else settings.default_locale
        if found is None:
            summary = _plan_every_order(app.uow_factory(CLI_ACTOR), shop, apply, confirm)
            console = out()
            console.print(summary_table(summary))
            if summary.unshippable:
                console.print(unshippable_summary_table(summary, language))
            if summary.failures:
                console.print(failures_table(summary))
            if not apply:
                console.print("Dry run: nothing was changed. Add --apply to create the packages.")
            if summary.failures:
                raise typer.Exit(1)
            return
        if apply:
            applied, proposal = planning.apply_plan(
                app.uow(CLI_ACTOR),
                shop,
                found.id,
                found.version,
                confirm=confirm,
                expected_plan=expect,
            )
        else:
            applied, proposal = planning.preview_plan(app.uow(CLI_ACTOR), shop, found.id)
    console = out()
    console.print(plan_table(applied, proposal, names, settings.currency, language))
    if proposal.unshippable:
        console.print(unshippable_table(applied, proposal, language))
    for note in proposal.notes:
        console.print(plain(f"Note: {said(note, language)}"))
    console.print(plain(totals_line(proposal, settings.currency)))
    if apply:
        state = "confirmed" if confirm else "open"
        console.print(
            plain(
                f"Applied: {len(proposal.packages)} package(s) created ({state}); order "
                f"{applied.external_id} is now at version {applied.version}."
            )
        )
    else:
        fingerprint = planning.plan_fingerprint(proposal)
        console.print(
            plain(
                f"Preview only (order version {applied.version}, plan {fingerprint}): nothing "
                f"was changed. Create these packages with: splitship plan "
                f"{applied.external_id} --shop {shop} --apply --expect {fingerprint}"
            )
        )


def _plan_every_order(
    uow_factory: Callable[[], UnitOfWork], shop: str, apply: bool, confirm: bool
) -> PlanAllSummary:
    with Progress(
        TextColumn("Applying plans" if apply else "Planning (dry run)"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out(),
    ) as progress:
        task = progress.add_task("plan", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return planning.plan_all(uow_factory, shop, apply=apply, confirm=confirm, progress=advance)


def plan_table(order: Order, proposal: Plan, names: Names, currency: str, lang: str) -> Table:
    table = Table(
        title=f"Plan for order {order.external_id}",
        title_justify="left",
        caption=f"{len(proposal.packages)} package(s); costs in {currency} incl. handling",
        caption_justify="left",
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Items")
    table.add_column("From", no_wrap=True)
    table.add_column("Channel", no_wrap=True)
    table.add_column("Box", no_wrap=True)
    table.add_column("Cost", justify="right", no_wrap=True)
    table.add_column("ETA", no_wrap=True)
    table.add_column("On time", no_wrap=True)
    table.add_column("Why")
    for number, p in enumerate(proposal.packages, start=1):
        items = ", ".join(f"{order.line(lid).sku}×{q}" for lid, q in p.items.items())
        eta = "—"
        if p.eta_earliest is not None:
            eta = f"{p.eta_earliest}–{p.eta_latest or p.eta_earliest}"
        table.add_row(
            plain(number),
            plain(items),
            plain(names.warehouses.get(p.warehouse_id, p.warehouse_id)),
            plain(names.channels.get(p.channel_id, p.channel_id)),
            plain(names.boxes.get(p.box_id, p.box_id) if p.box_id else "own packaging"),
            plain(money(p.cost, currency)),
            plain(eta),
            Text("yes", style="green") if p.on_time else Text("late", style="bold red"),
            plain("\n".join(said(r, lang) for r in p.reasons) or "—"),
        )
    return table


def unshippable_table(order: Order, proposal: Plan, lang: str) -> Table:
    table = Table(title="Cannot ship", title_justify="left", title_style="bold red")
    table.add_column("Line", no_wrap=True)
    table.add_column("SKU", no_wrap=True)
    table.add_column("Units", justify="right")
    table.add_column("Why")
    for u in proposal.unshippable:
        table.add_row(
            plain(u.line_id),
            plain(order.line(u.line_id).sku),
            plain(u.quantity),
            plain(said(u.reason, lang)),
        )
    return table


def totals_line(proposal: Plan, currency: str) -> str:
    line = f"Total: {money(proposal.total_cost, currency)}"
    if proposal.single_parcel_cost is None:
        return line + "; one parcel is not possible."
    saved = proposal.cost_saved or 0
    return (
        line + f"; as one parcel: {money(proposal.single_parcel_cost, currency)} "
        f"(saved {money(saved, currency)})."
    )


def summary_table(s: PlanAllSummary) -> Table:
    c = s.currency
    table = Table(title="Plan summary" + ("" if s.applied else " (dry run)"), title_justify="left")
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    rows = [
        ("Orders looked at", str(s.orders_seen)),
        ("Orders planned", str(s.orders_planned)),
        ("Orders split", str(s.orders_split)),
        ("Nothing left to plan", str(s.orders_skipped)),
        ("Packages", str(s.packages)),
        ("Total cost", money(s.total_cost, c)),
        (
            f"One parcel per order ({s.single_parcel_orders} orders)",
            money(s.single_parcel_cost_total, c),
        ),
        ("Saved against one parcel", money(s.cost_saved, c)),
        (f"Naive baseline ({s.baseline_orders} orders)", money(s.baseline_cost, c)),
        ("Saved against the baseline", money(s.baseline_saved, c)),
        ("Units that cannot ship", str(s.unshippable_units)),
        ("Failures", str(len(s.failures))),
    ]
    for label, value in rows:
        table.add_row(plain(label), plain(value))
    return table


def unshippable_summary_table(s: PlanAllSummary, lang: str) -> Table:
    table = Table(title="Cannot ship", title_justify="left", title_style="bold red")
    table.add_column("Order", no_wrap=True)
    table.add_column("SKU", no_wrap=True)
    table.add_column("Units", justify="right")
    table.add_column("Why")
    for u in s.unshippable:
        table.add_row(
            plain(u.external_id), plain(u.sku), plain(u.quantity), plain(said(u.reason, lang))
        )
    return table


def failures_table(s: PlanAllSummary) -> Table:
    table = Table(title="Not planned", title_justify="left", title_style="bold red")
    table.add_column("Order", no_wrap=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Message")
    for f in s.failures:
        table.add_row(plain(f.external_id or f.order_id), plain(f.code), plain(f.message))
    return table
