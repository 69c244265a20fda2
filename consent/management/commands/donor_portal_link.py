"""Print a fresh one-time link to the donor portal for one donor (the invitation staff send from the donor's page).

For operators and the demo (whose e-mails go to the console): ``manage.py donor_portal_link ukrm-biobank <PID>``.
The donor gets the same e-mail and portal message as from the page; the link is printed once and not stored.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from biobank.accounts.models import Biobank
from biobank.errors import DomainError
from biobank.pseudonyms import checkchar

from ...models import Donor, DonorAccount
from ...services.portal import invitation_send
from ...services.portal.accounts import _account_for, invitation_link


class Command(BaseCommand):
    help = "Print a one-time sign-in link to the donor portal for the donor with this PID (audited)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("biobank", help="The biobank's code, e.g. ukrm-biobank.")
        parser.add_argument("pid", help="The donor's PID, with or without dashes.")

    def handle(self, *args: Any, biobank: str, pid: str, **options: Any) -> None:
        found = Biobank.objects.filter(code=biobank).first()
        if found is None:
            raise CommandError(f"No biobank with the code {biobank!r}.")
        donor = Donor.objects.filter(biobank=found, pid=checkchar.normalise(pid)).first()
        if donor is None:
            raise CommandError(f"No donor with the PID {pid!r} in {biobank}.")
        try:
            with transaction.atomic():
                account = DonorAccount.objects.filter(donor=donor).select_related("user").first()
                if account is None:
                    account = _account_for(actor=None, donor=donor, language=None)
                invitation = invitation_send(actor=None, account=account)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(invitation_link(invitation.token))  # type: ignore[attr-defined]
