"""Staff's reads of dynamic consent: a donor's portal account and last invitation, the donor's withdrawal
propagations in plain words, the re-consent campaigns and the versions they may be about, the donor-message
wording per kind and language. Each read is given a biobank the caller's permission was checked on (the views use
``biobank_for``), or a donor found through ``donor_get_for``: nothing of another biobank is reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from biobank.accounts.models import Biobank

from ..choices import MessageKind, TemplateStatus, TemplateType
from ..gate import donor_families
from ..models import (
    Donor,
    DonorAccount,
    DonorInvitation,
    MessageTemplate,
    ReconsentCampaign,
    Template,
    WithdrawalPropagation,
)
from .portal import campaigns_progress

MESSAGE_LANGUAGES = (("en", gettext_lazy("English")), ("de", gettext_lazy("German")))


@dataclass(frozen=True)
class PortalStatus:
    """Whether the donor (as a person: the merge family) has a portal account, and their newest invitation."""

    account: DonorAccount | None
    invitation: DonorInvitation | None
    invitation_state: str  # "", "sent", "used", "expired", "revoked"


def invitation_state(invitation: DonorInvitation, *, now: datetime | None = None) -> str:
    if invitation.used_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "sent"


def family_of(donor: Donor) -> set[int]:
    return donor_families([donor.pk])[donor.pk].members


def donor_portal_status(donor: Donor, family: set[int] | None = None) -> PortalStatus:
    family = family if family is not None else family_of(donor)
    account = DonorAccount.objects.select_related("user").filter(donor_id__in=family).first()
    if account is None:
        return PortalStatus(None, None, "")
    invitation = DonorInvitation.objects.filter(account=account).order_by("-created_at", "-pk").first()
    return PortalStatus(account, invitation, invitation_state(invitation) if invitation else "")


# What each effect of a propagation did, for staff (the effect's name → one sentence per result key).
STEP_TITLES = {
    "specimens.consent_block": gettext_lazy("Specimens"),
    "catalog.facts": gettext_lazy("Catalogue facts"),
    "specimens.worklists": gettext_lazy("Worklists"),
    "consent.donor_notifications": gettext_lazy("Notifications to the donor"),
    "consent.donor_confirmation": gettext_lazy("Confirmation to the donor"),
}


def _count_sentence(key: str, value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{key.replace('_', ' ')}: {value}"
    sentences = {
        "blocked": ngettext("%(n)d specimen consent-blocked", "%(n)d specimens consent-blocked", value),
        "reservations_cancelled": ngettext("%(n)d reservation cancelled", "%(n)d reservations cancelled", value),
        "collections": ngettext("facts of %(n)d collection recomputed", "facts of %(n)d collections recomputed", value),
        "to_dispose": ngettext(
            "%(n)d specimen on the disposal worklist", "%(n)d specimens on the disposal worklist", value
        ),
        "shipments_to_decide": ngettext(
            "%(n)d shipped specimen awaiting a staff decision",
            "%(n)d shipped specimens awaiting a staff decision",
            value,
        ),
    }
    template = sentences.get(key)
    return template % {"n": value} if template else f"{key.replace('_', ' ')}: {value}"


def step_summary(name: str, result: Any) -> str:
    """One effect's result in plain words, e.g. "12 specimens consent-blocked, 2 reservations cancelled"."""
    if isinstance(result, dict):
        parts = [_count_sentence(key, value) for key, value in result.items() if value not in (None, "", [], {})]
        return ", ".join(parts) if parts else _("nothing to do")
    if isinstance(result, int) and not isinstance(result, bool):
        return _count_sentence("blocked", result) if name == "specimens.consent_block" else str(result)
    if result in (None, "", True):
        return _("done")
    return str(result)


@dataclass(frozen=True)
class PropagationView:
    row: WithdrawalPropagation
    what: str
    steps: list[tuple[str, str, str]]  # (title, summary, when ISO)


def donor_propagations(family: set[int]) -> list[PropagationView]:
    """The withdrawal propagations that concern anyone of the family (newest first), with their steps summarised."""
    rows = WithdrawalPropagation.objects.filter(donor_ids__overlap=sorted(family)).order_by("-created_at", "-pk")
    views = []
    for row in rows:
        if row.level:
            what = str(row.get_level_display())
        elif row.module_code:
            what = _("%(kind)s: module %(module)s") % {"kind": row.get_kind_display(), "module": row.module_code}
        else:
            what = str(row.get_kind_display())
        steps = [
            (str(STEP_TITLES.get(name, name)), step_summary(name, step.get("result")), str(step.get("at", "")))
            for name, step in (row.steps or {}).items()
        ]
        views.append(PropagationView(row, what, steps))
    return views


# --- re-consent campaigns ----------------------------------------------------------------------------------------


def campaigns_of(biobank: Biobank) -> QuerySet[ReconsentCampaign]:
    return ReconsentCampaign.objects.filter(biobank=biobank).select_related("template", "created_by")


def campaign_of(biobank: Biobank, campaign_id: int) -> ReconsentCampaign:
    """The campaign of ``biobank`` (``ReconsentCampaign.DoesNotExist`` for another biobank's: a 404)."""
    return campaigns_of(biobank).get(pk=campaign_id)


def campaigns_with_progress(biobank: Biobank) -> list[tuple[ReconsentCampaign, dict[str, Any]]]:
    campaigns = list(campaigns_of(biobank))
    progress = campaigns_progress(campaigns)
    return [(campaign, progress[campaign.pk]) for campaign in campaigns]


def campaign_templates(biobank: Biobank) -> QuerySet[Template]:
    """Active consent versions that have an older version: the only ones a campaign can be about."""
    older = Template.objects.filter(biobank=biobank, code=OuterRef("code"), number__lt=OuterRef("number"))
    return (
        Template.objects.filter(biobank=biobank, type=TemplateType.CONSENT, status=TemplateStatus.ACTIVE)
        .filter(Exists(older))
        .order_by("code")
    )


# --- donor-message wording -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageWording:
    kind: str
    kind_label: str
    language: str
    language_label: str
    custom: MessageTemplate | None


def message_wordings(biobank: Biobank) -> list[MessageWording]:
    """Every kind of donor message in every language, with staff's wording where there is one (one query)."""
    custom = {
        (row.kind, row.language): row
        for row in MessageTemplate.objects.filter(biobank=biobank).select_related("updated_by")
    }
    return [
        MessageWording(kind, str(label), language, str(language_label), custom.get((kind, language)))
        for kind, label in MessageKind.choices
        for language, language_label in MESSAGE_LANGUAGES
    ]


__all__ = [
    "MESSAGE_LANGUAGES",
    "MessageWording",
    "PortalStatus",
    "PropagationView",
    "campaign_of",
    "campaign_templates",
    "campaigns_of",
    "campaigns_with_progress",
    "donor_portal_status",
    "donor_propagations",
    "family_of",
    "invitation_state",
    "message_wordings",
    "step_summary",
]
