"""``/api/v1/customers/me/...``: a signed-in customer's own data."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import current_principal, require
from cancelsvc.contract import operation
from cancelsvc.customers import service
from cancelsvc.customers.schemas import AccountListSchema
from cancelsvc.i18n import current_locale
from cancelsvc.requests import service as requests
from cancelsvc.requests.schemas import RequestListSchema

blp = ApiBlueprint("customers", __name__, url_prefix="/customers", description="A customer's own accounts.")


@blp.route("/me/accounts")
class MyAccounts(MethodView):
    @operation("listMyAccounts")
    @blp.response(200, AccountListSchema)
    @require(customer=True)
    def get(self) -> dict[str, Any]:
        """The calling customer's accounts (customer token only)."""
        return {"items": service.my_accounts(current_principal())}


@blp.route("/me/cancellations")
class MyCancellations(MethodView):
    @operation("listMyCancellations")
    @blp.response(200, RequestListSchema)
    @require(customer=True)
    def get(self) -> dict[str, Any]:
        """The calling customer's cancellation requests, newest first."""
        principal, locale = current_principal(), current_locale()
        return {"items": [requests.full_document(principal, req, locale) for req in requests.my_requests(principal)]}
