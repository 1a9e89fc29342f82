"""``GET /healthz``: liveness plus what the service is running on."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> dict[str, object]:
    """Report that the service is up, its store backend and whether it runs on the demo feed."""
    settings = request.app.state.settings
    backend = "postgresql" if settings.database_url else "sqlite"
    return {"status": "ok", "store": backend, "demo": True}
