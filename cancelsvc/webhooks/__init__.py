"""Outgoing webhooks: admin API (``routes``), deliveries (``delivery``), signatures (``signing``)."""

from __future__ import annotations

from cancelsvc.error_texts import register_titles
from cancelsvc.texts.marks import N_

register_titles({"webhook.not_found": N_("We could not find this webhook subscription")})
