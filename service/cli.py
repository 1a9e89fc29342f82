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
) -> None:
    """Start the HTTP service (and its scheduler) on the configured store."""
    import uvicorn

    from service.api.app import create_app
    from service.settings import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    uvicorn.run(create_app(settings), host=host, port=port)


def main() -> None:
    """Console-script entry point."""
    app()
