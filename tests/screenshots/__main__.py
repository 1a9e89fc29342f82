"""Regenerate every screenshot under docs/screenshots/: ``python -m tests.screenshots [MODULE ...]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import tests.screenshots as package

OUT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def main(argv: list[str]) -> int:
    """Run each screenshot module (all of them, or those named), print the files written."""
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        module = importlib.import_module(f"{package.__name__}.{name}")
        for path in module.main(OUT_DIR):
            print(path.relative_to(OUT_DIR.parents[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
