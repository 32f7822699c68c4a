import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sesconsole.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


def test_env_helpers_parse_and_refuse(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST") == ["a", "b", "c"]

    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "forty")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL='maybe'"):
        env_bool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="X_INT='forty'"):
        env_int("X_INT", 0)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    test_only = {
        "SES_HTTPS",
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SES_STATIC_MANIFEST",
    }
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-real-production-secret-" + "k7Qz" * 10,
        ALLOWED_HOSTS="ses.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_bad_time_zone_is_refused_at_start():
    result = _manage("check", SES_TIME_ZONE="Mars/Olympus")

    assert "SES_TIME_ZONE='Mars/Olympus' is not an IANA time zone" in result.stderr
