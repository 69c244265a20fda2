"""The consent app's dashboard tiles on the demo (``seed_demo``): a re-consent campaign in progress for the consent
officer, re-identifications for the identity steward, and the sensitive reads the auditor watches.

Registered from ``ConsentConfig.ready()`` after the donors, their consents and the donor's portal account. Every row
comes from the services a person would use (``consent/selectors/dashboard.py`` reads them back):

* the broad consent's draft v1.7 is put in use, and a campaign invites the donors who signed v1.6 (one-time links,
  e-mailed like any invitation); a few who had accepted every part sign v1.7 at the clinic, accepting every part
  again, so their answers do not change. The demo donor (donor@example.org) is among those still to re-consent.
* the identity steward opens two donors' identities and looks one up by hospital ID, each with a reason, and looks at
  the candidates of the registration held back as a possible duplicate. Each is a sensitive read.

Idempotent: a biobank that has a campaign gets no second one, and one whose trail already holds a sensitive read
gets no more.
"""

from __future__ import annotations

from biobank.accounts.models import Biobank, User
from biobank.audit.models import AuditEvent, AuditOutbox
from biobank.demo import DemoContext

from .choices import PolicyStateValue, TemplateStatus
from .demo import DEMO_DONORS
from .demo_portal import DEMO_DONOR_LOGIN
from .models import Donor, DonorInvitation, DuplicateReview, PolicyState, ReconsentCampaign, Template
from .selectors.dashboard import SENSITIVE_READS
from .services import (
    consent_record,
    duplicate_review_candidates,
    identity_lookup_by_hospital_id,
    identity_of,
    identity_view,
    template_activate,
)
from .services.portal import reconsent_campaign_create

CONSENT_OFFICER = "consent@example.org"
STEWARD = "steward@example.org"
FORM = "mii-broad-consent"
CAMPAIGN_TITLE = "Broad consent v1.7: your choices online"
RECONSENTED = 3  # donors who signed v1.7 already; the other invited donors are still to answer
# Why the steward needed identifying data (recorded in the trail with each read).
VIEWS = (
    "The clinic asked us to tell the donor about an incidental finding (ethics vote 2026-114, demo).",
    "The donor phoned to correct their address; checked the vault record before changing it (demo).",
)
LOOKUP = "Pathology returned a sample labelled only with the hospital ID and asked for its PID (demo)."
CANDIDATES = "Deciding whether the held-back registration is a donor we already have (demo)."


def seed(context: DemoContext) -> None:
    biobank = context.first_biobank
    officer, steward = context.people.get(CONSENT_OFFICER), context.people.get(STEWARD)
    if officer is not None:
        _campaign(biobank, officer)
    if steward is not None:
        _sensitive_reads(biobank, steward)


def _campaign(biobank: Biobank, officer: User) -> None:
    if ReconsentCampaign.objects.filter(biobank=biobank).exists():
        return
    newest = Template.objects.filter(biobank=biobank, code=FORM).order_by("-number").first()
    if newest is None or newest.status not in (TemplateStatus.DRAFT, TemplateStatus.ACTIVE):
        return
    if newest.status == TemplateStatus.DRAFT:
        newest = template_activate(actor=officer, template=newest)
    campaign = reconsent_campaign_create(actor=officer, template=newest, title=CAMPAIGN_TITLE)
    # Donors who accepted every part and never declined or withdrew one: signing v1.7 with everything accepted
    # leaves each of their answers as it was.
    said_no = PolicyState.objects.filter(
        state__in=(PolicyStateValue.DECLINED, PolicyStateValue.REFUSED, PolicyStateValue.WITHDRAWN)
    ).values("donor")
    invitations = (
        DonorInvitation.objects.filter(campaign=campaign)
        .exclude(account__donor__in=said_no)
        .exclude(account__user__email=DEMO_DONOR_LOGIN)  # left for the person trying the demo
        .select_related("account__donor__identity")
        .order_by("account__donor_id")[:RECONSENTED]
    )
    modules = [link.module.code for link in newest.template_modules.select_related("module")]
    for invitation in invitations:
        # Signed at the clinic with the officer rather than in the portal: a donor acting in the portal is named in
        # the trail by the e-mail address of their account, and the demo's dump names no donor
        # (tests/consent/test_demo_dump.py).
        donor = invitation.account.donor
        identity = identity_of(donor.identity)
        consent_record(
            actor=officer,
            donor=donor,
            template=newest,
            language=invitation.account.language or "en",
            choices=dict.fromkeys(modules, "accepted"),
            signer_name=f"{identity.given_names} {identity.family_name}",
            countersigned=True,
            informed_by=officer,
            informed_place="Biobank outpatient clinic (demo)",
        )


def _sensitive_reads(biobank: Biobank, steward: User) -> None:
    for trail in (AuditEvent, AuditOutbox):  # chained already, or still waiting in the outbox
        if trail.objects.filter(biobank=biobank, action__in=SENSITIVE_READS).exists():
            return
    donors = Donor.objects.filter(biobank=biobank, merged_into__isnull=True, identity__isnull=False).order_by("pk")
    for donor, reason in zip(donors[1 : 1 + len(VIEWS)], VIEWS, strict=False):
        identity_view(actor=steward, donor=donor, reason=reason)
    identity_lookup_by_hospital_id(actor=steward, biobank=biobank, hospital_id=DEMO_DONORS[0][4], reason=LOOKUP)
    review = DuplicateReview.objects.filter(biobank=biobank).order_by("pk").first()
    if review is not None:
        duplicate_review_candidates(actor=steward, review=review, reason=CANDIDATES)
