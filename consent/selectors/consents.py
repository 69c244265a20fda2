"""Permission-scoped reads of the consent catalogue and of signed consents: one read path for pages and API.

Templates, consents and their states are visible to whoever holds ``view_donors`` or ``manage_consent`` on their
biobank; a foreign one is simply absent (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm

from ..choices import ConsentStatus, PolicyStateValue, TemplateStatus
from ..models import Consent, ConsentModuleChoice, Policy, PolicyState, Template, TemplateModule
from .donors import donor_and_merged_ids

__all__ = [
    "consent_later_denials",
    "consent_policy_history",
    "consents_of_donor",
    "consents_pending_qc",
    "consents_visible_to",
    "policies_for_biobank",
    "staff_of_biobank",
    "template_previous",
    "templates_signable",
    "templates_visible_to",
]


def _biobank_filter(user: Principal, field: str = "biobank") -> Q:
    return Q(**{f"{field}__in": biobank_ids_with_perm(user=user, perm=Perm.VIEW_DONORS)}) | Q(
        **{f"{field}__in": biobank_ids_with_perm(user=user, perm=Perm.MANAGE_CONSENT)}
    )


def templates_visible_to(*, user: Principal) -> QuerySet[Template]:
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


def consents_visible_to(*, user: Principal) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(_biobank_filter(user))
        .select_related("biobank", "donor", "template", "recorded_by", "countersigned_by", "informed_by", "qc_by")
        .prefetch_related(Prefetch("choices", queryset=ConsentModuleChoice.objects.select_related("module")))
    )


def staff_of_biobank(*, biobank: Any) -> QuerySet:
    """Active people with a role in ``biobank``: who may witness a signature or inform a donor there."""
    from biobank.accounts.models import User

    return User.objects.filter(is_active=True, memberships__biobank=biobank).distinct().order_by("full_name", "email")


def consents_of_donor(*, user: Principal, donor: Any) -> QuerySet[Consent]:
    """The donor's consents and those of every donor merged into it (a consent stays with the donor who signed it;
    ``consent.donor`` tells which PID that was)."""
    return consents_visible_to(user=user).filter(donor_id__in=donor_and_merged_ids(donor))


def consents_pending_qc(*, user: Principal, biobank: Any) -> QuerySet[Consent]:
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


def consent_later_denials(*, consent: Consent) -> list[str]:
    """Why a paper form approved late does not count as its signer may expect: the denials (withdrawn, refused,
    declined) of the same policies that took effect after the form was signed, anywhere in the donor's merge family.
    The form counts from its signing date; the fold keeps the later denial (docs/consent.md)."""
    from ..gate import donor_families

    family = donor_families([consent.donor_id]).get(consent.donor_id)
    codes = set(Policy.objects.filter(modules__templates=consent.template_id).values_list("code", flat=True))
    if family is None or not codes:
        return []
    later = (
        PolicyState.objects.filter(
            donor_id__in=family.members,
            policy__code__in=codes,
            valid_from__gte=consent.signed_on,  # the same day too: which came first that day is not on paper
            state__in=[PolicyStateValue.WITHDRAWN, PolicyStateValue.REFUSED, PolicyStateValue.DECLINED],
        )
        .exclude(consent=consent)
        .exclude(consent__status=ConsentStatus.INVALIDATED)
        .order_by("policy__code", "valid_from")
        .values_list("policy__code", "state", "valid_from")
        .distinct()
    )
    return [
        f"Policy {code} was {state} from {day} on, {'the day' if day == consent.signed_on else 'after'} this form was "
        f"signed ({consent.signed_on}): the form counts from its signing date and does not undo a later decision."
        for code, state, day in later
    ]
