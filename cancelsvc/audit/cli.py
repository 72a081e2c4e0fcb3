"""``audit verify``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from cancelsvc.audit.chain import check_chain

audit_cli = AppGroup("audit", help="The hash-chained audit log.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit 1 naming the first bad record when it is broken."""
    report = check_chain()
    if report.first_break is None:
        click.echo(f"audit chain OK ({report.records} records)")
        return
    click.echo(f"audit chain BROKEN at {report.first_break} ({report.records} records verified before it)", err=True)
    raise SystemExit(1)
