"""``/api/v1/customers/me/...``: a signed-in customer's own data."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import current_principal, require
from cancelsvc.contract import operation
from cancelsvc.customers import search, service
from cancelsvc.customers.schemas import AccountListSchema, SearchResultListSchema, SearchSchema
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
    @blp.paginate(page_size=10)
    @require(customer=True)
    def get(self, pagination_parameters: PaginationParameters) -> dict[str, Any]:
        """The calling customer's cancellation requests, newest first (paginated, ``X-Pagination``)."""
        principal, locale = current_principal(), current_locale()
        rows, total = requests.my_requests(principal, pagination_parameters.page, pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return {"items": [requests.full_document(principal, req, locale) for req in rows]}


@blp.route("/search")
class CustomerSearch(MethodView):
    @operation("searchCustomers")
    @blp.arguments(SearchSchema)
    @blp.response(200, SearchResultListSchema)
    @require(["admin"], staff=True)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Find customers by number (any notation), tracking code, name or identity-document number.

        A POST, so nothing searched ends up in a URL or an access log. Clerks find their store's.
        """
        return {"items": search.search(current_principal(), body["q"])}
