"""``ml export``: training rows from this service's own finished requests."""

from __future__ import annotations

import click
import sqlalchemy as sa

import ml
from cancelsvc.risk.cli import ml_cli
from models import CancellationRequest, Precheck, db
from models.vocabulary import UNFINISHED_STATES, RequestState

#: Finished states and the label they give: completed on the first attempt, or not.
OUTCOMES = {RequestState.COMPLETED: 0, **{state: 1 for state in UNFINISHED_STATES}}


def export_rows() -> list[dict[str, object]]:
    """Features as stored at pre-check, with the observed outcome as the label."""
    rows = db.session.execute(
        sa.select(Precheck.features, CancellationRequest.state)
        .join(Precheck, Precheck.id == CancellationRequest.precheck_id)
        .where(CancellationRequest.state.in_(tuple(OUTCOMES)), Precheck.features.is_not(None))
        .order_by(CancellationRequest.submitted_at)
    ).all()
    return [{**features, ml.LABEL: OUTCOMES[state]} for features, state in rows]


@ml_cli.command("export")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="CSV file to write.")
def export(out: str) -> None:
    """Training rows from this service's finished requests (features as at pre-check)."""
    rows = export_rows()
    header = [*ml.FEATURES, ml.LABEL]
    ml.write_csv(out, header, rows)
    click.echo(f"wrote {len(rows)} rows to {out}")
