"""``splitship users``: the people who sign in to a shop's seller console."""

import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    ShopOption,
    fail,
    guarded,
    opened,
    out,
    plain,
)
from splitship.services import users

users_app = typer.Typer(help="Seller users of the console (/console).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


@users_app.command("create")
@guarded
def create_user(
    shop: ShopOption,
    email: Annotated[str, typer.Option("--email", help="E-mail address, used to sign in")],
    role: Annotated[str, typer.Option("--role", help="owner, operator or viewer")] = "operator",
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="The password (visible in the shell history: prefer --password-stdin)",
            show_default=False,
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a console user of a shop (the first one is usually the owner)."""
    if password_stdin == (password is not None):
        raise fail(
            "give the password once: --password-stdin (recommended) or --password",
            hint="echo 'long passphrase' | splitship users create --shop S --email E "
            "--password-stdin",
        )
    secret = sys.stdin.readline().rstrip("\r\n") if password_stdin else (password or "")
    with opened(database_url) as app:
        user = users.create_user(app.uow(CLI_ACTOR), shop, email, secret, role)
    console = out()
    console.print(Text.assemble("Created ", (user.role.value, "bold"), " ", (user.email, "bold")))
    console.print(Text(f"Sign in at {app.settings.base_url}/console/"))


@users_app.command("list")
@guarded
def list_users(shop: ShopOption, database_url: DatabaseUrl = None) -> None:
    """List the console users of a shop."""
    with opened(database_url) as app:
        found = users.list_users(app.uow(CLI_ACTOR), shop)
    table = Table("e-mail", "role", "created")
    for u in found:
        table.add_row(plain(u.email), plain(u.role.value), plain(u.created_at.isoformat()))
    out().print(table)
