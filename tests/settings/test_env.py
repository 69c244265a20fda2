"""The strict environment parser, without starting a process."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from biobank.settings.env import Env


def test_a_database_url_with_a_socket_directory_as_host_is_decoded():
    config = Env({"DATABASE_URL": "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/biobank"}).db()
    assert (config["HOST"], config["NAME"], config["USER"]) == ("/var/run/postgresql", "biobank", "postgres")


def test_a_database_url_without_a_database_name_is_refused_with_the_form_to_use():
    with pytest.raises(ImproperlyConfigured, match="names no database; use postgres://USER@HOST:PORT/DBNAME"):
        Env({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"}).db()


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_true_values_are_read_as_true(value):
    assert Env({"DEBUG": value}).bool("DEBUG") is True


def test_an_unset_required_variable_is_named():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required but not set"):
        Env({}).str("SECRET_KEY")
