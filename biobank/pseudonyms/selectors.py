"""Permission-scoped reads of pseudonym domains. Mapping rows are never listed here: resolving is a service."""

from __future__ import annotations

from django.db.models import QuerySet

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm

from .choices import DomainKind
from .models import PseudonymDomain


def pseudonym_domains_visible_to(*, user: Principal) -> QuerySet[PseudonymDomain]:
    """Domains of the biobanks where ``user`` may see pseudonymous donors (``view_donors``)."""
    return PseudonymDomain.objects.filter(
        biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_DONORS)
    ).select_related("biobank")


def pseudonym_domain_get_for(*, user: Principal, code: str) -> PseudonymDomain:
    """One domain by code if visible to ``user``; ``PseudonymDomain.DoesNotExist`` (→ 404) otherwise."""
    return pseudonym_domains_visible_to(user=user).get(code=code)


def pid_domain_of(*, biobank: Biobank) -> PseudonymDomain:
    """The biobank's PID domain (for services that mint donor PIDs; no permission check: not a user read)."""
    return PseudonymDomain.objects.get(biobank=biobank, kind=DomainKind.BIOBANK_PID)
