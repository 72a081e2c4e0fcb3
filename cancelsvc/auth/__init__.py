"""Who is calling: API keys, customer tokens and staff sessions."""

from cancelsvc.auth.principal import Principal, current_principal, require

__all__ = ["Principal", "current_principal", "require"]
