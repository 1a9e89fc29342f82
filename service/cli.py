"""The ``envmon`` command line."""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import typer
from typer.exceptions import TyperException

from service import cli_assess, cli_collect, cli_figures, cli_maps
from service.cli_archive_store import app as archive_app
from service.cli_common import cli_settings, refuse_live_on_demo_store
from service.cli_demo import app as demo_app
from service.cli_keys import app as keys_app
from service.cli_registry import sections_app, stations_app
from service.cli_sea import app as sea_app
from service.cli_surfaces import app as surfaces_app
from service.cli_webhooks import app as webhooks_app
from service.cli_zones import app as zones_app
from service.clock import SystemClock
from service.logs import configure_logging
from service.store.files import make_data_dir

app = typer.Typer(
    help="envmon — Zhoushan environmental-quality monitoring service.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

#: The installed distribution whose version ``envmon --version`` prints.
DISTRIBUTION = "zhoushan-envmon"
#: reST markup that docstrings carry and ``--help`` must not show: ``code``, :role:`x`.
_REST = re.compile(r"``(.+?)``|:[a-z]+:`(.+?)`")


def _version(value: bool) -> None:
    if value:
        try:
            typer.echo(f"envmon {version(DISTRIBUTION)}")
        except PackageNotFoundError:  # running from a source tree that was never installed
            typer.echo("envmon (not installed)")
        raise typer.Exit()


@app.callback()
def root(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """envmon — Zhoushan environmental-quality monitoring service."""


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port (1-65535; 0: any free port)."),
    scheduler: bool = typer.Option(True, help="Run the collection scheduler (one per store)."),
    workers: int = typer.Option(
        1,
        min=1,
        max=64,
        envvar="ENVMON_WEB_WORKERS",
        help="HTTP worker processes. Above 1 the scheduler runs in one process of its own beside "
        "them (never in a worker).",
    ),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        help="Proxies trusted for X-Forwarded-For/-Proto (comma-separated IPs or networks, or *); "
        "default ENVMON_FORWARDED_ALLOW_IPS, else 127.0.0.1.",
    ),
) -> None:
    """Start the HTTP service (and its scheduler) on the configured store."""
    overrides: dict[str, object] = {"scheduler_enabled": scheduler}
    if forwarded_allow_ips is not None:
        overrides["forwarded_allow_ips"] = forwarded_allow_ips
    settings = cli_settings(**overrides)
    configure_logging(settings.logs.log_format, settings.logs.log_level)
    make_data_dir(settings.store.data_dir)
    refuse_live_on_demo_store(settings)
    if workers == 1:
        # lazy: service.api.app costs 2983 ms at CLI start (docs/architecture.md)
        import uvicorn

        from service.api.app import create_app, uvicorn_config

        config = uvicorn_config(
            create_app(settings),
            host,
            port,
            forwarded_allow_ips=settings.http.forwarded_allow_ips,
            settings=settings,
            # Logging is envmon's (service.logs, configured above): uvicorn's records propagate.
            log_config=None,
        )
        uvicorn.Server(config).run()
        return
    # lazy: service.serve_workers costs 2528 ms at CLI start (docs/architecture.md)
    from service.serve_workers import serve_workers

    serve_workers(settings, host, port, workers, scheduler=scheduler)


@app.command()
def schedule() -> None:
    """Run only the collection scheduler and webhook delivery (no HTTP) until stopped.

    For deployments that serve HTTP from several processes: run exactly one of these per store
    and start the web processes with ``envmon serve --no-scheduler``.
    """
    # lazy: service.runtime costs 961 ms at CLI start (docs/architecture.md)
    from service.runtime import run_scheduler_process

    settings = cli_settings(scheduler_enabled=True)
    configure_logging(settings.logs.log_format, settings.logs.log_level)
    refuse_live_on_demo_store(settings)
    run_scheduler_process(settings, SystemClock())


def _add_commands() -> None:
    """Add the commands kept in their own modules (``service/cli_*.py``)."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(archive_app, name="archive")
    app.add_typer(zones_app, name="zones")
    app.add_typer(surfaces_app, name="surfaces")
    app.add_typer(demo_app, name="demo")
    app.add_typer(stations_app, name="stations")
    app.add_typer(sections_app, name="sections")
    app.add_typer(sea_app, name="sea")
    app.add_typer(webhooks_app, name="webhooks")
    cli_figures.register(app)
    cli_collect.register(app)
    cli_maps.register(app)
    cli_assess.register(app)


_add_commands()


def plain_help(text: str | None) -> str | None:
    """``text`` without reST markup (``code`` -> code), as ``--help`` shows it."""
    return None if text is None else _REST.sub(lambda m: m.group(1) or m.group(2), text)


def _plain(command: Any) -> None:
    command.help = plain_help(command.help)
    command.short_help = plain_help(getattr(command, "short_help", None))
    for param in command.params:
        if getattr(param, "help", None):
            param.help = plain_help(param.help)
    for sub in (getattr(command, "commands", None) or {}).values():
        _plain(sub)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: a user error (bad option, value out of range, wrong choice) is
    one line on stderr and exit status 2; help texts are plain (no reST markup)."""
    args = list(sys.argv[1:] if argv is None else argv) or ["--help"]
    command = typer.main.get_command(app)
    _plain(command)
    try:
        code = command.main(args=args, prog_name="envmon", standalone_mode=False)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except TyperException as exc:  # click's usage and parameter errors (typer vendors click)
        ctx = getattr(exc, "ctx", None)
        where = ctx.command_path if ctx is not None else "envmon"
        message = f"{where}: {exc.format_message()}"
        typer.echo(" ".join(message.split()), err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
