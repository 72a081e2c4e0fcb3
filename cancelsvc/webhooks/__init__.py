"""Outgoing webhooks: admin API (``routes``), deliveries (``delivery``), signatures (``signing``)."""
