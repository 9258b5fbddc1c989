"""The HTTP API (FastAPI)."""

from splitship.entrypoints.api.app import create_app

__all__ = ["create_app"]
