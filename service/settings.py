"""Service settings, read once from ``ENVMON_*`` environment variables at the edge and passed inward."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the running service may be configured with.

    Only ``service/`` reads settings; ``stations``, ``geodata`` and ``maps`` take arguments.
    """

    model_config = SettingsConfigDict(env_prefix="ENVMON_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Embedded store and payload archive.")
    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; the embedded SQLite file is used when unset."
    )
    public_sites: list[str] = Field(
        default_factory=list,
        description="Origins allowed to frame the public map and call the API.",
    )
    environment: str = Field(default="development", description="development | production")

    @field_validator("environment")
    @classmethod
    def _known_environment(cls, value: str) -> str:
        if value not in {"development", "production", "test"}:
            raise ValueError("must be one of development, production, test")
        return value

    @property
    def sqlite_url(self) -> str:
        """URL of the embedded SQLite store under ``data_dir``."""
        return f"sqlite:///{(self.data_dir / 'envmon.sqlite3').resolve()}"

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: PostgreSQL when configured, else embedded SQLite."""
        return self.database_url or self.sqlite_url
