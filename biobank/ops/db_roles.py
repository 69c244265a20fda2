"""The PostgreSQL privileges of the application's role: the portal runs as a role that owns nothing.

Migrations run as the owner of the schema; web, worker and beat connect as an *app role* that may only read and
write rows. Triggers keep the history honest (append-only state history, immutable signed consents, the audit log),
and only an owner or a superuser can disable or drop a trigger — so the app role cannot, whatever a bug or an
intruder in the application sends. On the history tables (models declaring ``APPEND_ONLY = True``) the app role may
only INSERT and SELECT, so even the triggers are a second line. See docs/deployment.md, "Database roles".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.db import connection

__all__ = ["APP_ROLE_PATTERN", "READ_ONLY_TABLES", "TablePrivileges", "app_role_grants", "append_only_tables"]

APP_ROLE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Written by ``migrate`` (the owner) alone; the app reads them (e.g. to report unapplied migrations).
READ_ONLY_TABLES = frozenset({"django_migrations"})
APPEND_ONLY = "SELECT, INSERT"
READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"


@dataclass(frozen=True)
class TablePrivileges:
    table: str
    privileges: str


def append_only_tables() -> set[str]:
    """Tables of models that declare ``APPEND_ONLY = True`` (history: audit log, policy states, module choices…)."""
    return {model._meta.db_table for model in apps.get_models() if getattr(model, "APPEND_ONLY", False)}


def _privileges(table: str, append_only: set[str]) -> str:
    if table in READ_ONLY_TABLES:
        return "SELECT"
    return APPEND_ONLY if table in append_only else READ_WRITE


def app_role_grants(role: str) -> tuple[list[TablePrivileges], list[str]]:
    """What the app role gets on each table of the current schema, and the SQL that grants exactly that.

    Idempotent: each table's privileges are revoked and granted again in the same transaction, so a table that
    became append-only loses UPDATE and DELETE. Tables created later by the owner (the next ``migrate``) get
    SELECT and INSERT only by default — the safe side — until this runs again (the compose ``migrate`` step does).
    """
    if not APP_ROLE_PATTERN.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (lower-case letters, digits, underscores).")
    quote = connection.ops.quote_name
    append_only = append_only_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
    plan = [TablePrivileges(table, _privileges(table, append_only)) for table in tables]
    r, s = quote(role), quote(schema)
    statements = [f"GRANT USAGE ON SCHEMA {s} TO {r}"]
    for entry in plan:
        statements.append(f"REVOKE ALL ON TABLE {quote(entry.table)} FROM {r}")
        statements.append(f"GRANT {entry.privileges} ON TABLE {quote(entry.table)} TO {r}")
    statements += [
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} REVOKE ALL ON TABLES FROM {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT {APPEND_ONLY} ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
    ]
    return plan, statements
