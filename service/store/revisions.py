"""Developer command for the store's migrations (``service.store.migrate``).

``python -m service.store.revisions new "message"`` autogenerates the next revision by comparing
the full metadata (``service.store.schema``) with a scratch SQLite store at head.
``python -m service.store.revisions upgrade [URL]`` upgrades a store; ``check [URL]`` fails on drift.
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from alembic import command

from service.settings import Settings
from service.store.engine import init_store, make_engine
from service.store.migrate import alembic_config, drift, upgrade


def new_revision(message: str) -> None:
    """Autogenerate the next revision against a scratch SQLite store at head."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/scratch.sqlite3")
        try:
            upgrade(engine)
            command.revision(alembic_config(engine), message=message, autogenerate=True)
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """``python -m service.store.revisions {new MESSAGE | upgrade [URL] | check [URL]}``."""
    parser = argparse.ArgumentParser(prog="python -m service.store.revisions")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("new", help="autogenerate the next revision").add_argument("message")
    for name in ("upgrade", "check"):
        sub.add_parser(name).add_argument("url", nargs="?", default=None)
    args = parser.parse_args(argv)

    if args.cmd == "new":
        new_revision(args.message)
        return 0
    url = args.url
    if url is None:
        url = Settings().store.effective_database_url
    if args.cmd == "upgrade":
        init_store(url).dispose()
        return 0
    engine = make_engine(url)
    try:
        diffs = drift(engine)
    finally:
        engine.dispose()
    for diff in diffs:
        sys.stderr.write(f"{diff}\n")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
