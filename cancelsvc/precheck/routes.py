"""``/api/v1/prechecks``: thin views over ``cancelsvc.precheck.service``."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import Callers, current_principal, require
from cancelsvc.common.responses import presented
from cancelsvc.contract import operation
from cancelsvc.database import single_statement_writes, transaction
from cancelsvc.i18n import current_locale
from cancelsvc.precheck import service
from cancelsvc.precheck.schemas import PrecheckCreateSchema, PrecheckSchema

blp = ApiBlueprint(
    "prechecks", __name__, url_prefix="/prechecks",
    description="Everything a customer must know and do before a line can be cancelled.",
)

CALLERS: Callers = {"scopes": ["precheck"], "customer": True, "staff": True}
# One schema instance for every request (a class would be instantiated per request).
CREATE_SCHEMA = PrecheckCreateSchema()


@blp.route("")
class Prechecks(MethodView):
    @operation("createPrecheck", 404)
    @blp.arguments(CREATE_SCHEMA, example={"account": "+8613800138000", "channel": "app", "effective_date": "asap"})
    @blp.response(201, PrecheckSchema)
    @single_statement_writes  # a pre-check writes one row: no BEGIN/COMMIT round trips
    @require(**CALLERS)
    def post(self, body: dict[str, Any]) -> tuple[Response, int, dict[str, str]]:
        """Run a pre-check and store it (the quoted amounts bind the request it leads to)."""
        principal = current_principal()
        with transaction():  # the pre-check's row is written while its document is built
            ran = service.run_precheck(principal, body["account"], body["channel"], body["effective_date"])
            response = presented(service.ran_document(principal, ran, current_locale()))
        return response, 201, {"Location": f"/api/v1/prechecks/{ran.id}", "Vary": "Accept-Language, Authorization"}


@blp.route("/<precheck_id>")
class PrecheckById(MethodView):
    @operation("getPrecheck")
    @blp.response(200, PrecheckSchema)
    @require(**CALLERS)
    def get(self, precheck_id: str) -> tuple[Response, int, dict[str, str]]:
        """A stored pre-check, in the caller's language."""
        principal = current_principal()
        row = service.get_precheck(principal, precheck_id)
        doc = service.document(principal, row, current_locale())
        return presented(doc), 200, {"Vary": "Accept-Language, Authorization"}
