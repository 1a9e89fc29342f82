"""``make bench``: run every benchmark module and print its figures (never part of the tests)."""

from __future__ import annotations

import importlib
import pkgutil

import tests.bench as bench


def main() -> None:
    for module in sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    ):
        mod = importlib.import_module(f"tests.bench.{module}")
        print(f"\n=== {module} ===")
        mod.main()


if __name__ == "__main__":
    main()
