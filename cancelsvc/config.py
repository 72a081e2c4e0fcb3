"""One typed configuration, read from the environment (and `.env` when present).

Every variable is validated when the application is created; a bad value stops
start-up with a message naming the variable.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.vocabulary import ITEM_NODES


class ConfigError(ValueError):
    """A configuration variable has an invalid value."""


def _positive_int(name: str, raw: str, minimum: int = 1) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bounded_int(name: str, raw: str, minimum: int, maximum: int) -> int:
    value = _positive_int(name, raw, minimum)
    if value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _timezone(name: str, raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name} is not a known IANA timezone: {raw!r}") from None
    return raw


def _url(schemes: tuple[str, ...]) -> Callable[[str, str], str]:
    def check(name: str, raw: str) -> str:
        scheme = raw.split(":", 1)[0].split("+", 1)[0]
        if "://" not in raw or scheme not in schemes:
            raise ConfigError(f"{name} must be a URL with scheme {' or '.join(schemes)}, got {raw!r}")
        return raw

    return check


def _choice(*options: str) -> Callable[[str, str], str]:
    def check(name: str, raw: str) -> str:
        if raw not in options:
            raise ConfigError(f"{name} must be one of {', '.join(options)}, got {raw!r}")
        return raw

    return check


def _switch(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no"):
        return False
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


def _text(name: str, raw: str) -> str:
    return raw


def _line_of_text(name: str, raw: str) -> str:
    text = raw.strip()
    if not text or len(text) > 100 or any(ch in text for ch in "\r\n"):
        raise ConfigError(f"{name} must be one line of 1 to 100 characters, got {raw!r}")
    return text


def _public_url(name: str, raw: str) -> str:
    """The base of every link a customer gets: http(s)://host[:port][/path], no trailing slash."""
    text = _url(("http", "https"))(name, raw.strip())
    if any(ch in text for ch in "?#") or " " in text:
        raise ConfigError(f"{name} must be a base URL without query or fragment, got {raw!r}")
    return text.rstrip("/")


def _quiet_hours(name: str, raw: str) -> str:
    """``HH:MM-HH:MM`` (may wrap past midnight), or empty for none."""
    text = raw.strip()
    if text and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", text):
        raise ConfigError(f"{name} must be HH:MM-HH:MM (e.g. 21:00-08:00), got {raw!r}")
    return text


def _mail_address(name: str, raw: str) -> str:
    text = raw.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", text):
        raise ConfigError(f"{name} must be an e-mail address, got {raw!r}")
    return text


def _queue_name(name: str, raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", raw):
        raise ConfigError(f"{name} must be 1 to 64 letters, digits or underscores, got {raw!r}")
    return raw


def _extra_holidays(name: str, raw: str) -> str:
    from cancelsvc.workdays import parse_extra_holidays

    try:
        parse_extra_holidays(raw)
    except ValueError as error:
        raise ConfigError(f"{name}: {error}") from None
    return raw


#: The nodes that take an SLA: those grouping checklist items.
SLA_NODES = ITEM_NODES


def parse_sla(raw: str, name: str = "CANCELSVC_SLA_WORKING_DAYS") -> dict[str, int]:
    """``"fees_settled=3,devices_returned=10"`` → per-node SLA in working days."""
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        node, _, days = part.partition("=")
        if node.strip() not in SLA_NODES or not days.strip().isdigit():
            raise ConfigError(
                f"{name} takes node=working_days pairs for {', '.join(SLA_NODES)}; got {part!r}"
            )
        out[node.strip()] = int(days)
    return out


@dataclass(frozen=True)
class Settings:
    """The service's settings; field names are the environment variable names."""

    DATABASE_URL: str = "sqlite:///instance/cancelsvc.db"
    SECRET_KEY: str | None = None
    CANCELSVC_PII_KEY: str | None = None
    CANCELSVC_JWT_SECRET: str | None = None
    CANCELSVC_JWT_PUBLIC_KEY: str | None = None
    CANCELSVC_MODEL_DIR: str = "instance/model"
    CANCELSVC_QUEUE_URL: str | None = None
    CANCELSVC_QUEUE_NAME: str = "cancelsvc"
    CANCELSVC_JOBS_INTERVAL: int = 5
    CANCELSVC_JOBS_LEASE_SECONDS: int = 300
    #: Rows a sweep claims at once; unset: each sweeper's own size (100 to 1 000).
    CANCELSVC_JOBS_BATCH: int | None = None
    CANCELSVC_RATELIMIT_STORAGE: str = "sqlite:///instance/ratelimits.db"
    CANCELSVC_TIMEZONE: str = "Asia/Shanghai"
    CANCELSVC_MAX_BODY: int = 65536
    CANCELSVC_COOLING_OFF_HOURS: int = 72
    CANCELSVC_FOLLOW_UP_HOURS: int = 48
    CANCELSVC_EXTRA_HOLIDAYS: str = ""
    CANCELSVC_SLA_WORKING_DAYS: str = ""
    CANCELSVC_LOG_FORMAT: str = "json"
    CANCELSVC_LOG_LEVEL: str = "INFO"
    CANCELSVC_ENV: str = "production"
    CANCELSVC_POLL_FRONT: bool = True
    CANCELSVC_PUBLIC_URL: str = "http://127.0.0.1:5000"
    CANCELSVC_OPERATOR_NAME: str = "cancelsvc"
    CANCELSVC_HOTLINE: str = "10000"
    CANCELSVC_CONSOLE_IDLE_MINUTES: int = 30
    CANCELSVC_LINK_DAYS: int = 30
    #: How many reverse proxies stand in front (their X-Forwarded-For/-Proto are believed).
    CANCELSVC_TRUSTED_PROXIES: int = 0
    #: Console cookies only over HTTPS; unset: on, except with CANCELSVC_ENV=development.
    CANCELSVC_SECURE_COOKIES: bool | None = None
    CANCELSVC_SMS_URL: str | None = None
    CANCELSVC_SMTP_URL: str | None = None
    CANCELSVC_SMTP_STARTTLS: bool = False
    CANCELSVC_MAIL_FROM: str = "cancelsvc@localhost"
    CANCELSVC_MESSAGES_SINK: str = "instance/messages.txt"
    CANCELSVC_QUIET_HOURS: str = "21:00-08:00"
    CANCELSVC_SMS_DAILY_LIMIT: int = 3
    #: Connect, pool-checkout and statement limit of web requests' database work.
    CANCELSVC_DB_TIMEOUT_SECONDS: int = 5
    extras: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> Settings:
        """Read and validate settings from ``environ``; ``overrides`` win (used by tests)."""
        overrides = dict(overrides or {})
        values: dict[str, Any] = {}
        known = {f.name for f in fields(cls)} - {"extras"}
        for name in known:
            if name in overrides:
                raw = overrides.pop(name)
            elif environ.get(name, "") != "":
                raw = environ[name]
            else:
                continue
            values[name] = _VALIDATORS[name](name, str(raw)) if raw is not None else None
        return cls(**values, extras=overrides)

    def with_secrets(self, instance_path: Path) -> Settings:
        """Fill SECRET_KEY and CANCELSVC_PII_KEY from ``instance/``, generating them once."""
        changes = {}
        for name, filename in (("SECRET_KEY", "secret_key"), ("CANCELSVC_PII_KEY", "pii_key")):
            if getattr(self, name):
                continue
            path = instance_path / filename
            if not path.exists():
                instance_path.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
            changes[name] = path.read_text().strip()
        return _replace(self, **changes)

    @property
    def pii_key(self) -> str:
        """``CANCELSVC_PII_KEY``, which ``with_secrets`` always fills."""
        if not self.CANCELSVC_PII_KEY:
            raise ConfigError("CANCELSVC_PII_KEY is not set")
        return self.CANCELSVC_PII_KEY

    @property
    def secure_cookies(self) -> bool:
        """Whether console cookies carry ``Secure`` (``CANCELSVC_SECURE_COOKIES``, else outside development)."""
        if self.CANCELSVC_SECURE_COOKIES is not None:
            return self.CANCELSVC_SECURE_COOKIES
        return self.CANCELSVC_ENV != "development"

    def resolved(self, project_root: Path) -> Settings:
        """Relative paths made relative to the project root."""
        return _replace(self, CANCELSVC_MODEL_DIR=str(_resolve(self.CANCELSVC_MODEL_DIR, project_root)),
                        CANCELSVC_MESSAGES_SINK=str(_resolve(self.CANCELSVC_MESSAGES_SINK, project_root)))

    def flask_config(self, project_root: Path) -> dict[str, Any]:
        """What Flask and its extensions read from ``app.config`` (the service reads ``Settings``)."""
        cfg: dict[str, Any] = {
            "SECRET_KEY": self.SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": resolve_sqlite_path(self.DATABASE_URL, project_root),
            "MAX_CONTENT_LENGTH": self.CANCELSVC_MAX_BODY,
            "RATELIMIT_STORAGE_URI": resolve_sqlite_path(self.CANCELSVC_RATELIMIT_STORAGE, project_root),
            # The installation's name also keeps its rate-limit counters apart in a shared Redis.
            "RATELIMIT_KEY_PREFIX": self.CANCELSVC_QUEUE_NAME,
            # Console sessions are permanent: the signed cookie expires this long after the last request.
            "PERMANENT_SESSION_LIFETIME": timedelta(minutes=self.CANCELSVC_CONSOLE_IDLE_MINUTES),
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
        }
        cfg.update(self.extras)
        return cfg


def _resolve(path: str, root: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else root / p


def resolve_sqlite_path(url: str, root: Path) -> str:
    """Make a relative SQLite path relative to the project root, creating its folder."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite:///:memory:" or url.startswith("sqlite:////"):
        return url
    path = _resolve(url[len(prefix):], root)
    path.parent.mkdir(parents=True, exist_ok=True)
    return prefix + str(path)


def _replace(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


_VALIDATORS: dict[str, Callable[[str, str], Any]] = {
    "DATABASE_URL": _url(("sqlite", "postgresql")),
    "SECRET_KEY": _text,
    "CANCELSVC_PII_KEY": _text,
    "CANCELSVC_JWT_SECRET": _text,
    "CANCELSVC_JWT_PUBLIC_KEY": _text,
    "CANCELSVC_MODEL_DIR": _text,
    "CANCELSVC_QUEUE_URL": _url(("redis", "rediss", "sqlite")),
    "CANCELSVC_QUEUE_NAME": _queue_name,
    "CANCELSVC_JOBS_INTERVAL": lambda n, r: _bounded_int(n, r, 1, 60),
    "CANCELSVC_JOBS_LEASE_SECONDS": lambda n, r: _bounded_int(n, r, 5, 3600),
    "CANCELSVC_JOBS_BATCH": lambda n, r: _bounded_int(n, r, 1, 10000),
    "CANCELSVC_RATELIMIT_STORAGE": _url(("memory", "sqlite", "redis", "rediss")),
    "CANCELSVC_TIMEZONE": _timezone,
    "CANCELSVC_MAX_BODY": _positive_int,
    "CANCELSVC_COOLING_OFF_HOURS": lambda n, r: _positive_int(n, r, minimum=0),
    "CANCELSVC_FOLLOW_UP_HOURS": lambda n, r: _positive_int(n, r, minimum=0),
    "CANCELSVC_EXTRA_HOLIDAYS": _extra_holidays,
    "CANCELSVC_SLA_WORKING_DAYS": lambda n, r: (parse_sla(r, n), r)[1],
    "CANCELSVC_LOG_FORMAT": _choice("json", "text"),
    "CANCELSVC_LOG_LEVEL": _choice("DEBUG", "INFO", "WARNING", "ERROR"),
    "CANCELSVC_ENV": _choice("production", "development"),
    "CANCELSVC_POLL_FRONT": _switch,
    "CANCELSVC_PUBLIC_URL": _public_url,
    "CANCELSVC_OPERATOR_NAME": _line_of_text,
    "CANCELSVC_HOTLINE": _line_of_text,
    "CANCELSVC_CONSOLE_IDLE_MINUTES": lambda n, r: _bounded_int(n, r, 1, 24 * 60),
    "CANCELSVC_LINK_DAYS": lambda n, r: _bounded_int(n, r, 1, 366),
    "CANCELSVC_TRUSTED_PROXIES": lambda n, r: _bounded_int(n, r, 0, 10),
    "CANCELSVC_SECURE_COOKIES": _switch,
    "CANCELSVC_SMS_URL": _url(("smpp",)),
    "CANCELSVC_SMTP_URL": _url(("smtp", "smtps")),
    "CANCELSVC_SMTP_STARTTLS": _switch,
    "CANCELSVC_MAIL_FROM": _mail_address,
    "CANCELSVC_MESSAGES_SINK": _text,
    "CANCELSVC_QUIET_HOURS": _quiet_hours,
    "CANCELSVC_SMS_DAILY_LIMIT": lambda n, r: _bounded_int(n, r, 0, 100),
    "CANCELSVC_DB_TIMEOUT_SECONDS": lambda n, r: _bounded_int(n, r, 1, 300),
}
