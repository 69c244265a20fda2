"""Deactivate (or, with ``--reactivate``, reopen) a biobank: the operator's way to close a tenant.

Until issue 9 a biobank could only be switched off by editing the database (the Django admin is read-only), and that
cut off its API tokens only. Deactivation now stops every read and write of the biobank's data, for members,
superusers and tokens alike; its auditors keep reading its audit trail. Audited with the operator's reason.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biobank.accounts.models import Biobank
from biobank.accounts.services import biobank_deactivate, biobank_reactivate
from biobank.errors import DomainError


class Command(BaseCommand):
    help = "Deactivate a biobank (all access stops except its auditors' reading of the audit trail), or reopen it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The biobank's code.")
        parser.add_argument("--reason", required=True, help="Why; kept in the audit trail.")
        parser.add_argument("--reactivate", action="store_true", help="Open a deactivated biobank again.")

    def handle(self, *args: Any, **options: Any) -> None:
        biobank = Biobank.objects.filter(code=options["code"]).first()
        if biobank is None:
            raise CommandError(f"No biobank with the code {options['code']!r}.")
        service = biobank_reactivate if options["reactivate"] else biobank_deactivate
        try:
            service(actor="system:biobank_deactivate", biobank=biobank, reason=options["reason"])
        except DomainError as error:
            raise CommandError(error.message) from None
        state = "reactivated" if options["reactivate"] else "deactivated"
        self.stdout.write(self.style.SUCCESS(f"{biobank.code} {state}."))
