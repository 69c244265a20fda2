"""Permission-scoped reads of the catalogue's policies and modules, for the catalogue pages.

The same rule as templates (``consent.selectors.consents``): rows of the biobanks where the person holds
``view_donors`` or ``manage_consent``, plus the network-wide rows (no biobank), which every biobank builds on.
A foreign biobank's policy or module is simply absent.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from biobank.accounts.principals import Principal

from ..models import Module, Policy
from .consents import _biobank_filter

__all__ = ["modules_of_biobank", "modules_visible_to", "policies_of_biobank", "policies_visible_to"]


def policies_visible_to(*, user: Principal) -> QuerySet[Policy]:
    return Policy.objects.filter(_biobank_filter(user) | Q(biobank__isnull=True)).select_related("biobank")


def policies_of_biobank(*, user: Principal, biobank: Any) -> QuerySet[Policy]:
    """What ``biobank`` may build modules from: its own policies and the network-wide ones."""
    return policies_visible_to(user=user).filter(Q(biobank=biobank) | Q(biobank__isnull=True))


def modules_visible_to(*, user: Principal) -> QuerySet[Module]:
    """Modules with their parent joined and their policies prefetched (the list shows both)."""
    return (
        Module.objects.filter(_biobank_filter(user) | Q(biobank__isnull=True))
        .select_related("biobank", "parent")
        .prefetch_related("policies")
    )


def modules_of_biobank(*, user: Principal, biobank: Any) -> QuerySet[Module]:
    """What ``biobank`` may build templates (and nest modules) from: its own modules and the network-wide ones."""
    return modules_visible_to(user=user).filter(Q(biobank=biobank) | Q(biobank__isnull=True))
