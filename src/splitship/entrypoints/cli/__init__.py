"""The ``splitship`` command line (Typer + Rich).

Each module listed in ``COMMAND_MODULES`` has ``register(app)``, which adds its commands or
sub-commands; adding a module is one line here.
"""

import importlib

import typer

app = typer.Typer(
    name="splitship",
    help="splitship: split-shipment back office for marketplace sellers.",
    no_args_is_help=True,
    # Locals in a traceback can hold API keys and database passwords: never print them.
    pretty_exceptions_show_locals=False,
)

COMMAND_MODULES = (
    "server",
    "db",
    "shops",
    "catalog",
    "orders",
    "shipping",
    "users",
    "tracking",
    "inquiries",
    "planning",
    "worker",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)

__all__ = ["COMMAND_MODULES", "app"]
