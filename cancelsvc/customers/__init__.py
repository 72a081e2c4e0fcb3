"""A customer's own view: their accounts (and, later, their requests)."""
