"""Re-consent campaigns: staff invite every donor who signed an older version of a consent form to read and sign
the version now in use. Donors without an e-mail address in the vault are listed as not invited, with the reason,
so the biobank can reach them another way; progress is read from the data (``selectors.portal.campaign_progress``).
"""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import User
from biobank.audit.services import audit_record
from biobank.errors import DomainError

from ...choices import ConsentStatus, DonorStatus, InvitationPurpose, PolicyStateValue, TemplateStatus, TemplateType
from ...models import CampaignTarget, Consent, DonorAccount, ReconsentCampaign, Template
from ...withdrawal_effects import withdrawn_donor_ids
from ..permissions import require_manage_consent
from .accounts import _account_for, invitation_send


def campaign_candidates(template: Template) -> list[int]:
    """The active donors (current records, not merged away) whose newest valid consent on ``template``'s form is
    an older version, and whose material is not blocked by a withdrawal."""
    newest = (
        Consent.objects.filter(
            biobank_id=template.biobank_id,
            template__code=template.code,
            status=ConsentStatus.VALID,
            donor__status=DonorStatus.ACTIVE,
        )
        .values("donor_id")
        .annotate(number=Max("template__number"))
        .filter(number__lt=template.number)
    )
    donors = [row["donor_id"] for row in newest]
    blocked = withdrawn_donor_ids(donors)
    return sorted(set(donors) - blocked)


def not_to_be_contacted(biobank_id: int, donor_ids: list[int]) -> set[int]:
    """The donors whose answer today denies any policy about contacting them (a "no further contact" withdrawal,
    any other level, a withdrawn or declined recontact part): a campaign e-mail would contact them against it."""
    from ...choices import PolicyAction, PolicyDataClass
    from ...gate import permitted_many
    from ...models import Policy

    codes = set(
        Policy.objects.filter(models.Q(biobank_id=biobank_id) | models.Q(biobank__isnull=True))
        .filter(models.Q(action=PolicyAction.CONTACT) | models.Q(data_class=PolicyDataClass.CONTACT))
        .values_list("code", flat=True)
    )
    today = timezone.localdate()
    silent: set[int] = set()
    for code in sorted(codes):  # a few codes; each asks the gate for every donor at once
        answers = permitted_many(donors=donor_ids, policy=code, at=today)
        # asked and not agreed (declined, withdrawn, refused, expired, left unanswered); never asked does not count
        silent |= {donor for donor, answer in answers.items() if answer.code in _NOT_AGREED}
    return silent


_NOT_AGREED = frozenset(
    {
        PolicyStateValue.DECLINED,
        PolicyStateValue.WITHDRAWN,
        PolicyStateValue.REFUSED,
        PolicyStateValue.EXPIRED,
        PolicyStateValue.UNKNOWN,
    }
)


@transaction.atomic
def reconsent_campaign_create(*, actor: User, template: Template, title: str) -> ReconsentCampaign:
    """Start a campaign for the active version ``template`` and invite its donors (each a one-time link)."""
    require_manage_consent(actor, template.biobank)
    template = Template.objects.select_for_update().get(pk=template.pk)
    if template.type != TemplateType.CONSENT or template.status != TemplateStatus.ACTIVE:
        raise DomainError(
            _("Only the consent form version in use can be the subject of a re-consent campaign."),
            field="template",
            code="template_status",
        )
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the campaign a title (staff see it; donors see the form's title)."), field="title")
    if len(title) > 200:
        raise DomainError(_("The title may have at most 200 characters."), field="title")
    donors = campaign_candidates(template)
    if not donors:
        raise DomainError(
            _("No donor has signed an older version of %(form)s only: there is nobody to invite.")
            % {"form": template.code},
            field="template",
            code="nobody",
        )
    campaign = ReconsentCampaign.objects.create(
        biobank_id=template.biobank_id, template=template, title=title, created_by=actor
    )
    from ...models import Donor

    accounts = {a.donor_id: a for a in DonorAccount.objects.select_related("user").filter(donor_id__in=donors)}
    silent = not_to_be_contacted(template.biobank_id, donors)
    targets = []
    for donor in Donor.objects.filter(pk__in=donors).order_by("pk"):
        account = accounts.get(donor.pk)
        if donor.pk in silent:
            reason = _("The donor does not agree to be contacted (withdrawn or declined).")
            targets.append(CampaignTarget(campaign=campaign, donor=donor, skipped_reason=reason))
            continue
        if account is not None and not account.user.is_active:
            reason = _("The donor's portal account is closed.")
            targets.append(CampaignTarget(campaign=campaign, donor=donor, skipped_reason=reason))
            continue
        try:
            if account is None:
                with transaction.atomic():
                    account = _account_for(actor=actor, donor=donor, language=None)
            invitation = invitation_send(
                actor=actor, account=account, purpose=InvitationPurpose.RECONSENT, campaign=campaign
            )
            targets.append(CampaignTarget(campaign=campaign, donor=donor, invitation=invitation))
        except DomainError as error:
            targets.append(CampaignTarget(campaign=campaign, donor=donor, skipped_reason=str(error.message)[:200]))
    CampaignTarget.objects.bulk_create(targets)
    audit_record(
        actor=actor,
        action="consent.campaign_create",
        obj=campaign,
        details={
            "template": template.code,
            "version": template.version_label,
            "targets": len(targets),
            "invited": sum(1 for t in targets if t.invitation is not None),
        },
    )
    return campaign


__all__ = ["campaign_candidates", "not_to_be_contacted", "reconsent_campaign_create"]
