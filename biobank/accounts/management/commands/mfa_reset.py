"""`manage.py mfa_reset EMAIL --by SUPERUSER --reason "..."`: reset a person's MFA where no biobank admin can.

Researchers and donors belong to no biobank, so only a superuser may reset their authenticator (``mfa.mfa_reset``:
never one's own, always with a reason, audited). Biobank members are reset by their admins in the portal.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biobank.accounts.mfa import mfa_reset
from biobank.accounts.models import User
from biobank.errors import DomainError


class Command(BaseCommand):
    help = "Remove a person's authenticator and recovery codes (they enrol again at their next sign-in)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="Whose two-step sign-in to reset.")
        parser.add_argument("--by", required=True, help="E-mail address of the superuser doing the reset.")
        parser.add_argument("--reason", required=True, help="Why (kept in the audit trail).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        actor = User.objects.filter(email__iexact=options["by"], is_superuser=True, is_active=True).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {options['email']}.")
        if actor is None:
            raise CommandError(f"--by must name an active superuser; {options['by']} is none.")
        try:
            mfa_reset(actor=actor, user=user, reason=options["reason"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Two-step sign-in of {user.email} was reset; they set it up again at their next sign-in.")
