"""The hash-chained audit log: ``append`` in the caller's transaction, ``verify`` the chain."""

from __future__ import annotations

from cancelsvc.audit.chain import ChainBreak, ChainReport, append, check_chain, record_hash, verify

__all__ = ["ChainBreak", "ChainReport", "append", "check_chain", "record_hash", "verify"]
