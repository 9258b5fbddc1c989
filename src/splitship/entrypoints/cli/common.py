"""What every command shares: its options, opening the app, printing, and reporting errors.

A command opens the app with ``opened(database_url)``, calls services, and prints with ``out()``.
``@guarded`` turns the errors a user can meet into a red message (what, where, what to do) and
exit code 1, never a traceback.
"""

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from splitship.bootstrap import App, bootstrap
from splitship.config import Settings
from splitship.domain.errors import InvalidInput, NotFound, SplitshipError
from splitship.domain.order import Order, Package
from splitship.services.catalog import RowError
from splitship.services.unit_of_work import OrderFilter, UnitOfWork

CLI_ACTOR = "cli"

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="SPLITSHIP_DATABASE_URL",
        help="SQLAlchemy URL of the database (default: sqlite:///var/splitship.db)",
        show_default=False,
        show_envvar=True,
    ),
]
ShopOption = Annotated[
    str,
    typer.Option("--shop", envvar="SPLITSHIP_SHOP", help="Shop id", show_envvar=True),
]

P = ParamSpec("P")
R = TypeVar("R")


# ---- printing ----------------------------------------------------------------------------------


def out() -> Console:
    # Made per call so that the console writes to whatever sys.stdout is now (tests swap it).
    return Console(highlight=False)


def err() -> Console:
    return Console(stderr=True, highlight=False)


def plain(value: object) -> Text:
    """A table cell or line that is shown as is: data never goes through Rich markup."""
    return Text("" if value is None else str(value))


def error_table(errors: Sequence[RowError], title: str = "Rejected rows") -> Table:
    table = Table(title=title, title_justify="left", title_style="bold red")
    table.add_column("Row", justify="right", no_wrap=True)
    table.add_column("Field", no_wrap=True)
    table.add_column("Message")
    for e in sorted(errors, key=lambda e: (e.row, e.field)):
        table.add_row(plain(e.row), plain(e.field), plain(e.message))
    return table


def local_time(value: datetime | None, tz: str) -> str:
    if value is None:
        return "—"
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def day(value: date | None) -> str:
    return "—" if value is None else value.isoformat()


def safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable URL>"


# ---- opening the app ---------------------------------------------------------------------------


def make_settings(database_url: str | None = None, **overrides: Any) -> Settings:
    given = {k: v for k, v in overrides.items() if v is not None}
    if database_url:
        given["database_url"] = database_url
    return Settings(**given)


@contextmanager
def opened(database_url: str | None, **overrides: Any) -> Iterator[App]:
    """The wired app on an up-to-date database (migrations run first, as ``bootstrap`` does)."""
    app = bootstrap(make_settings(database_url, **overrides))
    try:
        yield app
    finally:
        app.dispose()


# ---- errors ------------------------------------------------------------------------------------

_HINTS = {
    "not_found": "check the id or code, and that it belongs to the --shop given",
    "version_conflict": "someone changed it meanwhile: run the command again",
    "duplicate": "it exists already: use it, or choose another id",
}


def report_error(exc: SplitshipError) -> None:
    console = err()
    console.print(Text(f"Error: {exc.message}", style="bold red"))
    if exc.field:
        console.print(Text(f"  where: {exc.field}", style="red"))
    for violation in exc.details.get("violations", []):
        console.print(Text(f"  - {violation.get('message', violation)}", style="red"))
    hint = _HINTS.get(exc.code)
    if hint and hint not in exc.message:
        console.print(Text(f"  what to do: {hint}", style="red"))
    console.print(Text(f"  (code: {exc.code})", style="dim"))


def fail(message: str, *, hint: str | None = None) -> typer.Exit:
    """Print a red message and return the exit to raise: ``raise fail("...")``."""
    console = err()
    console.print(Text(f"Error: {message}", style="bold red"))
    if hint:
        console.print(Text(f"  what to do: {hint}", style="red"))
    return typer.Exit(1)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Errors a user can meet become a message and exit code 1; bugs still show a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SplitshipError as exc:
            report_error(exc)
            raise typer.Exit(1) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
                for e in exc.errors()
            )
            raise fail(
                f"invalid settings: {problems}",
                hint="fix the SPLITSHIP_* environment variables or the options given",
            ) from None
        except ArgumentError as exc:
            raise fail(
                f"the database URL cannot be read: {exc}",
                hint="pass --database-url like sqlite:///var/splitship.db or "
                "postgresql://user:password@host/dbname",
            ) from None
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise fail(
                f"the database refused the operation: {reason}",
                hint="check --database-url (or SPLITSHIP_DATABASE_URL) and that the database "
                "is running; `splitship db upgrade` brings its schema up to date",
            ) from None

    return run


# ---- looking things up -------------------------------------------------------------------------


def find_order(uow: UnitOfWork, shop_id: str, key: str) -> Order:
    """An order by its internal id or by its marketplace (external) id."""
    key = key.strip()
    try:
        return uow.orders.get(shop_id, key)
    except NotFound:
        pass
    page = uow.orders.search(shop_id, OrderFilter(search=key, limit=1_000))
    matches = [o for o in page.orders if o.external_id == key]
    if not matches:
        raise NotFound(
            f"no order {key!r} in shop {shop_id}: give the order id or the marketplace order id",
            field="order",
        )
    if len(matches) > 1:
        sources = ", ".join(sorted(o.source for o in matches))
        raise InvalidInput(
            f"{len(matches)} orders have the marketplace id {key} (sources: {sources}): "
            "give the internal order id instead",
            field="order",
        )
    return matches[0]


def find_package(uow: UnitOfWork, shop_id: str, key: str) -> tuple[Order, Package]:
    """A package by its id, or as ``ORDER#N`` (order id or marketplace id, package number)."""
    key = key.strip()
    order_key, sep, number = key.rpartition("#")
    if sep:
        order = find_order(uow, shop_id, order_key)
        return order, package_number(order, number)
    order = uow.orders.find_by_package(shop_id, key)
    return order, order.package(key)


def package_number(order: Order, number: str) -> Package:
    if not number.strip().isdigit():
        raise InvalidInput(
            f"package number must be a whole number like 1, got {number!r}",
            field="package_number",
        )
    for pkg in order.packages:
        if pkg.number == int(number):
            return pkg
    raise NotFound(
        f"order {order.external_id} has no package {number} (it has "
        f"{len(order.packages)}): see `splitship orders show {order.external_id}`",
        field="package_number",
    )


def read_text(path: Path) -> str:
    """A UTF-8 file (with or without BOM), refusing other encodings with a clear message."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"{path} is not UTF-8 text: save it as UTF-8 (CSV UTF-8 in Excel) and try again",
            field="file",
        ) from None
    return text
