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
PROXY_CONF = ROOT / "deploy/proxy/biobank.conf"


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


def test_the_stack_has_a_proxy_postgres_redis_web_worker_beat_and_a_migrate_step(services):
    assert set(services) == {"proxy", "postgres", "redis", "migrate", "web", "worker", "beat"}


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


# --- Networks and forwarded headers (issue 9, item 20) ------------------------------------------------------------


def resolved(value: str) -> str:
    """A compose value with its ``${NAME:-default}`` parts replaced by the defaults (what an unset .env gives)."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def networks_of(service: dict) -> dict[str, dict]:
    networks = service.get("networks", {})
    return {name: {} for name in networks} if isinstance(networks, list) else {k: v or {} for k, v in networks.items()}


def test_only_the_proxy_publishes_ports_and_web_publishes_none(services):
    assert {name for name, service in services.items() if service.get("ports")} == {"proxy"}
    assert "ports" not in services["web"]
    assert sorted(resolved(port) for port in services["proxy"]["ports"]) == ["443:443", "80:80"]


def test_web_is_only_on_internal_networks_one_of_them_shared_with_the_proxy_alone(compose, services):
    web = networks_of(services["web"])
    assert web, "web must name its networks (the compose default network is not internal)"
    for name in web:
        assert compose["networks"][name].get("internal") is True, f"web's network {name} is not internal"
    shared = set(web) & set(networks_of(services["proxy"]))
    assert shared == {"proxy"}
    on_proxy_network = {name for name, service in services.items() if "proxy" in networks_of(service)}
    assert on_proxy_network == {"proxy", "web"}


@pytest.mark.parametrize("name", ("postgres", "redis", "migrate", "beat"))
def test_the_database_the_broker_and_the_jobs_are_on_internal_networks_only(compose, services, name):
    for network in networks_of(services[name]):
        assert compose["networks"][network].get("internal") is True


def test_the_proxy_has_a_fixed_address_in_the_fixed_subnet_of_its_internal_network(compose, services):
    import ipaddress

    address = ipaddress.ip_address(resolved(networks_of(services["proxy"])["proxy"]["ipv4_address"]))
    subnet = ipaddress.ip_network(resolved(compose["networks"]["proxy"]["ipam"]["config"][0]["subnet"]))
    assert address in subnet


def test_web_trusts_forwarded_headers_from_the_proxys_address_only(services):
    allowed = services["web"]["environment"]["FORWARDED_ALLOW_IPS"]
    assert allowed == networks_of(services["proxy"])["proxy"]["ipv4_address"]  # the same variable and default
    assert "*" not in resolved(allowed)
    for name in ("worker", "beat", "migrate"):
        assert "FORWARDED_ALLOW_IPS" not in services[name]["environment"]


def _gunicorn_conf(monkeypatch, value: str | None) -> dict:
    import runpy

    if value is None:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    else:
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", value)
    return runpy.run_path(str(ROOT / "biobank/ops/gunicorn_conf.py"))


def test_gunicorn_trusts_forwarded_headers_from_the_configured_proxy_and_by_default_from_localhost_only(
    monkeypatch, services
):
    proxy = resolved(services["web"]["environment"]["FORWARDED_ALLOW_IPS"])
    assert _gunicorn_conf(monkeypatch, proxy)["forwarded_allow_ips"] == proxy
    assert _gunicorn_conf(monkeypatch, None)["forwarded_allow_ips"] == "127.0.0.1"  # was "*": every peer
    assert services["web"]["command"][-1] == "python:biobank.ops.gunicorn_conf"


def test_one_proxy_appends_to_x_forwarded_for_and_the_env_file_counts_one():
    conf = PROXY_CONF.read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto https;" in conf  # set, never the client's own
    assert _env_example()["TRUSTED_PROXY_COUNT"] == "1"


def _nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_the_proxy_caps_request_bodies_at_the_portals_largest_limit(services):
    from django.conf import settings

    sizes = re.findall(r"^\s*client_max_body_size\s+(\S+);", PROXY_CONF.read_text(), re.M)
    assert sizes, "the proxy config sets no client_max_body_size (nginx's default is 1m for every address)"
    largest = max([settings.REQUEST_BODY_MAX_BYTES, *(limit for _pattern, limit in settings.REQUEST_BODY_LIMITS)])
    assert {_nginx_size(size) for size in sizes} == {largest} == {512 * 1024 * 1024}
    assert "./deploy/proxy/biobank.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]


def test_the_proxy_terminates_tls_and_forwards_to_web(services):
    conf = PROXY_CONF.read_text()
    assert re.search(r"listen 443 ssl", conf) and "ssl_certificate /etc/nginx/certs/fullchain.pem;" in conf
    assert "server web:8000;" in conf and "proxy_pass http://biobank_web;" in conf
    assert "./deploy/proxy/certs:/etc/nginx/certs:ro" in services["proxy"]["volumes"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_tls_keys_stay_out_of_git_and_the_image():
    assert "deploy/proxy/certs/*.pem" in (ROOT / ".gitignore").read_text().split()
    assert "deploy/proxy/certs" in (ROOT / ".dockerignore").read_text().split()


@pytest.mark.django_db
def test_production_refuses_a_forwarded_allow_ips_that_is_no_address(manage, production_env):
    result = manage(
        "check", env={**production_env, "FORWARDED_ALLOW_IPS": "proxy.local"}, settings="biobank.settings.production"
    )
    assert result.returncode != 0
    assert "FORWARDED_ALLOW_IPS" in result.stderr
