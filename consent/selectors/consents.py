"""Permission-scoped reads of the consent catalogue and of signed consents: one read path for pages and API.

Templates, consents and their states are visible to whoever holds ``view_donors`` or ``manage_consent`` on their
biobank; a foreign one is simply absent (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from biobank.accounts.selectors import biobank_ids_with_perm

from ..choices import ConsentStatus, TemplateStatus
from ..models import Consent, ConsentModuleChoice, Policy, PolicyState, Template, TemplateModule

__all__ = [
    "consent_policy_history",
    "consents_of_donor",
    "consents_pending_qc",
    "consents_visible_to",
    "policies_for_biobank",
    "template_previous",
    "templates_signable",
    "templates_visible_to",
]


def _biobank_filter(user: Any, field: str = "biobank") -> Q:
    return Q(**{f"{field}__in": biobank_ids_with_perm(user=user, perm="view_donors")}) | Q(
        **{f"{field}__in": biobank_ids_with_perm(user=user, perm="manage_consent")}
    )


def templates_visible_to(*, user: Any) -> QuerySet[Template]:
    """Template versions with their texts and modules (with policies) prefetched."""
    return (
        Template.objects.filter(_biobank_filter(user))
        .select_related("biobank", "derived_from", "created_by")
        .prefetch_related(
            "texts",
            Prefetch(
                "template_modules",
                queryset=TemplateModule.objects.select_related("module").prefetch_related("module__policies"),
            ),
        )
    )


def templates_signable(*, biobank: Any) -> QuerySet[Template]:
    """The versions a donor may sign today in ``biobank``: the active one of each family."""
    return (
        Template.objects.filter(biobank=biobank, status=TemplateStatus.ACTIVE)
        .prefetch_related("texts")
        .order_by("code")
    )


def template_previous(*, template: Template) -> Template | None:
    """The version ``template`` was derived from, or else the one numbered just before it."""
    if template.derived_from_id:
        return Template.objects.prefetch_related("texts", "template_modules__module").get(pk=template.derived_from_id)
    return (
        Template.objects.filter(biobank_id=template.biobank_id, code=template.code, number__lt=template.number)
        .order_by("-number")
        .prefetch_related("texts", "template_modules__module")
        .first()
    )


def policies_for_biobank(*, biobank: Any) -> QuerySet[Policy]:
    """Network-wide policies and the biobank's own (to resolve a policy code asked about at the gate)."""
    return Policy.objects.filter(Q(biobank=biobank) | Q(biobank__isnull=True))


def consents_visible_to(*, user: Any) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(_biobank_filter(user))
        .select_related("biobank", "donor", "template", "recorded_by", "countersigned_by", "qc_by")
        .prefetch_related(Prefetch("choices", queryset=ConsentModuleChoice.objects.select_related("module")))
    )


def consents_of_donor(*, user: Any, donor: Any) -> QuerySet[Consent]:
    return consents_visible_to(user=user).filter(donor=donor)


def consents_pending_qc(*, user: Any, biobank: Any) -> QuerySet[Consent]:
    """Scanned forms waiting for their second-person check, oldest first."""
    return (
        consents_visible_to(user=user)
        .filter(biobank=biobank, status=ConsentStatus.PENDING_QC)
        .order_by("recorded_at", "pk")
    )


def consent_policy_history(*, consent: Consent) -> QuerySet[PolicyState]:
    """The consent's whole state history (append-only), in the order it happened."""
    return (
        PolicyState.objects.filter(consent=consent)
        .select_related("policy", "module", "recorded_by", "consent")
        .order_by("policy__code", "module__code", "valid_from", "recorded_at", "pk")
    )
