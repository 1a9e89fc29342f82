"""``/favicon.ico``: the service's icon (an SVG), so that no page's first load logs a 404."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter
from fastapi.responses import Response

import maps

router = APIRouter()

#: A green disc with a blue sea band, 32x32 (``maps/static/favicon.svg``).
ICON: Final = (Path(maps.__file__).parent / "static" / "favicon.svg").read_bytes()


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The icon, cached for a day by browsers."""
    return Response(
        ICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
