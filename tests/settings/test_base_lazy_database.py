"""Importing the settings starts no database and writes nothing; the embedded server starts on the first connection.

Any tool that imports the settings (mypy's Django plugin, a linter, a doc build) used to leave an embedded PostgreSQL
running and a ``var/`` behind (issue 10, item 3).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from biobank import embedded_db
from biobank.embedded_db import base
from tests.settings.startup import ROOT, clean_environment

SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = {settings!r}; django.setup(); "
    "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
)


@pytest.mark.parametrize("settings", ["biobank.settings.test", "biobank.settings.dev"])
def test_setting_up_django_starts_no_postgresql_and_writes_nothing(tmp_path, settings):
    var, tmp = tmp_path / "var", tmp_path / "tmp"
    tmp.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", SETUP.format(settings=settings)],
        cwd=ROOT,
        env=clean_environment(BIOBANK_VAR_DIR=str(var), TMPDIR=str(tmp)),  # no DATABASE_URL: the embedded server
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == embedded_db.ENGINE  # the embedded database is configured, not started
    assert not var.exists()  # no pgdata (so no server was started there), no secret key, no static directory
    assert list(tmp.iterdir()) == []  # no temporary directory either


@pytest.fixture
def starts(monkeypatch, tmp_path):
    """Record every start of the embedded server instead of starting one."""
    calls = []

    def start(pgdata):
        calls.append(pgdata)
        return {"HOST": str(tmp_path / "socket"), "PORT": "5433"}

    monkeypatch.setattr(embedded_db, "start", start)
    return calls


def test_the_embedded_backend_starts_the_server_when_it_first_connects(starts, tmp_path):
    wrapper = base.DatabaseWrapper(embedded_db.embedded_settings(tmp_path / "pgdata"))
    assert starts == []  # building the connection object starts nothing
    params = wrapper.get_connection_params()
    assert starts == [tmp_path / "pgdata"]
    assert (params["host"], params["port"]) == (str(tmp_path / "socket"), "5433")
    # Filled in place, so settings.DATABASES and tools reading it (dbshell, pg_dump helpers) see the real address.
    assert (wrapper.settings_dict["HOST"], wrapper.settings_dict["PORT"]) == (str(tmp_path / "socket"), "5433")


def test_a_database_url_is_never_touched_by_the_embedded_server(starts):
    config = {"ENGINE": "django.db.backends.postgresql", "NAME": "biobank", "HOST": "db.example.org", "PORT": "5432"}
    embedded_db.ensure_started(config)
    assert starts == []
    assert config["HOST"] == "db.example.org"


@pytest.mark.parametrize(("command", "starts_first"), [("runserver", True), ("migrate", False), ("check", False)])
def test_only_runserver_starts_the_embedded_server_before_the_command_runs(monkeypatch, command, starts_first):
    """The autoreloader's parent never connects, yet must hold the server so that Ctrl-C stops it (manage.py)."""
    import django.core.management
    from django.conf import settings

    import manage

    calls = []
    monkeypatch.setattr(embedded_db, "ensure_started", lambda settings_dict: calls.append(("start", settings_dict)))
    monkeypatch.setattr(django.core.management, "execute_from_command_line", lambda argv: calls.append(("run", argv)))
    monkeypatch.setattr(sys, "argv", ["manage.py", command])
    manage.main()
    expected = [("run", ["manage.py", command])]
    if starts_first:
        expected.insert(0, ("start", settings.DATABASES["default"]))
    assert calls == expected
