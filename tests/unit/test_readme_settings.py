"""The README's settings table lists EVERY ``ENVMON_*`` setting of ``service.settings.Settings`` (``env_names()``)
(and the few the command line reads itself), and nothing else: a setting added without its row (or a row left after a setting was removed)
fails here, naming the variable."""

from __future__ import annotations

import re

from service.settings import env_names
from tests.conftest import ROOT


def _table_variables() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Settings")
    end = text.index("\n## ", start + 1)
    return re.findall(r"^\| `(ENVMON_[A-Z0-9_]+)` \|", text[start:end], flags=re.M)


def _cli_variables() -> set[str]:
    """``ENVMON_*`` variables the command line reads itself (``typer.Option(envvar=...)``)."""
    found: set[str] = set()
    for path in (ROOT / "service").glob("cli*.py"):
        found |= set(re.findall(r'envvar="(ENVMON_[A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_setting_has_a_readme_row() -> None:
    documented = _table_variables()
    expected = set(env_names()) | _cli_variables()
    missing = sorted(expected - set(documented))
    assert not missing, (
        "README.md, section 'Settings': add a row '| `NAME` | meaning | default |' for "
        + ", ".join(missing)
    )
    unknown = sorted(set(documented) - expected)
    assert not unknown, (
        "README.md, section 'Settings' documents variables that Settings does not have: "
        + ", ".join(unknown)
    )
    repeated = sorted({v for v in documented if documented.count(v) > 1})
    assert not repeated, "README.md, section 'Settings': one row each for " + ", ".join(repeated)


def test_each_row_has_a_meaning_and_a_default() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Settings")
    rows = [r for r in text[start:].splitlines() if r.startswith("| `ENVMON_")]
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert len(cells) >= 3 and all(cells[:3]), f"incomplete README settings row: {row[:80]}"
