"""Configuration: defaults, validation naming the variable, generated secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from cancelsvc import create_app
from cancelsvc.config import ConfigError, Settings


def test_defaults_match_the_spec() -> None:
    s = Settings.load({})
    assert s.DATABASE_URL == "sqlite:///instance/cancelsvc.db"
    assert s.CANCELSVC_MODEL_DIR == "instance/model"
    # The spec's memory:// counts per process; the default is shared by the processes of one
    # machine so that make run's two workers keep the documented limits (docs/operations.md).
    assert s.CANCELSVC_RATELIMIT_STORAGE == "sqlite:///instance/ratelimits.db"
    assert s.CANCELSVC_TIMEZONE == "Asia/Shanghai"
    assert s.CANCELSVC_MAX_BODY == 65536
    assert s.CANCELSVC_COOLING_OFF_HOURS == 72
    assert s.CANCELSVC_FOLLOW_UP_HOURS == 48
    assert s.CANCELSVC_QUEUE_URL is None
    assert s.CANCELSVC_PUBLIC_URL == "http://127.0.0.1:5000"
    assert s.CANCELSVC_CONSOLE_IDLE_MINUTES == 30
    assert s.CANCELSVC_LINK_DAYS == 30
    assert s.CANCELSVC_OPERATOR_NAME and s.CANCELSVC_HOTLINE
    assert s.CANCELSVC_QUIET_HOURS == "21:00-08:00" and s.CANCELSVC_SMS_DAILY_LIMIT == 3
    assert s.CANCELSVC_SMS_URL is None and s.CANCELSVC_SMTP_URL is None and s.CANCELSVC_SMTP_STARTTLS is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CANCELSVC_MAX_BODY", "lots"),
        ("CANCELSVC_MAX_BODY", "0"),
        ("CANCELSVC_COOLING_OFF_HOURS", "-1"),
        ("CANCELSVC_TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://x"),
        ("CANCELSVC_QUEUE_URL", "amqp://guest@localhost"),
        ("CANCELSVC_RATELIMIT_STORAGE", "memcached://x"),
        ("CANCELSVC_EXTRA_HOLIDAYS", "2026-12-24,christmas"),
        ("CANCELSVC_LOG_FORMAT", "xml"),
        ("CANCELSVC_POLL_FRONT", "maybe"),
        ("CANCELSVC_PUBLIC_URL", "ftp://cancel.example"),
        ("CANCELSVC_PUBLIC_URL", "https://cancel.example/?x=1"),
        ("CANCELSVC_OPERATOR_NAME", "   "),
        ("CANCELSVC_HOTLINE", "10000\nX-Injected: 1"),
        ("CANCELSVC_CONSOLE_IDLE_MINUTES", "0"),
        ("CANCELSVC_CONSOLE_IDLE_MINUTES", "soon"),
        ("CANCELSVC_LINK_DAYS", "0"),
        ("CANCELSVC_LINK_DAYS", "a month"),
        ("CANCELSVC_SMS_URL", "http://smsc.example:2775"),
        ("CANCELSVC_SMTP_URL", "imap://mail.example"),
        ("CANCELSVC_SMTP_STARTTLS", "perhaps"),
        ("CANCELSVC_MAIL_FROM", "not an address"),
        ("CANCELSVC_QUIET_HOURS", "9pm-8am"),
        ("CANCELSVC_QUIET_HOURS", "25:00-08:00"),
        ("CANCELSVC_SMS_DAILY_LIMIT", "-1"),
        ("CANCELSVC_SMS_DAILY_LIMIT", "many"),
    ],
)
def test_invalid_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.load({name: value})


def test_environment_values_are_typed() -> None:
    s = Settings.load({"CANCELSVC_MAX_BODY": "1024", "CANCELSVC_COOLING_OFF_HOURS": "0"})
    assert s.CANCELSVC_MAX_BODY == 1024
    assert s.CANCELSVC_COOLING_OFF_HOURS == 0
    assert s.CANCELSVC_POLL_FRONT is True


@pytest.mark.parametrize(("raw", "on"), [("on", True), ("1", True), ("TRUE", True), ("off", False), ("0", False),
                                         ("false", False), ("no", False)])
def test_the_poll_front_switch(raw: str, on: bool) -> None:
    assert Settings.load({"CANCELSVC_POLL_FRONT": raw}).CANCELSVC_POLL_FRONT is on


def test_public_url_loses_its_trailing_slash_and_idle_minutes_become_the_session_lifetime() -> None:
    from datetime import timedelta

    s = Settings.load({"CANCELSVC_PUBLIC_URL": "https://cancel.example/app/", "CANCELSVC_CONSOLE_IDLE_MINUTES": "5"})
    assert s.CANCELSVC_PUBLIC_URL == "https://cancel.example/app"
    assert s.flask_config(Path("/tmp"))["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=5)


def test_secrets_are_generated_once_into_instance(tmp_path: Path) -> None:
    first = Settings.load({}).with_secrets(tmp_path)
    second = Settings.load({}).with_secrets(tmp_path)
    assert first.SECRET_KEY and first.CANCELSVC_PII_KEY
    assert first.SECRET_KEY != first.CANCELSVC_PII_KEY
    assert (first.SECRET_KEY, first.CANCELSVC_PII_KEY) == (second.SECRET_KEY, second.CANCELSVC_PII_KEY)
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_create_app_fails_fast_on_bad_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANCELSVC_MAX_BODY", "big")
    with pytest.raises(ConfigError, match="CANCELSVC_MAX_BODY"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "CANCELSVC_PII_KEY": "y"})


def test_relative_sqlite_path_is_under_the_project(tmp_path: Path) -> None:
    from cancelsvc.config import resolve_sqlite_path

    url = resolve_sqlite_path("sqlite:///instance/x.db", tmp_path)
    assert url == f"sqlite:///{tmp_path}/instance/x.db"
    assert (tmp_path / "instance").is_dir()
    assert resolve_sqlite_path("postgresql+psycopg://h/db", tmp_path) == "postgresql+psycopg://h/db"


def test_hardening_defaults() -> None:
    s = Settings.load({})
    assert s.CANCELSVC_DB_TIMEOUT_SECONDS == 5
    assert s.CANCELSVC_TRUSTED_PROXIES == 0
    assert s.secure_cookies is True
    assert Settings.load({"CANCELSVC_ENV": "development"}).secure_cookies is False
    with pytest.raises(ConfigError, match="CANCELSVC_DB_TIMEOUT_SECONDS"):
        Settings.load({"CANCELSVC_DB_TIMEOUT_SECONDS": "0"})
