"""``messages list`` (what was sent) and ``messages send-test`` (is the configuration right?)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from cancelsvc.common.phones import normalise_msisdn
from cancelsvc.notifications.compose import compose
from cancelsvc.notifications.history import message_row
from cancelsvc.notifications.routing import mask
from cancelsvc.notifications.transports.base import Outgoing
from cancelsvc.services import services, settings
from models import Message, db
from models.vocabulary import MessageChannel, MessageKind, Moment

messages_cli = AppGroup("messages", help="Messages to customers: history and a configuration check.")


@messages_cli.command("list")
@click.option("--request", "request_id", default=None, help="Only this request's messages.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
def messages_list(request_id: str | None, limit: int) -> None:
    """The latest messages (newest last): moment, kind, channel, masked address, status and times."""
    query = sa.select(Message).order_by(Message.created_at.desc(), Message.id).limit(limit)
    if request_id:
        query = query.where(Message.request_id == request_id)
    rows = list(db.session.execute(query).scalars())[::-1]
    if not rows:
        click.echo("no messages")
        return
    click.echo(f"{'time (UTC)':<19}  {'status':<13} {'moment':<18} {'kind':<9} {'via':<5} {'to':<20} request")
    for m in rows:
        r = message_row(m)
        when = (r["sent_at"] or r["scheduled_at"]).strftime("%Y-%m-%d %H:%M:%S")
        extra = f" ({r['failure_reason']})" if r["failure_reason"] else ""
        click.echo(f"{when}  {r['status']:<13} {r['moment']:<18} {r['kind']:<9} {r['channel'] or '-':<5} "
                   f"{r['to'] or '-':<20} {m.request_id or '-'}{extra}")


@messages_cli.command("send-test")
@click.option("--to", "to", required=True, help="A mobile number (text message) or an e-mail address.")
@click.option("--lang", default="zh-CN", type=click.Choice(["zh-CN", "en"]), show_default=True)
def messages_send_test(to: str, lang: str) -> None:
    """Send one test message through the configured SMSC, mail server or sink; exit 1 if it failed."""
    config = settings()
    if "@" in to:
        channel, address = MessageChannel.EMAIL, to.strip()
    else:
        channel, address = MessageChannel.SMS, normalise_msisdn(to) or ""
        if not address:
            raise click.BadParameter("not a mobile number", param_hint="--to")
    variant = {"variant": "email"} if channel == MessageChannel.EMAIL else {}
    composed = compose(Moment.TEST, lang, variant, operator=config.CANCELSVC_OPERATOR_NAME, hotline=config.CANCELSVC_HOTLINE)
    transports = services().messages
    transport = transports.for_channel(channel)
    try:
        [outcome] = transport.send_many([Outgoing("test", channel, address, mask(channel, address), Moment.TEST,
                                                   MessageKind.ESSENTIAL, composed)])
    finally:
        transports.close()
    where = transport.name if transport.name != "sink" else f"sink {config.CANCELSVC_MESSAGES_SINK}"
    if outcome.accepted:
        click.echo(f"sent to {mask(channel, address)} through {where}: {', '.join(outcome.smsc_ids)}")
        return
    click.echo(f"NOT sent to {mask(channel, address)} through {where}: {outcome.reason}", err=True)
    raise SystemExit(1)
