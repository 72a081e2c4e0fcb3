"""``keys create|list|revoke``, ``users create|list|disable|reset-password`` and ``tokens customer``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from cancelsvc.auth.keys import create_key, list_keys, revoke_key
from cancelsvc.auth.sessions import create_user, disable_user, list_users, reset_password
from cancelsvc.auth.tokens import mint_customer_token
from cancelsvc.database import transaction
from cancelsvc.errors import AppError
from cancelsvc.services import settings

keys_cli = AppGroup("keys", help="Manage API keys.")
users_cli = AppGroup("users", help="Manage staff users of the console.")
tokens_cli = AppGroup("tokens", help="Development tokens.")
#: Who the audit log names for changes made on the command line.
CLI_ACTOR = "cli"


def _fail(error: AppError) -> click.ClickException:
    details = "; ".join(f"{k}: {', '.join(v)}" for k, v in (error.errors or {}).items())
    return click.ClickException(details or str(error.detail or error.code))


@keys_cli.command("create")
@click.option("--name", required=True, help="Who uses the key (e.g. self-service app).")
@click.option("--scopes", required=True, help="Comma-separated: precheck, cancellations:read, ...")
def keys_create(name: str, scopes: str) -> None:
    """Create an API key and print it once."""
    try:
        with transaction():
            row, clear = create_key(name, [s.strip() for s in scopes.split(",") if s.strip()])
    except AppError as error:
        raise _fail(error) from None
    click.echo(f"API key {row.prefix}… for {row.name} (scopes: {', '.join(row.scopes)})")
    click.echo(clear)
    click.echo("Store it now: it is shown only once.", err=True)


@keys_cli.command("list")
def keys_list() -> None:
    """List API keys (id, prefix, name, scopes, created, revoked); never the keys themselves."""
    rows = list_keys()
    if not rows:
        click.echo("no API keys")
        return
    click.echo("id\tprefix\tname\tscopes\tcreated\tstate")
    for row in rows:
        revoked = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.name}\t{','.join(row.scopes)}\t"
                   f"created {row.created_at:%Y-%m-%d %H:%M}\t{revoked}")


@keys_cli.command("revoke")
@click.argument("key")
def keys_revoke(key: str) -> None:
    """Revoke the key with this id or prefix (csk_…); refused from its next use."""
    try:
        with transaction():
            row = revoke_key(key.rstrip("…"), CLI_ACTOR)
    except AppError as error:
        raise _fail(error) from None
    click.echo(f"Revoked key {row.id} ({row.prefix}…, {row.name})")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(["clerk", "supervisor", "admin"]), required=True)
@click.option("--store", "store_code", default=None, help="Store code (clerks and supervisors).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(username: str, role: str, store_code: str | None, password_stdin: bool) -> None:
    """Create a staff user (asks for the password unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction():
            user = create_user(username, password, role, store_code)
    except AppError as error:
        raise _fail(error) from None
    click.echo(f"Created {user.role} {user.username}" + (f" at {user.store_code}" if user.store_code else ""))


@users_cli.command("list")
def users_list() -> None:
    """List staff users: username, role, store, active or disabled."""
    for user in list_users():
        click.echo(f"{user.username}\t{user.role}\t{user.store_code or '-'}\t"
                   f"{'active' if user.active else 'disabled'}")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable a user; their open sessions end with their next request."""
    try:
        with transaction():
            user = disable_user(username, CLI_ACTOR)
    except AppError as error:
        raise _fail(error) from None
    click.echo(f"Disabled {user.username}")


@users_cli.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_reset_password(username: str, password_stdin: bool) -> None:
    """Give a user a new password (asks for it unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction():
            user = reset_password(username, password, CLI_ACTOR)
    except AppError as error:
        raise _fail(error) from None
    click.echo(f"New password set for {user.username}")


@tokens_cli.command("customer")
@click.argument("external_id")
@click.option("--hours", default=24, show_default=True, type=click.IntRange(1, 24 * 30))
def tokens_customer(external_id: str, hours: int) -> None:
    """Development only: mint a customer JWT with the configured HS256 secret."""
    secret = settings().CANCELSVC_JWT_SECRET
    if not secret:
        raise click.ClickException("set CANCELSVC_JWT_SECRET to mint development tokens")
    click.echo(mint_customer_token(external_id, secret, hours))
