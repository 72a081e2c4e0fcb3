"""Cancellation requests: submission, the state machine, progress nodes and what moves them."""
