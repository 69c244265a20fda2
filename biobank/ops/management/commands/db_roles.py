"""Grant the application's PostgreSQL role exactly what the portal needs (see ``biobank.ops.db_roles``).

manage.py db_roles --app-role biobank_app            # print the SQL
manage.py db_roles --app-role biobank_app --execute  # run it (as the owner, after migrate; idempotent)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from biobank.ops.db_roles import APP_ROLE_PATTERN, app_role_grants


class Command(BaseCommand):
    help = (
        "Print (or with --execute run) the GRANTs of the application's database role: SELECT/INSERT/UPDATE/DELETE, "
        "only SELECT/INSERT on append-only history tables, nothing that could disable a trigger. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", required=True, help="The role web, worker and beat connect as.")
        parser.add_argument("--execute", action="store_true", help="Run the statements (as the schema's owner).")

    def handle(self, *args: Any, app_role: str, execute: bool, **options: Any) -> None:
        if not APP_ROLE_PATTERN.match(app_role):
            raise CommandError(f"--app-role {app_role!r}: use a plain role name (lower-case letters, digits, _).")
        self._check_role(app_role)
        plan, statements = app_role_grants(app_role)
        if not execute:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        history = sorted(entry.table for entry in plan if entry.privileges == "SELECT, INSERT")
        self.stdout.write(
            self.style.SUCCESS(
                f"Role {app_role}: privileges on {len(plan)} tables set; append-only (SELECT, INSERT): "
                f"{', '.join(history)}."
            )
        )

    def _check_role(self, role: str) -> None:
        """The app role must exist, be neither a superuser nor the one running migrations, and own no table."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper, rolbypassrls, current_user FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(
                    f"There is no PostgreSQL role {role}: create it first (see docs/deployment.md, Database roles)."
                )
            superuser, bypass_rls, current = row
            if superuser or bypass_rls:
                raise CommandError(f"Role {role} is a superuser (or bypasses row security): it could disable triggers.")
            if role == current:
                raise CommandError(f"Role {role} is the one running this command (the owner); use a separate app role.")
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = %s", [role]
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"Role {role} owns tables: an owner can disable triggers; run migrations as another."
                )
