"""Outgoing webhooks: admin API (``routes``), deliveries (``delivery``), signatures (``signing``)."""

from __future__ import annotations

from cancelsvc.error_texts import register_titles

register_titles({"webhook.not_found": ("未找到该 Webhook 订阅", "We could not find this webhook subscription")})
