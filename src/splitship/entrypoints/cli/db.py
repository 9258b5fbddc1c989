"""``splitship db``: the database schema."""

import typer
from rich.text import Text

from splitship.adapters.db.engine import make_engine, upgrade_database
from splitship.entrypoints.cli.common import DatabaseUrl, guarded, make_settings, out, safe_url

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("upgrade")
@guarded
def upgrade(database_url: DatabaseUrl = None) -> None:
    """Apply every pending migration (safe to run at any time)."""
    settings = make_settings(database_url)
    engine = make_engine(settings.database_url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    out().print(Text(f"Database {safe_url(settings.database_url)} is up to date."))
