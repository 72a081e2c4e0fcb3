"""``/api/v1/calls``: the call list of a store and closing a call."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import current_principal, require
from cancelsvc.calls import service
from cancelsvc.calls.schemas import CallClosedSchema, CallCloseSchema, CallListArgsSchema, CallListSchema
from cancelsvc.contract import operation
from cancelsvc.database import transaction
from models.base import utcnow

blp = ApiBlueprint("calls", __name__, url_prefix="/calls",
                description="Customers to phone: follow-up calls and customers who were not satisfied.")


@blp.route("")
class Calls(MethodView):
    @operation("listCalls")
    @blp.arguments(CallListArgsSchema, location="query")
    @blp.response(200, CallListSchema)
    @blp.paginate(page_size=25)
    @require(["cancellations:read", "cancellations:write"], staff=True)
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> dict[str, Any]:
        """Open call tasks that are due, most urgent first (clerks: their store's)."""
        items, total = service.list_calls(current_principal(), utcnow(), pagination_parameters.page,
                                          pagination_parameters.page_size, args["store"])
        pagination_parameters.item_count = total
        return {"items": items}


@blp.route("/<call_id>/close")
class CloseCall(MethodView):
    @operation("closeCall", 409)
    @blp.arguments(CallCloseSchema)
    @blp.response(200, CallClosedSchema)
    @require(["cancellations:write"], staff=True)
    def post(self, body: dict[str, Any], call_id: str) -> dict[str, Any]:
        """Record a call: reached (satisfied or not, comment) closes it; not reached puts it back for later.

        Closing a follow-up call records the follow-up like a ``followup.recorded`` event.
        """
        with transaction():
            task = service.close_call(current_principal(), call_id, body["outcome"] == "reached",
                                      body["satisfied"], body["comment"], utcnow())
            return {"id": task.id, "kind": task.kind, "closed": task.closed_at is not None,
                    "attempts": task.attempts, "due_at": task.due_at, "outcome": task.outcome}
