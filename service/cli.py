"""The ``envmon`` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="envmon — Zhoushan environmental-quality monitoring service.", no_args_is_help=True
)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    scheduler: bool = typer.Option(True, help="Run the collection scheduler in this process."),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        help="Proxies trusted for X-Forwarded-For/-Proto (comma-separated IPs or networks, or *); "
        "default ENVMON_FORWARDED_ALLOW_IPS, else 127.0.0.1.",
    ),
) -> None:
    """Start the HTTP service (and its scheduler) on the configured store."""
    import uvicorn

    from service.api.app import create_app, uvicorn_config
    from service.settings import SettingsError, load_settings

    try:
        overrides: dict[str, object] = {"scheduler_enabled": scheduler}
        if forwarded_allow_ips is not None:
            overrides["forwarded_allow_ips"] = forwarded_allow_ips
        settings = load_settings(**overrides)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    config = uvicorn_config(
        create_app(settings), host, port, forwarded_allow_ips=settings.forwarded_allow_ips
    )
    uvicorn.Server(config).run()


def _add_commands() -> None:
    """Add the commands kept in their own modules (``service/cli_*.py``)."""
    from service import cli_collect, cli_figures, cli_maps
    from service.cli_keys import app as keys_app
    from service.cli_zones import app as zones_app

    app.add_typer(keys_app, name="keys")
    app.add_typer(zones_app, name="zones")
    cli_figures.register(app)
    cli_collect.register(app)
    cli_maps.register(app)


_add_commands()


def main() -> None:
    """Console-script entry point."""
    app()
