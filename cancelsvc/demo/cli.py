"""``demo seed``."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from cancelsvc.auth.tokens import mint_customer_token
from cancelsvc.common.masking import mask_msisdn
from cancelsvc.database import transaction
from cancelsvc.demo.service import OPEN_REQUEST_MSISDN, demo_tracking_link, seed
from cancelsvc.services import settings

demo_cli = AppGroup("demo", help="Demo data.")


#: The demo key printed last, kept so that seeding again reuses it while it is valid.
KEY_FILE = "demo-api-key"


@demo_cli.command("seed")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Where the demo API key is kept (default: instance/{KEY_FILE}).")
def demo_seed(key_file: Path | None) -> None:
    """Load a demo data set covering every rule, and print demo credentials.

    The demo API key is kept in ``instance/demo-api-key``: seeding again reuses it while
    it is valid, so a running server and scripts using it keep working.
    """
    today = datetime.now(ZoneInfo(settings().CANCELSVC_TIMEZONE)).date()
    key_file = key_file or Path(current_app.instance_path) / KEY_FILE
    previous = key_file.read_text().strip() if key_file.exists() else None
    with transaction():
        result = seed(today, settings().pii_key, previous)
    if result.api_key != previous:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(result.api_key + "\n")
    report = result.report
    created, updated = sum(report.created.values()), sum(report.updated.values())
    accounts = report.created["accounts"] + report.updated["accounts"] + report.unchanged["accounts"]
    request = "a demo request submitted" if result.request_submitted else "the demo request still open"
    click.echo(f"Demo data loaded ({created} records created, {updated} updated; {accounts} accounts; {request}).")
    click.echo(f"Demo API key (all scopes):   {result.api_key}")
    for username, role, store in result.users:
        click.echo(f"Console login ({role}{', ' + store if store else ''}): {username} / {result.password}")
    with transaction():
        link = demo_tracking_link()
    if link:
        click.echo(f"Customer tracking page ({mask_msisdn(OPEN_REQUEST_MSISDN)}, or the last 4 digits "
                   f"{OPEN_REQUEST_MSISDN[-4:]}): {link}")
    secret = settings().CANCELSVC_JWT_SECRET
    if secret:
        click.echo(f"Customer token ({result.customer}, 24 h): {mint_customer_token(result.customer, secret)}")
    else:
        click.echo("Set CANCELSVC_JWT_SECRET to get a demo customer token.")
