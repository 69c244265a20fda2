"""The application's database role (``manage.py db_roles``), on the real PostgreSQL.

A role gets exactly the app grants inside the test's transaction (roles and grants roll back with it); the test then
acts as that role with SET ROLE, as web, worker and beat do by connecting as it in production.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from biobank.accounts.choices import Role
from biobank.audit.models import AuditEvent
from consent import services
from consent.models import Consent, ConsentModuleChoice, PolicyState
from tests.accounts.factories import make_member
from tests.consent.factories import make_catalogue, make_donor, media_root, module, record  # noqa: F401

pytestmark = pytest.mark.django_db


def sql(statement: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def app_role() -> str:
    """A fresh role (NOLOGIN: the test switches to it) with exactly the grants ``db_roles`` gives the app."""
    name = fresh("biobank_app_test")
    sql(f"CREATE ROLE {name} NOLOGIN")
    call_command("db_roles", app_role=name, execute=True, stdout=StringIO())
    return name


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    sql(f"SET ROLE {role}")
    try:
        yield
    finally:
        sql("RESET ROLE")


def refused_as(role: str, statement: str, params: list | tuple = ()) -> str:
    with acting_as(role), pytest.raises(DatabaseError) as error, transaction.atomic():
        sql(statement, params)
    return str(error.value)


@pytest.fixture
def officer(biobank_a):
    return make_member(biobank_a, Role.CONSENT_OFFICER, email="officer@example.org")


@pytest.fixture
def signed(biobank_a, officer):
    template = make_catalogue(biobank_a, actor=officer)
    return record(officer, make_donor(biobank_a), template)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE consent_policystate DISABLE TRIGGER consent_policystate_append_only",
        "ALTER TABLE consent_policystate DISABLE TRIGGER ALL",
        "ALTER TABLE consent_consent DISABLE TRIGGER consent_consent_transition_guard",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
    ],
)
def test_the_app_role_cannot_disable_a_trigger(app_role, statement):
    assert "must be owner" in refused_as(app_role, statement)


def test_the_app_role_cannot_drop_a_trigger_or_replace_the_clock(app_role):
    assert "must be owner" in refused_as(
        app_role, "DROP TRIGGER consent_policystate_append_only ON consent_policystate"
    )
    replaced = refused_as(
        app_role, "CREATE OR REPLACE FUNCTION consent_clock() RETURNS timestamptz AS $$ SELECT now() $$ LANGUAGE sql"
    )
    assert "permission denied for schema public" in replaced  # the app role creates and replaces nothing


def test_the_app_role_cannot_switch_triggers_off_for_its_session(app_role):
    assert "permission denied" in refused_as(app_role, "SET session_replication_role = replica")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consent_policystate SET state = 'accepted' WHERE consent_id = %s",
        "DELETE FROM consent_policystate WHERE consent_id = %s",
        "UPDATE consent_consentmodulechoice SET choice = 'accepted' WHERE consent_id = %s",
        "TRUNCATE consent_policystate CASCADE",
    ],
)
def test_the_app_role_cannot_change_or_delete_a_policy_state(app_role, signed, statement):
    params = [signed.pk] if "%s" in statement else []
    before = sorted(PolicyState.objects.filter(consent=signed).values_list("pk", "state"))

    assert "permission denied" in refused_as(app_role, statement, params)
    assert sorted(PolicyState.objects.filter(consent=signed).values_list("pk", "state")) == before


def test_the_app_role_cannot_rewrite_the_audit_log(app_role):
    assert "permission denied" in refused_as(app_role, "UPDATE audit_auditevent SET reason = 'x'")
    assert "permission denied" in refused_as(app_role, "DELETE FROM audit_auditevent")


def test_a_consent_officer_works_through_a_whole_consent_as_the_app_role(app_role, biobank_a, officer):
    """Record, withdraw, receipt and merge: everything the portal does with consents works under the app grants."""
    template = make_catalogue(biobank_a, actor=officer)
    donor, twin = make_donor(biobank_a), make_donor(biobank_a)

    with acting_as(app_role):
        consent = record(officer, donor, template)
        services.consent_withdraw_module(
            actor=officer,
            consent=consent,
            module=module(template, "biomaterial"),
            effective=timezone.localdate(),
            reason="Letter.",
        )
        services.consent_receipt_generate(consent_id=consent.pk)
        services.donor_merge(actor=officer, source=donor, target=twin, reason="Same person.")

    consent = Consent.objects.get(pk=consent.pk)
    assert consent.receipt_sha256 and consent.donor_id == donor.pk
    assert PolicyState.objects.filter(consent=consent, state="withdrawn").exists()
    assert ConsentModuleChoice.objects.filter(consent=consent).count() == 4


def test_history_tables_get_insert_and_select_only_and_the_rest_full_row_access(app_role):
    def privileges(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = %s "
                "AND table_name = %s",
                [app_role, table],
            )
            return {row[0] for row in cursor.fetchall()}

    for table in ("consent_policystate", "consent_consentmodulechoice", AuditEvent._meta.db_table):
        assert privileges(table) == {"SELECT", "INSERT"}, table
    assert privileges("consent_consent") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert privileges("django_migrations") == {"SELECT"}


def test_running_it_twice_changes_nothing_and_a_table_made_append_only_loses_update(app_role):
    sql(f"GRANT UPDATE, DELETE, TRUNCATE ON consent_policystate TO {app_role}")  # as if granted by hand earlier
    out = StringIO()

    call_command("db_roles", app_role=app_role, execute=True, stdout=out)
    call_command("db_roles", app_role=app_role, execute=True, stdout=out)

    assert "consent_policystate" in out.getvalue()
    assert "permission denied" in refused_as(app_role, "DELETE FROM consent_policystate")


def fresh(prefix: str) -> str:
    """A role name of this test alone (roles are cluster-wide; the CREATE ROLE rolls back with the test)."""
    return f"{prefix}_{secrets.token_hex(4)}"


def test_without_execute_it_prints_the_grants():
    role = fresh("biobank_app_print")
    sql(f"CREATE ROLE {role} NOLOGIN")
    out = StringIO()

    call_command("db_roles", app_role=role, stdout=out)

    text = out.getvalue()
    assert f'GRANT SELECT, INSERT ON TABLE "consent_policystate" TO "{role}";' in text
    assert f'ALTER DEFAULT PRIVILEGES IN SCHEMA "public" GRANT SELECT, INSERT ON TABLES TO "{role}";' in text


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "There is no PostgreSQL role"),
        ("superuser", "is a superuser"),
        ("malformed", "use a plain role name"),
        ("itself", "the one running this command"),
    ],
)
def test_it_refuses_a_missing_superuser_malformed_or_own_role(kind, message):
    role = fresh("biobank_app_bad")
    if kind == "superuser":
        sql(f"CREATE ROLE {role} SUPERUSER NOLOGIN")
    if kind == "malformed":
        role = "Robert'); DROP TABLE x; --"
    if kind == "itself":  # an owner that is not a superuser, running the command for its own name
        sql(f"CREATE ROLE {role} NOLOGIN")
        sql(f"SET ROLE {role}")
    try:
        with pytest.raises(CommandError, match=message):
            call_command("db_roles", app_role=role, execute=True, stdout=StringIO())
    finally:
        sql("RESET ROLE")
