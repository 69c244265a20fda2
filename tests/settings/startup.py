"""Start-up tests run `manage.py` in a subprocess with a chosen environment, as an operator would (fixtures)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The only variables a start-up subprocess inherits: nothing of the developer's or CI's configuration, nor what other
# tests put into os.environ (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rejects).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_RUNTIME_DIR", "VIRTUAL_ENV", "SYSTEMROOT")


def clean_environment(**env: str) -> dict[str, str]:
    """A process environment with only ``INHERITED`` from ours, plus ``env``."""
    return {**{k: v for k, v in os.environ.items() if k in INHERITED}, **env}


def database_server_url(name: str = "postgres") -> str:
    """A postgres:// URL on the server the tests use (check --deploy never connects to it)."""
    from django.db import connection

    params = connection.settings_dict
    host = params["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # the embedded server listens on a unix socket only
        from urllib.parse import quote

        return f"postgres://{params['USER']}@{quote(host, safe='')}:{params['PORT']}/{name}"
    return f"postgres://{params['USER']}@{host}:{params['PORT'] or 5432}/{name}"


@pytest.fixture
def manage(tmp_path):
    """Run ``manage.py <args>`` with exactly ``env`` on top of a clean environment; returns the CompletedProcess."""

    def run(*args: str, env: dict[str, str], settings: str = "biobank.settings.dev") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=clean_environment(
                **{"DJANGO_SETTINGS_MODULE": settings, "BIOBANK_VAR_DIR": str(tmp_path / "var"), **env}
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def production_env(tmp_path, db) -> dict[str, str]:
    """A complete, valid production environment."""
    keys = tmp_path / "keys"
    keys.mkdir()
    return {
        "SECRET_KEY": "k7Qx2-vN9pL4sR8tW1yZ6bC3dF5gH0jM-aE7iO2uY9qT4wX1zV8nB6mK3lP5rS0",
        "ALLOWED_HOSTS": "biobank.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://biobank.example.org",
        "DATABASE_URL": database_server_url(),
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "EMAIL_URL": "smtp+tls://portal:secret@mail.example.org:587",
        "ENCRYPTION_KEY_FILE": str(keys / "encryption.keys"),
        "PSEUDONYM_KEY_FILE": str(keys / "pseudonym.keys"),
        "AUDIT_HMAC_KEY_FILE": str(keys / "audit-hmac.key"),
        "SITE_URL": "https://biobank.example.org",
    }
