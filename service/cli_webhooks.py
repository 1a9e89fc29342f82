"""``envmon webhooks rekey``: move the webhook secrets in the store to a new key;
``envmon webhooks test ID``: send a test message to a subscription now.

Stop the service, set ``ENVMON_WEBHOOK_KEY`` to the new key (or, without it, move the old key file
away so that a new one is made) and give the old key as ``ENVMON_WEBHOOK_OLD_KEY`` or
``--old-key-file``; start the service again with the new key. Rows that open with neither key are
listed and left as they are (exit status 1); running it again is harmless.
"""

from __future__ import annotations

from pathlib import Path

import typer

from service.alerts.sealing import SecretBox, key_from_text
from service.cli_common import cli_settings, open_store
from service.clock import SystemClock

app = typer.Typer(help="Webhook subscriptions' secrets, encrypted in the store.")


@app.command("rekey")
def rekey(
    old_key: str | None = typer.Option(
        None,
        "--old-key",
        envvar="ENVMON_WEBHOOK_OLD_KEY",
        show_envvar=True,
        help="The old key; prefer the environment variable (a command line is visible to others).",
    ),
    old_key_file: Path | None = typer.Option(
        None, "--old-key-file", help="A file holding the old key (e.g. an old webhook.key)."
    ),
) -> None:
    """Re-encrypt every subscription's secrets from the old key to the current one."""
    # lazy: service.store.engine costs 358 ms at CLI start (docs/architecture.md)
    from service.alerts.webhook_key import webhook_box
    from service.store import alert_repo as repo
    from service.store.engine import writing

    if (old_key is None) == (old_key_file is None):
        raise typer.BadParameter("give the old key in ENVMON_WEBHOOK_OLD_KEY or --old-key-file")
    try:
        if old_key_file is not None:
            old_key = old_key_file.read_text("ascii")
        old = SecretBox(key_from_text(old_key or ""))
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"the old key cannot be read: {exc}") from None
    settings = cli_settings()
    new = webhook_box(settings)
    with open_store(settings) as engine, writing(engine) as conn:
        changed, bad = repo.rekey_secrets(conn, old, new)
    typer.echo(f"re-encrypted the secrets of {changed} subscriptions with the current key")
    if bad:
        typer.echo(
            "subscriptions whose secrets open with neither key (left unchanged): "
            + ", ".join(map(str, bad)),
            err=True,
        )
        raise typer.Exit(1)


@app.command("test")
def test_message(
    subscription_id: int = typer.Argument(..., min=1, help="The subscription's id."),
) -> None:
    """Send a test message to a subscription now (once, no retries) and say whether it arrived.

    Exit status 0 when the receiver answered 2xx, 1 otherwise (the reason is printed and kept in
    the delivery log).
    """
    # lazy: service.alerts.receiver_check costs 835 ms at CLI start (docs/architecture.md)
    from service.alerts.receiver_check import UnknownSubscription, send_test
    from service.alerts.webhook_key import webhook_box

    settings = cli_settings()
    with open_store(settings) as engine:
        try:
            result = send_test(
                engine, SystemClock(), settings, webhook_box(settings), subscription_id
            )
        except UnknownSubscription:
            typer.echo(f"no webhook subscription {subscription_id}", err=True)
            raise typer.Exit(2) from None
    code = "" if result.status_code is None else f" HTTP {result.status_code}"
    line = f"{result.message_id}: {result.outcome}{code} in {result.duration_ms} ms"
    if result.delivered:
        typer.echo(line)
        return
    typer.echo(f"{line}: {result.error or 'not delivered'}", err=True)
    raise typer.Exit(1)
