"""Registering, listing and deactivating webhook subscriptions; reading deliveries."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from cancelsvc import audit
from cancelsvc.auth.principal import Principal
from cancelsvc.errors import NotFound
from models import WebhookDelivery, WebhookSubscription, db

SECRET_PREFIX = "whsec_"


def register(
    principal: Principal, url: str, event_types: Iterable[str], secret: str | None = None
) -> tuple[WebhookSubscription, str | None]:
    """Add a subscription; returns it and the generated secret (None when one was given)."""
    generated = None if secret else SECRET_PREFIX + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(
        url=url, secret=secret or generated, event_types=sorted(set(event_types)), active=True
    )
    db.session.add(subscription)
    db.session.flush()
    audit.append(
        principal.caller_key,
        "webhook.registered",
        "webhook",
        subscription.id,
        {"url": url, "event_types": subscription.event_types},
    )
    return subscription, generated


def subscriptions() -> list[WebhookSubscription]:
    """Every subscription, newest first."""
    query = sa.select(WebhookSubscription).order_by(WebhookSubscription.created_at.desc(), WebhookSubscription.id)
    return list(db.session.execute(query).scalars())


def get(subscription_id: str) -> WebhookSubscription:
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(code="webhook.not_found")
    return subscription


def deactivate(principal: Principal, subscription_id: str) -> None:
    """Stop sending to a subscription (pending deliveries end as failed)."""
    subscription = get(subscription_id)
    if subscription.active:
        subscription.active = False
        audit.append(principal.caller_key, "webhook.deactivated", "webhook", subscription.id, {"url": subscription.url})


def deliveries(subscription_id: str, limit: int) -> list[WebhookDelivery]:
    """The subscription's most recent deliveries."""
    get(subscription_id)
    query = (
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def subscription_view(subscription: WebhookSubscription, secret: str | None = None) -> dict[str, Any]:
    """The subscription as shown in responses; the secret only when just generated."""
    view: dict[str, Any] = {
        "id": subscription.id,
        "url": subscription.url,
        "event_types": subscription.event_types,
        "active": subscription.active,
        "created_at": subscription.created_at,
    }
    if secret is not None:
        view["secret"] = secret
    return view
