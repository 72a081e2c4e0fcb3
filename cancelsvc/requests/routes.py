"""``/api/v1/cancellations`` and ``/api/v1/events``: thin views over the request services."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import Callers, current_principal, require
from cancelsvc.common.responses import presented
from cancelsvc.contract import operation
from cancelsvc.customers.service import shown_msisdn
from cancelsvc.database import transaction
from cancelsvc.errors import Unprocessable
from cancelsvc.i18n import current_locale
from cancelsvc.idempotency import idempotent
from cancelsvc.requests import inbound, queue, service
from cancelsvc.requests.caching import IF_MATCH, cached_view, etag, if_match_version
from cancelsvc.requests.presenter import progress_document, request_document
from cancelsvc.requests.schemas import (
    EVENT_DATA,
    CancellationCreateSchema,
    ChecklistPatchSchema,
    EventAcceptedSchema,
    EventSchema,
    ProgressSchema,
    RequestListArgsSchema,
    RequestSchema,
    RequestSummaryListSchema,
)
from cancelsvc.texts.marks import N_
from models import CancellationRequest

blp = ApiBlueprint("cancellations", __name__, url_prefix="/cancellations",
                description="Cancellation requests and their progress.")
events_blp = ApiBlueprint("events", __name__, url_prefix="/events", description="Back-office events.")

READERS: Callers = {"scopes": ["cancellations:read", "cancellations:write"], "customer": True, "staff": True}
WRITERS: Callers = {"scopes": ["cancellations:write"], "customer": True, "staff": True}


def _full(req: CancellationRequest) -> dict[str, Any]:
    return service.full_document(current_principal(), req, current_locale())


@blp.route("")
class Cancellations(MethodView):
    @operation("listCancellations")
    @blp.arguments(RequestListArgsSchema, location="query")
    @blp.response(200, RequestSummaryListSchema)
    @blp.paginate(page_size=25)
    @require(["cancellations:read", "cancellations:write"], staff=True)
    def get(self, args: dict[str, Any], pagination_parameters: PaginationParameters) -> dict[str, Any]:
        """Requests the caller may see (clerks: their store's), filtered; ``open=true`` is the work queue."""
        page = queue.list_requests(current_principal(), queue.QueueFilter(
            state=args["state"], store=args["store"], breached=args["breached"], waiting_on=args["waiting_on"],
            created_from=args["created_from"], created_to=args["created_to"], open_only=args["open"],
        ), pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = page.total
        return {"items": page.rows}

    @require(**WRITERS)
    @idempotent
    @operation("createCancellation", 409)
    @blp.arguments(CancellationCreateSchema, example={"precheck_id": "5b0f8a52-3c1e-4e7a-9d2b-6f4c1a7e8b90",
                                                      "reason": "moving", "comment": None})
    @blp.response(201, RequestSchema)
    def post(self, body: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
        """Submit a request from a fresh pre-check (``Idempotency-Key`` required)."""
        principal = current_principal()
        # ``submitted`` keeps the pre-check and account loaded while the document is built.
        submitted = service.submit(principal, body["precheck_id"], body["reason"], body["comment"],
                                   body["contact"])
        req = submitted.request
        doc = request_document(req, current_locale(), shown_msisdn(principal, submitted.account.msisdn))
        return presented(doc), 201, {"Location": f"/api/v1/cancellations/{req.id}",
                                     "ETag": etag(req.version, current_locale())}


@blp.route("/<request_id>")
class CancellationById(MethodView):
    @require(**READERS)
    @operation("getCancellation", 304, parameters=["IF_NONE_MATCH"])
    @blp.response(200, RequestSchema)
    def get(self, request_id: str) -> Any:
        """The request: state, version, quoted amounts, checklist and progress."""
        return cached_view(request_id, lambda req: _full(req))


@blp.route("/<request_id>/progress")
class CancellationProgress(MethodView):
    @require(**READERS)
    @operation("getCancellationProgress", 304, parameters=["IF_NONE_MATCH"])
    @blp.response(200, ProgressSchema)
    def get(self, request_id: str) -> Any:
        """Progress only: the ten nodes, ETA and cooling-off (poll with ``If-None-Match``)."""
        return cached_view(request_id, lambda req: progress_document(req, current_locale()))


@blp.route("/<request_id>/withdraw")
class CancellationWithdraw(MethodView):
    @require(**WRITERS)
    @idempotent
    @operation("withdrawCancellation", 409)
    @blp.response(200, RequestSchema)
    def post(self, request_id: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Withdraw before deactivation; the account stays exactly as it was."""
        principal = current_principal()
        req = service.withdraw(principal, service.get_request(principal, request_id))
        return _full(req), 200, {"ETag": etag(req.version, current_locale())}


@blp.route("/<request_id>/checklist/<key>")
class ChecklistItemView(MethodView):
    @require(["cancellations:write"], staff=True)
    @blp.doc(parameters=[IF_MATCH])
    @operation("updateChecklistItem", 409, 412, 428)
    @blp.arguments(ChecklistPatchSchema, example={"status": "done", "note": None})
    @blp.response(200, RequestSchema)
    def patch(self, body: dict[str, Any], request_id: str, key: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Tick an item off (done) or waive it (supervisors), with ``If-Match``."""
        principal = current_principal()
        version = if_match_version()
        with transaction():
            req = service.patch_item(principal, service.get_request(principal, request_id), key,
                                     body["status"], body["note"], version)
            doc = _full(req)
            tag = etag(req.version, current_locale())
        return doc, 200, {"ETag": tag}


@events_blp.route("")
class Events(MethodView):
    @require(["events:write"])
    @operation("postEvent")
    @events_blp.arguments(EventSchema, example={
        "event_id": "billing-20261123-0001", "type": "payment.received", "occurred_at": "2026-11-23T10:00:00+08:00",
        "cancellation_id": None, "msisdn": "+8613800138000", "data": {"amount": {"amount": "58.00", "currency": "CNY"},
                                                                   "reference": "PAY-1"}})
    @events_blp.response(202, EventAcceptedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Post a back-office event; a repeated ``event_id`` answers as the first time."""
        schema = EVENT_DATA.get(body["type"])
        if schema is None:
            raise Unprocessable(code="event.unknown_type",
                                errors={"type": [N_("Unknown event type; use one of {types}.").format(types=", ".join(EVENT_DATA))]})
        errors = schema().validate(body["data"])
        if errors:
            raise Unprocessable(errors={f"data.{k}": v for k, v in errors.items()})
        body["data"] = schema().load(body["data"])
        with transaction():
            return inbound.receive(current_principal(), body)
