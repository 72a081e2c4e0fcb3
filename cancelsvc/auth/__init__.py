"""Who is calling: API keys, customer tokens and staff sessions."""

from cancelsvc.auth.principal import Callers, Principal, current_principal, require

__all__ = ["Callers", "Principal", "current_principal", "require"]
