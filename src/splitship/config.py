"""Settings from the environment (prefix ``SPLITSHIP_``), validated at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB = Path("var") / "splitship.db"
PLACEHOLDER_SECRET = "dev-only-not-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPLITSHIP_", extra="ignore")

    env: Literal["dev", "test", "production"] = "dev"
    database_url: str = Field(default=f"sqlite:///{DEFAULT_DB}")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = ""  # base for links in e-mails and webhooks; defaults to http://host:port
    secret_key: str = PLACEHOLDER_SECRET  # signs console sessions and CSRF tokens
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "splitship@localhost"
    smtp_starttls: Literal["auto", "always", "never"] = "auto"
    dispatch_in_process: bool = True
    tracking_rate_per_minute: int = Field(default=60, ge=1)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.env == "production":
            if self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "SPLITSHIP_SECRET_KEY must be set to a random value of at least 32 "
                    "characters in production"
                )
            if self.database_url.startswith("sqlite") and "memory" in self.database_url:
                raise ValueError("an in-memory database loses every order: set a real one")
        return self

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
