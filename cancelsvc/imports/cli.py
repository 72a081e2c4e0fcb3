"""``data import FILE``."""

from __future__ import annotations

import json
from typing import IO

import click
from flask.cli import AppGroup

from cancelsvc.database import transaction
from cancelsvc.imports.service import ImportRejected, import_document
from cancelsvc.pool import IMPORT_STATEMENT_SECONDS
from cancelsvc.services import services, settings

data_cli = AppGroup("data", help="Import operator data.")


@data_cli.command("import")
@click.argument("file", type=click.File("rb"))
def data_import(file: IO[bytes]) -> None:
    """Import customers and accounts from FILE (JSON). All or nothing."""
    try:
        document = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file.name}: not valid JSON ({error})") from None
    services().deadlines.outside_requests = IMPORT_STATEMENT_SECONDS  # a large file takes long statements
    try:
        with transaction():
            report = import_document(document, settings().pii_key)
    except ImportRejected as rejected:
        click.echo(f"{file.name}: rejected, nothing was imported. Problems:", err=True)
        for path, messages in sorted(rejected.problems.items()):
            for message in messages:
                click.echo(f"  {path}: {message}", err=True)
        raise SystemExit(1) from None
    kinds = sorted(set(report.created) | set(report.updated) | set(report.unchanged))
    click.echo(f"{file.name}: imported" if report.changed else f"{file.name}: nothing changed")
    for kind in kinds:
        click.echo(
            f"  {kind:<10} created {report.created[kind]:>6}  updated {report.updated[kind]:>6}"
            f"  unchanged {report.unchanged[kind]:>6}"
        )
