"""Screenshots of every staff console page (desktop 1280x800 and phone 390x844), signed in as an
admin, on a fresh store seeded like the browser tests: ``python -m tests.screenshots console``."""

from __future__ import annotations

from pathlib import Path

from tests.browser.console_data import console_server, sign_in
from tests.screenshots._shots import VIEWS, chromium

#: (file stem, path) of each console page, in navigation order.
PAGES = (
    ("console_home", "/staff/"),
    ("console_reports", "/staff/reports"),
    ("console_report_view", "/staff/reports/view?district=330902&period=2026-11"),
    ("console_targets", "/staff/targets"),
    ("console_imports", "/staff/imports"),
    ("console_quarantine", "/staff/quarantine"),
    ("console_runs", "/staff/runs"),
    ("console_webhooks", "/staff/webhooks"),
    ("console_alerts", "/staff/alerts"),
    ("console_keys", "/staff/keys"),
)


def main(out_dir: Path) -> list[Path]:
    """Write ``console_<page>_<viewport>.png`` for every page and viewport; return the paths."""
    written: list[Path] = []
    with console_server() as (base, keys), chromium() as browser:
        for view, viewport, _scale in VIEWS:  # full pages, at 1x as the console's shots have been
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            sign_in(page, base, keys["admin"])
            for stem, path in PAGES:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                out = out_dir / f"{stem}_{view}.png"
                page.screenshot(path=str(out), full_page=True)
                written.append(out)
            context.close()
    return written
