"""The console's page frame: one Jinja2 environment (autoescaped), the navigation, the signed-in
key, the language switch and the CSRF field every form carries.

Pages are server-rendered HTML with no script; the style sheet is a static file
(``/staff/static/console.css``), so nothing inline needs a CSP exception.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from service.api.csrf import csrf_field
from service.auth import Principal, Role
from service.figures.demo_data import figures_are_demo
from service.i18n import t
from stations.cst import format_cst

#: Console pages in navigation order: (path, message key, lowest role that sees it).
PAGES: tuple[tuple[str, str, Role], ...] = (
    ("/staff/reports", "console.nav.reports", Role.viewer),
    ("/staff/targets", "console.nav.targets", Role.viewer),
    ("/staff/imports", "console.nav.imports", Role.viewer),
    ("/staff/quarantine", "console.nav.quarantine", Role.viewer),
    ("/staff/runs", "console.nav.runs", Role.viewer),
    ("/staff/webhooks", "console.nav.webhooks", Role.viewer),
    ("/staff/alerts", "console.nav.alerts", Role.viewer),
    ("/staff/keys", "console.nav.keys", Role.admin),
)
HTML_LANG = {"zh": "zh-CN", "en": "en"}
NO_STORE = {"Cache-Control": "no-store"}


def _when(value: dt.datetime | None) -> str:
    return format_cst(value)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _num(value: Any, scale: Any = None) -> str:
    """An alert's value: a share (``scale`` <= 1, a ratio threshold) in percent, else the number
    without a needless ``.0``."""
    if value is None:
        return "—"
    v = float(value)
    if scale is not None and 0 < float(scale) <= 1:
        return f"{v * 100:.1f}%"
    return f"{v:.0f}" if v == int(v) else f"{v:.2f}"


@cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("service.api.console", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    return env


def csrf_input(request: Request) -> Markup:
    """The hidden CSRF field for a form of this session's page (``service.api.csrf``)."""
    return Markup(csrf_field(request))  # built with html.escape by csrf_field


def _shows_demo(request: Request) -> bool:
    """Whether the console's figures come (at least partly) from the demo feed: the banner says so
    on every page, as the maps' data box does."""
    state = request.app.state
    return bool(state.settings.feeds.demo_mode) or figures_are_demo(state.engine)


def section_page(
    request: Request, name: str, staff: Principal, lang: str, *, status: int = 200, **values: Any
) -> HTMLResponse:
    """The console section ``name``: template ``<name>.html.j2`` titled ``console.<name>.title``."""
    title = t(f"console.{name}.title", lang)
    return page(request, f"{name}.html.j2", staff, lang, status=status, title=title, **values)


def page(
    request: Request,
    template: str,
    staff: Principal,
    lang: str,
    *,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """Render a console page for ``staff`` in ``lang``."""
    path = request.url.path
    other = "en" if lang == "zh" else "zh"
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    nav = [
        {"href": f"{href}?lang={lang}", "label": t(key, lang), "current": path.startswith(href)}
        for href, key, role in PAGES
        if staff.allows(role)
    ]
    context = {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "t": lambda key, **fields: t(key, lang, **fields),
        "staff": staff,
        "role": staff.role.name,
        "can_operate": staff.allows(Role.operator),
        "can_admin": staff.allows(Role.admin),
        "who": t(
            "staff.session.signed_in",
            lang,
            name=staff.name or staff.key_id,
            role=t(f"staff.role.{staff.role.name}", lang),
        ),
        "nav": nav,
        "other_lang": other,
        "other_lang_href": f"{path}?{urlencode([*query, ('lang', other)])}",
        "csrf": csrf_input(request),
        "demo": _shows_demo(request),
        **values,
    }
    html = _env().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={"Content-Language": lang, **NO_STORE})


__all__ = ["PAGES", "csrf_input", "page", "section_page"]
