"""The embedded PostgreSQL's settings: sized from the machine's memory, written once into the data directory."""

from __future__ import annotations

import pytest

from biobank.embedded_db import tuning

GB = tuning.GB


@pytest.mark.parametrize(
    ("memory", "shared_buffers", "effective_cache_size", "maintenance_work_mem"),
    [
        (GB // 4, "128MB", "256MB", "64MB"),  # a tiny host: never below initdb's own 128 MB
        (2 * GB, "512MB", "1024MB", "128MB"),
        (24 * GB, "4096MB", "12288MB", "1024MB"),  # the benchmark machine: capped at 4 GB and 1 GB
        (512 * GB, "4096MB", "65536MB", "1024MB"),
    ],
)
def test_the_settings_grow_with_the_memory_within_bounds(
    memory, shared_buffers, effective_cache_size, maintenance_work_mem
):
    settings = tuning.settings_for(memory)
    assert settings["shared_buffers"] == shared_buffers
    assert settings["effective_cache_size"] == effective_cache_size
    assert settings["maintenance_work_mem"] == maintenance_work_mem
    assert settings["max_wal_size"] == "4GB"
    # durability is never traded: none of these is among the settings
    assert not {"fsync", "full_page_writes", "synchronous_commit"} & settings.keys()


@pytest.fixture
def pgdata(tmp_path):
    (tmp_path / "postgresql.conf").write_text("# initdb's file\nmax_connections = 100\n")
    return tmp_path


def test_the_settings_are_included_once_and_rewritten_only_when_they_change(pgdata):
    assert tuning.write(pgdata, memory=2 * GB) is True
    conf = (pgdata / tuning.CONF_NAME).read_text()
    assert "shared_buffers = '512MB'" in conf
    main = (pgdata / "postgresql.conf").read_text()
    assert main.startswith("# initdb's file\nmax_connections = 100\n")  # initdb's own settings stay
    assert main.count(tuning.CONF_NAME) == 1

    assert tuning.write(pgdata, memory=2 * GB) is False  # the same machine: nothing to do
    assert (pgdata / "postgresql.conf").read_text() == main

    assert tuning.write(pgdata, memory=24 * GB) is True  # the data directory moved to a bigger machine
    assert "shared_buffers = '4096MB'" in (pgdata / tuning.CONF_NAME).read_text()
    assert (pgdata / "postgresql.conf").read_text().count(tuning.CONF_NAME) == 1


@pytest.mark.django_db
def test_every_setting_is_one_postgresql_knows():
    """The names are PostgreSQL's (a typo would stop the server from starting): checked against the running
    server's pg_settings, with units it accepts."""
    from django.db import connection

    settings = tuning.settings_for(24 * GB)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_settings WHERE name = ANY(%s)", [list(settings)])
        assert {name for (name,) in cursor.fetchall()} == set(settings)
