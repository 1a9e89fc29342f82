"""What the ``envmon`` commands share: the settings from the environment and the store they name.

Imports of the settings and the store stay inside the functions, so that ``envmon --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from tqdm import tqdm

from service.clock import SystemClock
from service.store.files import make_data_dir

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from service.settings import Settings


def fail(message: str) -> NoReturn:
    """End a command on a user error: ``message`` as one line on stderr, exit status 2."""
    typer.echo(" ".join(message.split()), err=True)
    raise typer.Exit(2)


def cli_settings(**overrides: Any) -> Settings:
    """The settings from the environment (plus ``overrides``).

    A wrong setting prints every wrong variable with its rule and exits with status 2.
    """
    # lazy: service.settings costs 313 ms at CLI start (docs/architecture.md)
    from service.settings import SettingsError, load_settings

    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@contextmanager
def open_store(settings: Settings | None = None, *, seed: bool = False) -> Iterator[Engine]:
    """The store of ``settings`` (default: :func:`cli_settings`), created or brought to the latest
    migration; its engine is disposed when the block ends. With ``seed``, the shipped stations
    and sections are loaded first (what ``init-db`` does; the imports need the registry's names).

    The data folder (embedded store, payload archive) is created first.
    """
    # lazy: service.store.places costs 346 ms at CLI start (docs/architecture.md)
    from service.store.engine import init_store, writing
    from service.store.places import seed_places

    if settings is None:
        settings = cli_settings()
    make_data_dir(settings.store.data_dir)
    engine = init_store(settings.store.effective_database_url)
    if seed:
        with writing(engine) as conn:
            seed_places(conn, SystemClock().now(), include_demo=settings.feeds.demo_mode)
    try:
        yield engine
    finally:
        engine.dispose()


def show_progress(progress: bool | None) -> bool:
    """Whether to draw a progress bar: as asked, else only when stderr is a terminal."""
    return sys.stderr.isatty() if progress is None else progress


def bar_step(bar: Any) -> Callable[[int], None]:
    """A progress callback that advances a tqdm ``bar`` by ``n`` (tqdm's own returns a flag)."""

    def step(n: int) -> None:
        bar.update(n)

    return step


def recompute_touched(engine: Engine, *, progress: bool | None = None) -> None:
    """Recompute what an import marked (station days, district days, section periods), with a
    progress bar on a terminal, then evaluate the alerts on the new figures, and print one summary
    line each; an import never leaves figures (or alerts) stale."""
    # lazy: service.alerts.evaluate costs 808 ms at CLI start (docs/architecture.md)
    from service.alerts.evaluate import evaluate_now
    from service.compute.recompute import dirty_count, recompute

    bar = tqdm(
        total=dirty_count(engine), unit="day", desc="recompute", disable=not show_progress(progress)
    )

    try:
        done = recompute(engine, SystemClock(), on_batch=bar_step(bar))
    finally:
        bar.close()
    typer.echo(
        f"recomputed: station_days={done.station_days} district_days={done.district_days} "
        f"section_periods={done.section_periods}"
    )
    # The alerts judge the imported figures at once (their messages wait in the outbox for the
    # scheduler's delivery worker), not at the next evaluation period.
    alerts = evaluate_now(engine, SystemClock(), cli_settings())
    typer.echo(f"alerts: {alerts.transitions} changed, {alerts.messages} messages queued")


def refuse_live_on_demo_store(settings: Settings) -> None:
    """Exit 2 with the reason (naming ``envmon demo purge``) when live mode is asked for on a store
    that holds demo data; print the demo banner in demo mode."""
    # lazy: service.demo_guard costs 521 ms at CLI start (docs/architecture.md)
    from service.demo_guard import DemoDataInLiveStore
    from service.demo_guard import refuse_live_on_demo_store as refuse

    with open_store(settings) as engine:
        try:
            refuse(engine, settings.feeds.demo_mode)
        except DemoDataInLiveStore as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
    if settings.feeds.demo_mode:
        typer.echo(
            "DEMO MODE: envmon runs on the simulated demo feed (演示数据); every figure says so. "
            "README, 'Connect your own data', says how to leave it.",
            err=True,
        )
