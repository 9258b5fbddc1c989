"""``splitship shops`` and ``splitship keys``: tenants and their API keys."""

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from splitship.domain.errors import Duplicate, NotFound
from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    err,
    guarded,
    opened,
    out,
    plain,
)
from splitship.services import shops

shops_app = typer.Typer(help="Shops (one per seller account).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys of a shop.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(shops_app, name="shops")
    app.add_typer(keys_app, name="keys")


@shops_app.command("create")
@guarded
def create_shop(
    name: Annotated[str, typer.Argument(help="Shop name shown to the seller")],
    shop_id: Annotated[
        str | None, typer.Option("--id", help="Shop id to use; default: a generated one")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a shop."""
    with opened(database_url) as app:
        if shop_id is not None:
            with app.uow(CLI_ACTOR) as uow:
                try:
                    uow.shops.get(shop_id)
                except NotFound:
                    pass
                else:
                    raise Duplicate(
                        f"a shop with id {shop_id!r} exists already: choose another --id",
                        field="--id",
                    )
        shop = shops.create_shop(app.uow(CLI_ACTOR), name, shop_id)
    console = out()
    console.print(Text.assemble("Created shop ", (shop.id, "bold"), f" ({shop.name})"))
    console.print(Text(f"Next: splitship keys create --shop {shop.id}"))


@shops_app.command("list")
@guarded
def list_shops(database_url: DatabaseUrl = None) -> None:
    """List the shops."""
    with opened(database_url) as app, app.uow(CLI_ACTOR) as uow:
        found = uow.shops.all()
    table = Table()
    table.add_column("Id", no_wrap=True)
    table.add_column("Name")
    table.add_column("Currency")
    table.add_column("Time zone")
    for s in found:
        table.add_row(
            plain(s.id), plain(s.name), plain(s.settings.currency), plain(s.settings.timezone)
        )
    out().print(table)


@keys_app.command("create")
@guarded
def create_key(shop: ShopOption, database_url: DatabaseUrl = None) -> None:
    """Create an API key; it is printed once and cannot be shown again."""
    with opened(database_url) as app:
        key = shops.create_api_key(app.uow(CLI_ACTOR), shop)
    # The key alone on stdout, so that KEY=$(splitship keys create --shop s) works.
    out().print(key.secret, markup=False, soft_wrap=True)
    notice = err()
    notice.print(
        Text(
            f"API key for shop {shop} created (id {key.key_id}). It will not be shown again: "
            "store it now. Send it as 'Authorization: Bearer <key>'.",
            style="yellow",
        )
    )


@keys_app.command("list")
@guarded
def list_keys(shop: ShopOption, database_url: DatabaseUrl = None) -> None:
    """List the shop's API keys (id, prefix, created, revoked); secrets are never shown."""
    with opened(database_url) as app:
        keys = shops.list_api_keys(app.uow(CLI_ACTOR), shop)
    table = Table()
    table.add_column("Id", no_wrap=True)
    table.add_column("Prefix", no_wrap=True)
    table.add_column("Created (UTC)")
    table.add_column("Revoked (UTC)")
    for k in keys:
        table.add_row(
            plain(k.id),
            plain(k.prefix + "…"),
            plain(k.created_at.strftime("%Y-%m-%d %H:%M")),
            plain(k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "—"),
        )
    out().print(table)


@keys_app.command("revoke")
@guarded
def revoke_key(
    shop: ShopOption,
    key: Annotated[str, typer.Argument(help="Key id or prefix, as `keys list` shows it")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an API key at once (a leaked key, a retired integration); cannot be undone."""
    with opened(database_url) as app:
        revoked = shops.revoke_api_key(app.uow(CLI_ACTOR), shop, key)
    out().print(
        Text(
            f"Revoked API key {revoked.id} ({revoked.prefix}…): requests with it now get 401.",
        )
    )
