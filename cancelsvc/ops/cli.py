"""``openapi write FILE``."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

openapi_cli = AppGroup("openapi", help="The OpenAPI document.")


@openapi_cli.command("write")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def openapi_write(file: str) -> None:
    """Write the OpenAPI document generated from the schemas to FILE."""
    spec = current_app.extensions["cancelsvc.api"].spec.to_dict()
    with open(file, "w", encoding="utf-8") as fh:
        json.dump(spec, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    click.echo(f"wrote {file} ({len(spec.get('paths', {}))} paths)")
