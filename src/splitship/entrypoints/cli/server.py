"""``splitship up``, ``serve`` and ``demo``: run the HTTP API, with demo data to try it on."""

import socket
from collections import Counter
from typing import Annotated

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from splitship.bootstrap import App
from splitship.config import Settings
from splitship.demo import DEMO_SHOP_ID, DemoInfo, seed_demo
from splitship.domain.errors import NotFound
from splitship.entrypoints.cli.common import (
    CLI_ACTOR,
    DatabaseUrl,
    err,
    fail,
    guarded,
    make_settings,
    opened,
    out,
    safe_url,
)
from splitship.services.unit_of_work import OrderFilter

HostOption = Annotated[
    str | None,
    typer.Option("--host", help="Interface to listen on (default: 127.0.0.1)", show_default=False),
]
PortOption = Annotated[
    int | None,
    typer.Option("--port", min=1, max=65535, help="Port (default: 8000)", show_default=False),
]


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("serve")(serve)
    app.command("demo")(demo)


@guarded
def up(host: HostOption = None, port: PortOption = None, database_url: DatabaseUrl = None) -> None:
    """Upgrade the database, add the demo shop if it is empty, and serve the API."""
    settings = make_settings(database_url, host=host, port=port)
    ensure_port_free(settings.host, settings.port)
    with opened(database_url, host=host, port=port) as app:
        info = _demo_for_up(app)
        out().print(welcome_panel(app.settings, info))
        run_server(app)


@guarded
def serve(
    host: HostOption = None, port: PortOption = None, database_url: DatabaseUrl = None
) -> None:
    """Serve the HTTP API (the database is brought up to date first)."""
    settings = make_settings(database_url, host=host, port=port)
    ensure_port_free(settings.host, settings.port)
    with opened(database_url, host=host, port=port) as app:
        out().print(Text(f"API docs: {public_base(app.settings)}/docs"))
        run_server(app)


@guarded
def demo(
    orders: Annotated[int, typer.Option("--orders", min=1, max=5000, help="Orders to create")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the demo data")] = 7,
    database_url: DatabaseUrl = None,
) -> None:
    """Create the demo shop with its catalogue and orders (or a fresh key if it exists)."""
    with opened(database_url) as app:
        info = seed_demo(app, orders=orders, seed=seed)
        counts = _status_counts(app)
        settings = app.settings
    console = out()
    console.print(welcome_panel(settings, info, title="splitship demo shop", serving=False))
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    console.print(Text(f"{sum(counts.values())} demo orders: {summary}"))
    if not info.seeded:
        console.print(Text("The demo shop existed already: only a new API key was created."))


def _demo_for_up(app: App) -> DemoInfo | None:
    """Seed an empty database; refresh the demo key if the demo shop is there; else nothing."""
    with app.uow(CLI_ACTOR) as uow:
        existing = uow.shops.all()
    if not existing:
        err().print(Text("Empty database: adding the demo shop and its orders…"))
        return seed_demo(app)
    if any(s.id == DEMO_SHOP_ID for s in existing):
        return seed_demo(app)
    return None


def _status_counts(app: App) -> Counter[str]:
    with app.uow(CLI_ACTOR) as uow:
        try:
            uow.shops.get(DEMO_SHOP_ID)
        except NotFound:
            return Counter()
        page = uow.orders.search(DEMO_SHOP_ID, OrderFilter(limit=100_000))
    return Counter(o.status.value for o in page.orders)


def public_base(settings: Settings) -> str:
    base = settings.base_url
    if not settings.public_url and settings.host in ("0.0.0.0", "::", ""):
        base = f"http://127.0.0.1:{settings.port}"  # a wildcard address is not a URL to open
    return base


def welcome_panel(
    settings: Settings,
    info: DemoInfo | None,
    *,
    title: str = "splitship is up",
    serving: bool = True,
) -> Panel:
    base = public_base(settings)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("API docs", Text(f"{base}/docs", style="cyan"))
    grid.add_row("Database", Text(safe_url(settings.database_url)))
    parts: list[Text | Table] = [grid]
    if info is None:
        grid.add_row(
            "API key", Text("create one: splitship keys create --shop <shop id>", style="yellow")
        )
    else:
        grid.add_row("Shop", Text(info.shop_id))
        grid.add_row("API key", Text(info.api_key, style="bold green"))
        grid.add_row("", Text("shown once; `splitship keys create --shop demo` makes another"))
        if info.tracking_token_example:
            grid.add_row("Buyer page", Text(f"{base}/t/{info.tracking_token_example}"))
        grid.add_row("Console", Text(f"{base}/console/", style="cyan"))
        for email, role, password in info.console_logins:
            grid.add_row(f"  {role}", Text(f"{email}  /  {password}", style="bold green"))
        parts += [
            Text(""),
            Text("Try it:", style="bold"),
            Text(f'curl -H "Authorization: Bearer {info.api_key}" \\'),
            Text(f"     {base}/api/v1/orders"),
        ]
    if serving:
        parts += [Text(""), Text("Press Ctrl+C to stop.", style="dim")]
    return Panel(Group(*parts), title=title, title_align="left", expand=False)


def ensure_port_free(host: str, port: int) -> None:
    """Fail before seeding or migrating when another server holds the port."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise fail(f"cannot listen on {host!r}: {exc}", hint="pass --host 127.0.0.1") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as exc:
            raise fail(
                f"port {port} on {host} is not free ({exc.strerror})",
                hint=f"stop the other server, or pass another port: --port {port + 1}",
            ) from None


def run_server(app: App) -> None:
    import uvicorn

    try:
        from splitship.entrypoints.api.app import create_app
    except ImportError as exc:
        raise fail(
            f"the HTTP API cannot be loaded: {exc}",
            hint="reinstall splitship (pip install -e .)",
        ) from None
    from splitship.entrypoints.worker import start_in_process

    # Embedded mode: notifications go out from this process; with `splitship worker` elsewhere,
    # set SPLITSHIP_DISPATCH_IN_PROCESS=false.
    dispatcher = start_in_process(app) if app.settings.dispatch_in_process else None
    try:
        uvicorn.run(create_app(app), host=app.settings.host, port=app.settings.port)
    finally:
        if dispatcher is not None:
            dispatcher.stop()
