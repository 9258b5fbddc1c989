"""``python -m splitship.entrypoints.cli``."""

from splitship.entrypoints.cli import app

app(prog_name="splitship")
