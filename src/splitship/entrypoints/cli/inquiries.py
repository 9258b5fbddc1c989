"""``splitship inquiries list|show|answer|resolve|close``: buyer questions, seller side."""

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from splitship.bootstrap import App
from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    guarded,
    local_time,
    opened,
    out,
    plain,
)
from splitship.entrypoints.cli.render import status_text
from splitship.services import inquiries
from splitship.services.inquiries import InquiryWithOrder

InquiryId = Annotated[str, typer.Argument(help="Inquiry id")]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Buyer questions and complaints.", no_args_is_help=True)
    group.command("list")(list_command)
    group.command("show")(show_command)
    group.command("answer")(answer_command)
    group.command("resolve")(resolve_command)
    group.command("close")(close_command)
    app.add_typer(group, name="inquiries")


def _tz(app_tz: str | None) -> str:
    return app_tz or "UTC"


@guarded
def list_command(
    shop: ShopOption,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open ones past reply-by")
    ] = False,
    status: Annotated[str | None, typer.Option("--status", help="open, answered, ...")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The shop's inquiries, those due soonest first."""
    with opened(database_url) as app:
        found = inquiries.list_inquiries(
            app.uow(CLI_ACTOR), shop, status=status, overdue=overdue, limit=500
        )
        now = app.clock()
        tz = _tz(_shop_tz(app, shop))
    table = Table(title_justify="left")
    for column in ("Id", "Order", "Pkg", "Category", "Status", "Reply by", "Last message"):
        table.add_column(column, no_wrap=column != "Last message")
    for f in found:
        i = f.inquiry
        late = i.is_overdue(now)
        table.add_row(
            plain(i.id),
            plain(f.external_id),
            plain(f.package_number or "—"),
            plain(i.category.value),
            status_text(i.status.value),
            Text(
                local_time(i.reply_by, tz) + (" OVERDUE" if late else ""),
                style="bold red" if late else "",
            ),
            plain(i.messages[-1].body[:60] if i.messages else ""),
        )
    out().print(table if found else plain("No inquiries."))


@guarded
def show_command(inquiry_id: InquiryId, shop: ShopOption, database_url: DatabaseUrl = None) -> None:
    """One inquiry with its whole thread."""
    with opened(database_url) as app:
        found = inquiries.get_inquiry(app.uow(CLI_ACTOR), shop, inquiry_id)
        tz = _tz(_shop_tz(app, shop))
    _print_thread(found, tz)


@guarded
def answer_command(
    inquiry_id: InquiryId,
    shop: ShopOption,
    message: Annotated[str, typer.Option("--message", "-m", help="The answer to the buyer")],
    database_url: DatabaseUrl = None,
) -> None:
    """Answer the buyer (shown on the tracking page and e-mailed)."""
    with opened(database_url) as app:
        inquiries.answer_inquiry(app.uow(CLI_ACTOR), shop, inquiry_id, message)
        found = inquiries.get_inquiry(app.uow(CLI_ACTOR), shop, inquiry_id)
        tz = _tz(_shop_tz(app, shop))
    _print_thread(found, tz)


@guarded
def resolve_command(
    inquiry_id: InquiryId, shop: ShopOption, database_url: DatabaseUrl = None
) -> None:
    """Mark the inquiry resolved."""
    with opened(database_url) as app:
        done = inquiries.resolve_inquiry(app.uow(CLI_ACTOR), shop, inquiry_id)
    out().print(plain(f"inquiry {done.id} is {done.status.value}"))


@guarded
def close_command(
    inquiry_id: InquiryId, shop: ShopOption, database_url: DatabaseUrl = None
) -> None:
    """Close the inquiry without resolving it."""
    with opened(database_url) as app:
        done = inquiries.close_inquiry(app.uow(CLI_ACTOR), shop, inquiry_id)
    out().print(plain(f"inquiry {done.id} is {done.status.value}"))


def _shop_tz(app: App, shop: str) -> str | None:
    with app.uow(CLI_ACTOR) as uow:
        return uow.shops.get(shop).settings.timezone


def _print_thread(found: InquiryWithOrder, tz: str) -> None:
    i = found.inquiry
    console = out()
    about = f"package {found.package_number}" if found.package_number else "the whole order"
    console.print(plain(f"Inquiry {i.id} · order {found.external_id} · about {about}"))
    console.print(Text.assemble("Status: ", status_text(i.status.value), f" · {i.category.value}"))
    if i.reply_by:
        console.print(plain(f"Reply by: {local_time(i.reply_by, tz)}"))
    for m in i.messages:
        console.print(Text(f"\n{m.author.value} · {local_time(m.at, tz)}", style="bold"))
        console.print(plain(m.body))
