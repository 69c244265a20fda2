"""The donor portal's part of ``seed_demo``: the demo donor login (donor@example.org) is the portal account of one
demo donor who signed the broad consent, so `make run` shows the donor's own pages at /my/ right away.

Idempotent: an account that exists is kept. A one-time link for any donor with an e-mail in the vault is printed by
``manage.py donor_portal_link <biobank> <PID>`` (the demo's e-mails go to the console).
"""

from __future__ import annotations

from biobank.demo import DemoContext

from .choices import ConsentStatus
from .models import Consent, DonorAccount, PolicyState

DEMO_DONOR_LOGIN = "donor@example.org"


def seed(context: DemoContext) -> None:
    user = context.people.get(DEMO_DONOR_LOGIN)
    if user is None or DonorAccount.objects.filter(user=user).exists():
        return
    biobank = context.first_biobank
    withdrawn = PolicyState.objects.filter(donor__biobank=biobank, state="withdrawn").values("donor")
    consent = (
        Consent.objects.filter(
            biobank=biobank,
            status=ConsentStatus.VALID,
            template__type="consent",
            donor__identity__isnull=False,
            donor__merged_into__isnull=True,
            donor__account__isnull=True,
        )
        .exclude(donor__in=withdrawn)
        .select_related("donor")
        .order_by("donor_id")
        .first()
    )
    if consent is None:
        return
    DonorAccount.objects.create(user=user, donor=consent.donor, biobank=biobank, language="en")
