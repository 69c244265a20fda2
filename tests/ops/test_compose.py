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
    assert command_of(services["migrate"]) == "python manage.py migrate --noinput"


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
