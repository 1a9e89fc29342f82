"""Application factory: ``create_app(settings)`` builds the FastAPI app; nothing runs on import."""

from __future__ import annotations

from fastapi import FastAPI

from service.api.routes import health
from service.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the HTTP application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    app = FastAPI(title="envmon", version="0.1.0")
    app.state.settings = settings
    app.include_router(health.router)
    return app
