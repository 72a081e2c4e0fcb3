"""``/api/v1/cancellations/{id}/messages``: what the customer was told, and what came back."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import current_principal, require
from cancelsvc.contract import operation
from cancelsvc.notifications.history import request_history
from cancelsvc.notifications.schemas import MessageHistorySchema
from cancelsvc.requests.service import get_request

blp = ApiBlueprint("messages", __name__, url_prefix="/cancellations",
                   description="Messages to the customer (text and e-mail), receipts, replies and calls.")


@blp.route("/<request_id>/messages")
class CancellationMessages(MethodView):
    @require(["cancellations:read", "cancellations:write"], staff=True)
    @operation("listCancellationMessages")
    @blp.response(200, MessageHistorySchema)
    def get(self, request_id: str) -> dict[str, Any]:
        """Every message, receipt, reply and call task of the request, with status and times."""
        req = get_request(current_principal(), request_id)
        return request_history(req.id)
