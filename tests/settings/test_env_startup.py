"""A malformed or missing setting stops start-up with a message naming the variable; production is strict."""

from __future__ import annotations

import stat

import pytest

pytestmark = pytest.mark.django_db  # only to learn which database server the tests use

VALID_DATABASE = "postgres://postgres@127.0.0.1:5432/biobank"  # `check` does not connect to it


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean; use one of 0, 1, false"),
        (
            "ALLOWED_HOSTS",
            "biobank.example.org,,localhost",
            "ALLOWED_HOSTS='biobank.example.org,,localhost' has an empty",
        ),
        ("DATABASE_URL", "mysql://root@127.0.0.1/biobank", "DATABASE_URL has scheme 'mysql'; allowed: postgres"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432", "DATABASE_URL names no database; use postgres://"),
        ("CELERY_BROKER_URL", "http://127.0.0.1:6379/0", "CELERY_BROKER_URL has scheme 'http'; allowed: redis"),
        ("DATABASE_CONN_MAX_AGE", "abc", "DATABASE_CONN_MAX_AGE='abc' is not a whole number"),
        ("DATABASE_CONN_MAX_AGE", "-5", "DATABASE_CONN_MAX_AGE=-5 must be at least 0"),
        ("EMAIL_URL", "garbage", "EMAIL_URL has scheme '(none)'; allowed: smtp"),
        ("SITE_URL", "biobank.example.org", "SITE_URL has scheme '(none)'; allowed: http, https"),
        ("CACHE_URL", "memcached://127.0.0.1:11211", "CACHE_URL has scheme 'memcached'; allowed: redis"),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_it(manage, variable, value, message):
    env = {"DATABASE_URL": VALID_DATABASE, variable: value}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert result.stderr.startswith("Configuration error: ") and "Traceback" not in result.stderr
    assert message in result.stderr


def test_development_settings_start_with_a_valid_environment(manage):
    result = manage("check", env={"DATABASE_URL": VALID_DATABASE})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_development_secret_key_is_generated_once_into_var(manage, tmp_path):
    show = ("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    first = manage(*show, env={"DATABASE_URL": VALID_DATABASE})
    second = manage(*show, env={"DATABASE_URL": VALID_DATABASE})
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text().strip()
    assert len(first.stdout.strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_passes_check_deploy_with_a_proper_environment(manage, production_env):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", "--database", "default",
        env=production_env, settings="biobank.settings.production",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_does_not_write_a_secret_key_file(manage, production_env, tmp_path):
    manage("check", env=production_env, settings="biobank.settings.production")
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_refuses_to_start_without_secret_key(manage, production_env):
    del production_env["SECRET_KEY"]
    result = manage("check", env=production_env, settings="biobank.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY is required under production settings" in result.stderr


def test_production_refuses_a_short_secret_key(manage, production_env):
    result = manage("check", env={**production_env, "SECRET_KEY": "changeme"}, settings="biobank.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 random characters" in result.stderr


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_production_refuses_to_start_with_debug_on(manage, production_env, value):
    result = manage("check", env={**production_env, "DEBUG": value}, settings="biobank.settings.production")
    assert result.returncode != 0
    assert "DEBUG must be false under production settings" in result.stderr


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is required"),
        ("DATABASE_URL", "DATABASE_URL is required under production settings"),
        ("EMAIL_URL", "EMAIL_URL is required under production settings"),
        ("ENCRYPTION_KEY_FILE", "ENCRYPTION_KEY_FILE is required under production settings"),
        ("PSEUDONYM_KEY_FILE", "PSEUDONYM_KEY_FILE is required under production settings"),
    ],
)
def test_production_refuses_to_start_without_a_required_variable(manage, production_env, variable, message):
    del production_env[variable]
    result = manage("check", env=production_env, settings="biobank.settings.production")
    assert result.returncode != 0
    assert message in result.stderr


def test_production_never_runs_in_demo_mode(manage, production_env):
    result = manage("seed_demo", env=production_env, settings="biobank.settings.production")
    assert result.returncode != 0
    assert "seed_demo only runs in demo mode" in result.stderr
    shown = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEMO_MODE)",
        env=production_env, settings="biobank.settings.production",
    )  # fmt: skip
    assert shown.stdout.strip() == "False", shown.stderr


SHOW_CONNECTIONS = (
    "shell", "--no-imports", "-c",
    "from django.conf import settings; d = settings.DATABASES['default'];"
    " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
)  # fmt: skip


def test_production_keeps_database_connections_and_checks_them_before_reuse(manage, production_env):
    shown = manage(*SHOW_CONNECTIONS, env=production_env, settings="biobank.settings.production")
    assert shown.stdout.strip() == "60 True", shown.stderr
    chosen = manage(
        *SHOW_CONNECTIONS, env={**production_env, "DATABASE_CONN_MAX_AGE": "0"}, settings="biobank.settings.production"
    )
    assert chosen.stdout.strip() == "0 False", chosen.stderr


def test_development_opens_a_connection_per_request(manage):
    shown = manage(*SHOW_CONNECTIONS, env={"DATABASE_URL": VALID_DATABASE})
    assert shown.stdout.strip() == "0 False", shown.stderr
