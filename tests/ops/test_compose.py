"""The docker-compose stack, its image and its environment file: checked here because no Docker engine runs in CI."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
import yaml

from biobank.ops.probe import probe, probe_host
from tests.settings.startup import database_server_url

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command_of(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def healthcheck_of(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_the_stack_has_postgres_redis_web_worker_beat_and_a_migrate_step(services):
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}


def test_postgres_is_version_16_or_later(services):
    version = re.match(r"postgres:(\d+)", services["postgres"]["image"])
    assert version and int(version.group(1)) >= 16


def test_every_long_running_service_has_a_healthcheck(services):
    assert "pg_isready" in healthcheck_of(services["postgres"])
    assert "redis-cli ping" in healthcheck_of(services["redis"])
    assert "/readyz" in healthcheck_of(services["web"])
    assert "inspect ping" in healthcheck_of(services["worker"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_portal_services_use_production_settings_and_the_env_file(services, name):
    service = services[name]
    assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "biobank.settings.production"
    assert service["env_file"] == ".env"
    assert service["environment"]["DATABASE_URL"].startswith("postgres://")
    assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:6379/")


def test_web_runs_gunicorn_and_worker_and_beat_run_celery(services):
    assert command_of(services["web"]).startswith("gunicorn biobank.wsgi")
    assert command_of(services["worker"]).startswith("celery -A biobank worker")
    assert command_of(services["beat"]).startswith("celery -A biobank beat")
    assert command_of(services["migrate"]).startswith("sh -c python manage.py migrate --noinput && ")


def _database_user(service: dict) -> str:
    return re.match(r"postgres://(\$\{[^}]+\}|[^:]+):", service["environment"]["DATABASE_URL"]).group(1)


def test_migrations_run_as_the_owner_and_then_grant_the_app_role_its_rows(services):
    assert _database_user(services["migrate"]) == "${DB_OWNER_USER:-biobank_owner}"
    assert command_of(services["migrate"]).endswith(
        "&& python manage.py db_roles --app-role ${DB_APP_USER:-biobank_app} --execute"
    )


@pytest.mark.parametrize("name", ("web", "worker", "beat"))
def test_the_portal_connects_as_the_app_role_not_the_owner_or_the_superuser(services, name):
    assert _database_user(services[name]) == "${DB_APP_USER:-biobank_app}"
    assert "${DB_APP_PASSWORD" in services[name]["environment"]["DATABASE_URL"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_no_portal_container_sees_the_superusers_or_another_roles_password(services, name):
    environment = services[name]["environment"]
    assert environment["POSTGRES_PASSWORD"] == ""
    assert environment["DB_OWNER_PASSWORD"] == "" and environment["DB_APP_PASSWORD"] == ""
    assert "POSTGRES_PASSWORD" not in environment["DATABASE_URL"]


def test_postgres_creates_the_owner_and_the_app_role_on_first_start(services):
    postgres = services["postgres"]
    assert "./deploy/postgres/initdb:/docker-entrypoint-initdb.d:ro" in postgres["volumes"]
    for variable in ("DB_OWNER_USER", "DB_OWNER_PASSWORD", "DB_APP_USER", "DB_APP_PASSWORD"):
        assert variable in postgres["environment"]
    assert (ROOT / "deploy/postgres/initdb/10-biobank-roles.sh").stat().st_mode & 0o111, "the script is executable"


def test_exactly_one_beat_runs(services):
    beats = [name for name, s in services.items() if " beat" in command_of(s) or "--beat" in command_of(s)]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1


@pytest.mark.parametrize("name", ("web", "worker", "beat"))
def test_the_portal_waits_for_healthy_services_and_finished_migrations(services, name):
    depends = services[name]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services[name]["restart"] == "unless-stopped"


def test_data_lives_in_named_volumes(compose, services):
    declared = set(compose["volumes"])
    used = {
        volume.split(":")[0]
        for service in services.values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert {"postgres-data", "redis-data", "biobank-data", "biobank-keys"} <= used
    assert used <= declared


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_env_example_has_no_real_secrets():
    values = _env_example()
    assert values["SECRET_KEY"] == "change-me"
    assert values["POSTGRES_PASSWORD"] == "change-me"
    assert values["DB_OWNER_PASSWORD"] == values["DB_APP_PASSWORD"] == "change-me"
    assert len({values["POSTGRES_USER"], values["DB_OWNER_USER"], values["DB_APP_USER"]}) == 3


@pytest.mark.django_db
def test_env_example_with_its_secrets_filled_in_passes_check_deploy(manage, services):
    """What an operator gets from .env.example plus the compose environment is a complete production set-up."""
    env = {k: v.replace("change-me", secrets.token_hex(32)) for k, v in _env_example().items()}
    env.update({k: v for k, v in services["web"]["environment"].items() if "${" not in v})
    del env["BIOBANK_VAR_DIR"]  # the container's path; the test keeps its state in its own temporary directory
    env["DATABASE_URL"] = database_server_url()  # the compose URL names the `postgres` container
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, settings="biobank.settings.production")
    assert result.returncode == 0, result.stdout + result.stderr


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_the_image_installs_from_the_lock_file_and_collects_static_files():
    dockerfile = _dockerfile()
    assert "pip install --requirement requirements/lock.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    assert "ENV" in dockerfile and "DJANGO_SETTINGS_MODULE=biobank.settings.production" in dockerfile
    assert re.search(r"^USER biobank$", dockerfile, re.M), "the portal does not run as root"


@pytest.mark.django_db
def test_the_build_time_placeholders_satisfy_production_settings(manage):
    """collectstatic runs under production settings during the build; its placeholders must keep up with them."""
    step = _dockerfile().split("manage.py collectstatic")[0].rsplit("RUN ", 1)[1]
    env = dict(re.findall(r"([A-Z_]+)=(\S+)", step))
    assert "SECRET_KEY" in env
    result = manage("check", env=env, settings="biobank.settings.production")
    assert result.returncode == 0, result.stderr


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [(None, "localhost"), ("biobank.example.org,localhost", "biobank.example.org"), (".example.org", "example.org")],
)
def test_the_healthcheck_sends_an_allowed_host(allowed_hosts, host):
    assert probe_host(allowed_hosts) == host


@pytest.mark.django_db(transaction=True)
def test_the_healthcheck_probe_passes_against_a_running_portal(live_server, settings):
    settings.CELERY_BROKER_URL = None
    assert probe(f"{live_server.url}/readyz", host="localhost") == 0
    assert probe(f"{live_server.url}/no-such-page", host="localhost") == 1


def test_the_init_script_makes_an_owner_and_an_app_role_neither_a_superuser_and_can_run_twice():
    """deploy/postgres/initdb/10-biobank-roles.sh against a scratch database of the test server (then dropped)."""
    import os
    import shutil
    import subprocess

    import psycopg2
    from django.db import connection

    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    params = connection.settings_dict
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": str(params["PORT"] or 5432),
        "user": params["USER"],
        "password": params["PASSWORD"] or "",
    }
    suffix = secrets.token_hex(4)
    database, owner, app = f"initdb_test_{suffix}", f"initdb_owner_{suffix}", f"initdb_app_{suffix}"
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    cursor = admin.cursor()
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        pytest.skip("the test server's user is not a superuser")
    env = {
        "PATH": os.environ["PATH"],
        "PGHOST": server["host"],
        "PGPORT": server["port"],
        "PGPASSWORD": server["password"],
        "POSTGRES_USER": server["user"],
        "POSTGRES_DB": database,
        "DB_OWNER_USER": owner,
        "DB_OWNER_PASSWORD": secrets.token_hex(12),
        "DB_APP_USER": app,
        "DB_APP_PASSWORD": secrets.token_hex(12),
    }
    script = ROOT / "deploy/postgres/initdb/10-biobank-roles.sh"
    try:
        cursor.execute(f"CREATE DATABASE {database}")
        for _ in range(2):  # once on a fresh data directory, again by hand on an upgrade
            result = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, check=False)
            assert result.returncode == 0, result.stderr
        cursor.execute(
            "SELECT rolname, rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
            "WHERE rolname IN (%s, %s) ORDER BY rolname",
            [app, owner],
        )
        assert cursor.fetchall() == [(app, False, True, False, False, False), (owner, False, True, False, False, False)]
        cursor.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [database])
        assert cursor.fetchone()[0] == owner
    finally:
        cursor.execute(f"DROP DATABASE IF EXISTS {database}")
        cursor.execute(f"DROP ROLE IF EXISTS {app}")
        cursor.execute(f"DROP ROLE IF EXISTS {owner}")
        admin.close()
