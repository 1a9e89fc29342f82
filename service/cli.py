"""The ``envmon`` command line."""

from __future__ import annotations

import typer

from service.cli_common import cli_settings, refuse_live_on_demo_store
from service.store.files import make_data_dir

app = typer.Typer(
    help="envmon — Zhoushan environmental-quality monitoring service.", no_args_is_help=True
)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
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
    make_data_dir(settings.data_dir)
    refuse_live_on_demo_store(settings)
    if workers == 1:
        import uvicorn

        from service.api.app import create_app, uvicorn_config

        config = uvicorn_config(
            create_app(settings),
            host,
            port,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            settings=settings,
        )
        uvicorn.Server(config).run()
        return
    from service.serve_workers import serve_workers

    serve_workers(settings, host, port, workers, scheduler=scheduler)


@app.command()
def schedule() -> None:
    """Run only the collection scheduler and webhook delivery (no HTTP) until stopped.

    For deployments that serve HTTP from several processes: run exactly one of these per store
    and start the web processes with ``envmon serve --no-scheduler``.
    """
    from service.clock import SystemClock
    from service.runtime import run_scheduler_process

    settings = cli_settings(scheduler_enabled=True)
    refuse_live_on_demo_store(settings)
    run_scheduler_process(settings, SystemClock())


def _add_commands() -> None:
    """Add the commands kept in their own modules (``service/cli_*.py``)."""
    from service import cli_assess, cli_collect, cli_figures, cli_maps
    from service.cli_demo import app as demo_app
    from service.cli_keys import app as keys_app
    from service.cli_registry import sections_app, stations_app
    from service.cli_webhooks import app as webhooks_app
    from service.cli_zones import app as zones_app

    app.add_typer(keys_app, name="keys")
    app.add_typer(zones_app, name="zones")
    app.add_typer(demo_app, name="demo")
    app.add_typer(stations_app, name="stations")
    app.add_typer(sections_app, name="sections")
    app.add_typer(webhooks_app, name="webhooks")
    cli_figures.register(app)
    cli_collect.register(app)
    cli_maps.register(app)
    cli_assess.register(app)


_add_commands()


def main() -> None:
    """Console-script entry point."""
    app()
