"""The staff console under ``/staff/``: server-rendered pages (Jinja2, zh default and en) for reports,
targets, imports, quarantine, collection runs, webhooks, alerts and API keys.

Reading needs any signed-in key (the ``/staff/login`` session cookie); each write needs the key's
role and, with the cookie, the session's CSRF token (``service.api.console.writes``).
"""

from fastapi import APIRouter

from service.api.console import pages, reports, writes

router = APIRouter(include_in_schema=False)
router.include_router(pages.router)
router.include_router(reports.router)
router.include_router(writes.router)

__all__ = ["router"]
