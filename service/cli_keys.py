"""``envmon keys create --role R | list | revoke KEY_ID``: staff API keys from the command line.

``create`` prints the key once (only its hash is stored); keep it somewhere safe.
"""

from __future__ import annotations

import typer

from service.cli_common import open_store

app = typer.Typer(help="Staff API keys (stored hashed; roles viewer < operator < admin).")


@app.command("create")
def create(
    role: str = typer.Option(..., "--role", help="viewer, operator or admin"),
    name: str = typer.Option("", "--name", help="Who or what the key is for."),
) -> None:
    """Create a key and print it once."""
    # lazy: service.auth costs 293 ms at CLI start (docs/architecture.md)
    from service.auth import Role, create_key

    try:
        parsed = Role.parse(role)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--role") from None
    with open_store() as engine:
        info, plain = create_key(engine, parsed, name)
    typer.echo(plain)
    typer.echo(f"key id {info.key_id}, role {info.role.name}: shown once; store it now.", err=True)


@app.command("list")
def list_(
    all_: bool = typer.Option(False, "--all", help="Include revoked keys."),
) -> None:
    """List keys (id, role, name, created, last used, revoked); never the secret."""
    # lazy: service.auth costs 293 ms at CLI start (docs/architecture.md)
    from service.auth import list_keys

    with open_store() as engine:
        keys = list_keys(engine, include_revoked=all_)
    for k in keys:
        used = k.last_used_at.isoformat() if k.last_used_at else "-"
        revoked = k.revoked_at.isoformat() if k.revoked_at else "-"
        typer.echo(
            f"{k.key_id}\t{k.role.name}\t{k.name or '-'}\t{k.created_at.isoformat()}\t{used}\t{revoked}"
        )


@app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., help="The key id shown by `envmon keys list`."),
) -> None:
    """Revoke a key at once."""
    # lazy: service.auth costs 293 ms at CLI start (docs/architecture.md)
    from service.auth import revoke_key

    with open_store() as engine:
        done = revoke_key(engine, key_id)
    if not done:
        typer.echo(f"no active key with id {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
