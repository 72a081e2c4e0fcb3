"""``demo seed``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from cancelsvc.auth.tokens import mint_customer_token
from cancelsvc.database import transaction
from cancelsvc.demo.service import seed

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Load a demo data set covering every rule, and print demo credentials."""
    today = datetime.now(ZoneInfo(current_app.config["CANCELSVC_TIMEZONE"])).date()
    with transaction():
        result = seed(today, current_app.config["CANCELSVC_PII_KEY"])
    created = sum(result.report.created.values())
    click.echo(f"Demo data loaded ({created} records created, accounts: "
               f"{result.report.created['accounts'] + result.report.updated['accounts'] + result.report.unchanged['accounts']}).")
    click.echo(f"Demo API key (all scopes):   {result.api_key}")
    for username, role, store in result.users:
        click.echo(f"Console login ({role}{', ' + store if store else ''}): {username} / {result.password}")
    secret = current_app.config.get("CANCELSVC_JWT_SECRET")
    if secret:
        click.echo(f"Customer token ({result.customer}, 24 h): {mint_customer_token(result.customer, secret)}")
    else:
        click.echo("Set CANCELSVC_JWT_SECRET to get a demo customer token.")
