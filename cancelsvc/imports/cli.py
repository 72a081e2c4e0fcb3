"""``data import FILE [--format json|jsonl] [--dry-run] [--workers N]``.

Exit status: 0 imported (or nothing to change, or a dry run that found the file valid),
1 the file was rejected (nothing written), 2 a usage error (no such file, bad option).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from tqdm import tqdm

from cancelsvc.common.masking import mask_msisdn
from cancelsvc.database import transaction
from cancelsvc.imports.reader import FileFormat, FileSource, detect_format
from cancelsvc.imports.service import KINDS, ImportRejected, ImportReport, Progress, run_import
from cancelsvc.imports.workers import default_workers
from cancelsvc.pool import IMPORT_STATEMENT_SECONDS
from cancelsvc.services import services, settings
from models.vocabulary import values

log = logging.getLogger(__name__)
data_cli = AppGroup("data", help="Import operator data.")


class _Bar(Progress):
    """On a terminal: the records validated (by the part of the file read: rate and ETA),
    then the rows written."""

    def __init__(self, source: FileSource) -> None:
        self.source = source
        self.records = 0
        self.bar: Any = tqdm(total=source.path.stat().st_size, unit="B", unit_scale=True, desc="validating",
                             dynamic_ncols=True, file=sys.stderr)

    def validating(self, count: int) -> None:
        self.records += count
        self.bar.set_postfix_str(f"{self.records:,} records", refresh=False)
        read = self.source.position()
        if read > self.bar.n:
            self.bar.update(read - self.bar.n)

    def writing(self, total: int) -> None:
        self.bar.update(self.bar.total - self.bar.n)
        self.bar.close()
        self.bar = tqdm(total=total, unit=" rows", unit_scale=True, desc="writing", dynamic_ncols=True,
                        file=sys.stderr)

    def written(self, count: int) -> None:
        self.bar.update(count)

    def close(self) -> None:
        self.bar.close()


def _on_terminal() -> bool:
    return sys.stderr.isatty()


class _RollBack(Exception):
    """A dry run ends here: everything it did is rolled back."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


@data_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(values(FileFormat)), default=None,
              help="json (one document) or jsonl (one customer per line); default: by the name "
                   "(.jsonl, .ndjson, optionally .gz, are JSON Lines). Gzip is recognised by its content.")
@click.option("--dry-run", is_flag=True, help="Validate and report what would change; write nothing.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes that parse and validate the records beside this one (0: none); "
                   "default: one per core for a file of 8 MB or more, else none.")
def data_import(file: Path, file_format: str | None, dry_run: bool, workers: int | None) -> None:
    """Import customers and accounts from FILE. All or nothing; importing it again changes nothing."""
    services().deadlines.outside_requests = IMPORT_STATEMENT_SECONDS  # a large file takes long statements
    source = FileSource(file, FileFormat(file_format) if file_format else detect_format(file))
    bar = _Bar(source) if _on_terminal() else None
    started = time.monotonic()
    try:
        with transaction():
            report = run_import(source, settings().pii_key, dry_run=dry_run, progress=bar,
                                workers=default_workers(file.stat().st_size) if workers is None else workers)
            if dry_run:
                raise _RollBack(report)
    except _RollBack as rolled_back:
        report = rolled_back.report
    except ImportRejected as rejected:
        if bar:
            bar.close()
        _rejected(file, rejected, time.monotonic() - started)
        raise SystemExit(1) from None
    if bar:
        bar.close()
    _report(file, report, time.monotonic() - started)


def _rejected(file: Path, rejected: ImportRejected, seconds: float) -> None:
    total = sum(len(v) for v in rejected.problems.values()) + rejected.more
    click.echo(f"{file.name}: rejected, nothing was imported. Problems ({total}):", err=True)
    for path, messages in rejected.problems.items():
        for message in messages:
            click.echo(f"  {path}: {message}", err=True)
    if rejected.more:
        click.echo(f"  … and {rejected.more} more problems (the first {total - rejected.more} are listed).",
                   err=True)
    log.warning("data import %s rejected: %d problems, nothing written (%.0f s)", file.name, total, seconds)


def _report(file: Path, report: ImportReport, seconds: float) -> None:
    verb = {"created": "would create", "updated": "would update"} if report.dry_run else {
        "created": "created", "updated": "updated"}
    if report.dry_run:
        click.echo(f"{file.name}: valid ({report.records} records); dry run, nothing was written."
                   + ("" if report.changed else " Nothing would change."))
    else:
        click.echo(f"{file.name}: imported {report.records} records" if report.changed
                   else f"{file.name}: nothing changed ({report.records} records)")
    for kind in KINDS:
        if kind in report.created or kind in report.updated or kind in report.unchanged:
            click.echo(f"  {kind:<10} {verb['created']} {report.created[kind]:>8}  {verb['updated']} "
                       f"{report.updated[kind]:>8}  unchanged {report.unchanged[kind]:>8}")
    second = "compared with the database" if report.dry_run else "written"
    click.echo(f"  read and validated in {report.validating_seconds:.1f} s, {second} in {report.writing_seconds:.1f} s")
    if report.kept_deactivated_total:
        click.echo(f"  {report.kept_deactivated_total} numbers deactivated by this service stay cancelled "
                   "(the file gave them another status):")
        for msisdn in report.kept_deactivated:
            click.echo(f"    {mask_msisdn(msisdn)}")
    if report.rejected:
        would = "would be rejected" if report.dry_run else "rejected"
        click.echo(f"  {len(report.rejected)} open requests {would}: the file places a hold on their number:")
        for request_id, hold in report.rejected:
            click.echo(f"    {request_id} ({hold})")
    changes = {kind: report.created[kind] + report.updated[kind] for kind in KINDS}
    log.info("data import %s%s: %d records, %s; %d kept deactivated, %d requests rejected (%.0f s)",
             file.name, " (dry run)" if report.dry_run else "", report.records,
             ", ".join(f"{kind} {n} changed" for kind, n in changes.items() if n) or "nothing changed",
             report.kept_deactivated_total, len(report.rejected), seconds)
