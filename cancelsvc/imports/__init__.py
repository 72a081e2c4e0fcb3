"""Importing customers and accounts from the operator's billing/CRM export."""
