"""The consent app's part of ``seed_demo``: the broad-consent catalogue, demo donors and their signed consents.

Registered from ``ConsentConfig.ready()`` with ``biobank.demo.register_demo_seeder``. Idempotent: donors and
templates that exist are kept, and a donor who has a consent gets no second one. Each donor signs with the name in
their vault row (decrypted here only to type it, as the donor would), so the demo shows that no name reaches a
plaintext column, file or dump.
"""

from __future__ import annotations

from django.utils import timezone

from biobank.accounts.models import User
from biobank.demo import DemoContext

from .demo import seed_demo_donors
from .demo_consent import seed_demo_consent, seed_demo_forms
from .models import Consent, Donor
from .services import (
    consent_invalidation_request,
    consent_record,
    consent_withdraw_module,
    donor_withdraw,
    identity_of,
)

CONSENT_OFFICER = "consent@example.org"
# Most donors accept everything; some decline recontact or the transfer of samples; one withdraws biobanking later.
DECLINES = {3: ("recontact",), 7: ("biomaterial-transfer",), 11: ("recontact", "insurance")}
WITHDRAWS_BIOMATERIAL = 5
# The donor's timeline on the pages: a withdrawal form signed after the consent, a refusal form instead of a consent,
# a donor-level "no further contact", and a consent recorded in error awaiting a second person's decision.
SIGNS_WITHDRAWAL_FORM, REFUSES, NO_FURTHER_CONTACT, RECORDED_IN_ERROR = 13, 15, 17, 19
# One donor signs through a legal guardian (invented name): the guardian's name goes into the vault like the donor's.
REPRESENTED = 9
REPRESENTATIVE = {
    "representative_name": "Waltraud Nowak-Berger",
    "representative_relation": "legal guardian",
    "representative_legal_basis": "legal_guardian",
}


def seed(context: DemoContext) -> None:
    biobank = context.first_biobank
    officer = context.people[CONSENT_OFFICER]
    template = seed_demo_consent(biobank=biobank, actor=officer)
    forms = seed_demo_forms(biobank=biobank, actor=officer, consent_form=template)
    seed_demo_donors(biobank=biobank, actor=officer)
    modules = {module.code: module for module in template.modules.all()}
    # the demo donors of seed_demo_donors (with an identity in the vault); the catalogue's cohorts (specimens'
    # demo_catalog, pseudonymous only) are not theirs to sign for, also on a second run
    unsigned = Donor.objects.filter(biobank=biobank, merged_into__isnull=True, identity__isnull=False).exclude(
        pk__in=Consent.objects.filter(biobank=biobank).values("donor")
    )
    for number, donor in enumerate(unsigned.order_by("pk"), start=1):
        choices = {code: "accepted" for code in modules}
        for code in DECLINES.get(number, ()):
            choices[code] = "declined"
        identity = identity_of(donor.identity) if hasattr(donor, "identity") else None
        signer = f"{identity.given_names} {identity.family_name}" if identity else f"Donor {donor.pid}"
        representative = REPRESENTATIVE if number == REPRESENTED else {}
        refuses = number == REFUSES
        consent = consent_record(
            actor=officer,
            donor=donor,
            template=forms["mii-refusal"] if refuses else template,
            language="de" if number % 2 else "en",
            choices={} if refuses else choices,
            signer_name=representative.get("representative_name", signer),
            countersigned=True,
            informed_by=officer,
            informed_place="Biobank outpatient clinic (demo)",
            representative_name=representative.get("representative_name", ""),
            representative_relation=representative.get("representative_relation", ""),
            representative_legal_basis=representative.get("representative_legal_basis", ""),
        )
        if number == WITHDRAWS_BIOMATERIAL:
            consent_withdraw_module(
                actor=officer,
                consent=consent,
                module=modules["biomaterial"],
                effective=timezone.localdate(),
                reason="Donor asked by telephone to stop the use of their samples (demo).",
            )
        _timeline(number, officer=officer, donor=donor, consent=consent, forms=forms, signer=signer)


def _timeline(number: int, *, officer: User, donor: Donor, consent: Consent, forms: dict, signer: str) -> None:
    """The later acts of a few demo donors (see the numbers above)."""
    if number == SIGNS_WITHDRAWAL_FORM:
        consent_record(
            actor=officer,
            donor=donor,
            template=forms["mii-withdrawal"],
            language="en",
            choices={"biomaterial": "withdrawn"},
            signer_name=signer,
            countersigned=True,
            informed_by=officer,
            informed_place="Biobank outpatient clinic (demo)",
        )
    elif number == NO_FURTHER_CONTACT:
        donor_withdraw(
            actor=officer,
            donor=donor,
            level="no_further_contact",
            effective=timezone.localdate(),
            reason="Asked by letter not to be contacted again (demo).",
        )
    elif number == RECORDED_IN_ERROR:
        consent_invalidation_request(
            actor=officer, consent=consent, reason="Recorded for the wrong donor at the tablet (demo)."
        )
