"""``/api/v1/webhooks``: admins register receivers of the cancellation events."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import current_principal, require
from cancelsvc.contract import operation
from cancelsvc.database import transaction
from cancelsvc.webhooks import service
from cancelsvc.webhooks.schemas import (
    DeliveriesQuery,
    DeliveryListOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookListOut,
)

blp = ApiBlueprint("webhooks", __name__, url_prefix="/webhooks", description="Outgoing webhooks (admins).")


@blp.route("")
class Webhooks(MethodView):
    @require(["admin"], staff=["admin"])
    @operation("createWebhook")
    @blp.arguments(WebhookIn, example={"url": "https://crm.example.com/hooks/cancelsvc",
                                       "event_types": ["cancellation.created", "cancellation.state_changed"]})
    @blp.response(201, WebhookCreatedOut)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Register a receiver; the secret is returned only when generated."""
        with transaction():
            subscription, secret = service.register(
                current_principal(), body["url"], body["event_types"], body.get("secret")
            )
            return service.subscription_view(subscription, secret)

    @require(["admin"], staff=["admin"])
    @operation("listWebhooks")
    @blp.response(200, WebhookListOut)
    def get(self) -> dict[str, Any]:
        """Every subscription (secrets are never shown)."""
        return {"items": [service.subscription_view(s) for s in service.subscriptions()]}


@blp.route("/<string:subscription_id>")
class Webhook(MethodView):
    @require(["admin"], staff=["admin"])
    @operation("deleteWebhook")
    @blp.response(204)
    def delete(self, subscription_id: str) -> None:
        """Deactivate a subscription: nothing more is sent to it."""
        with transaction():
            service.deactivate(current_principal(), subscription_id)


@blp.route("/<string:subscription_id>/deliveries")
class WebhookDeliveries(MethodView):
    @require(["admin"], staff=["admin"])
    @operation("listWebhookDeliveries")
    @blp.arguments(DeliveriesQuery, location="query")
    @blp.response(200, DeliveryListOut)
    def get(self, query: dict[str, Any], subscription_id: str) -> dict[str, Any]:
        """The subscription's most recent deliveries, newest first."""
        return {"items": service.deliveries(subscription_id, query["limit"])}
