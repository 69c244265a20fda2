"""The data behind the dashboard panels: real figures, a bounded number of queries however many biobanks.

Every read is scoped with the accounts selectors' permission subqueries (``biobank_ids_with_perm``), so a panel
shows only what the person's roles allow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from biobank.accounts.models import Biobank, Membership
from biobank.accounts.selectors import api_tokens_visible_to, biobank_ids_with_perm, biobanks_with_perm
from catalog.models import Collection
from catalog.selectors import collections_visible_to

from .access import BiobankAccess


@dataclass
class TokenSummary:
    active: int = 0
    nearest_expiry: datetime | None = None


@dataclass
class BiobankPanel:
    access: BiobankAccess
    member_count: int | None = None
    members: list[Membership] | None = None
    tokens: TokenSummary | None = None
    collections: list[Collection] | None = None

    @property
    def biobank(self) -> Biobank:
        return self.access.biobank


@dataclass
class NetworkEntry:
    biobank: Biobank
    collections: list[str] = field(default_factory=list)


def biobank_panels(*, user: Any, accesses: list[BiobankAccess]) -> list[BiobankPanel]:
    """One panel per biobank; at most four queries beyond the memberships, whatever the number of biobanks."""
    panels = {a.biobank.pk: BiobankPanel(access=a) for a in accesses}
    if not panels:
        return []
    wants = {perm: [p for p in panels.values() if p.access.can(perm)] for perm in ("manage_members", "view_audit")}

    if wants["manage_members"]:
        counts = dict(
            biobanks_with_perm(user=user, perm="manage_members")
            .annotate(n=Count("memberships__user", distinct=True))
            .values_list("pk", "n")
        )
        for panel in wants["manage_members"]:
            panel.member_count = counts.get(panel.biobank.pk, 0)

    if wants["view_audit"]:  # auditors see who holds which role
        members: dict[int, list[Membership]] = defaultdict(list)
        rows = Membership.objects.filter(biobank__in=biobank_ids_with_perm(user=user, perm="view_audit"))
        for membership in rows.select_related("user").order_by("user__email", "role"):
            members[membership.biobank_id].append(membership)
        for panel in wants["view_audit"]:
            panel.members = members.get(panel.biobank.pk, [])
            panel.member_count = len({m.user_id for m in panel.members})

    token_panels = [p for p in panels.values() if p.access.can("manage_api_tokens") or p.access.can("view_audit")]
    if token_panels:
        summary = (
            api_tokens_visible_to(user=user)
            .filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
            .values("biobank")
            .annotate(n=Count("pk"), nearest=Min("expires_at"))
        )
        by_biobank = {row["biobank"]: TokenSummary(row["n"], row["nearest"]) for row in summary}
        for panel in token_panels:
            panel.tokens = by_biobank.get(panel.biobank.pk, TokenSummary())

    catalog_panels = [p for p in panels.values() if p.access.can("view_catalog") or p.access.can("manage_catalog")]
    if catalog_panels:
        collections: dict[int, list[Collection]] = defaultdict(list)
        visible = collections_visible_to(user=user).filter(biobank__in=[p.biobank.pk for p in catalog_panels])
        for collection in visible.order_by("name"):
            collections[collection.biobank_id].append(collection)
        for panel in catalog_panels:
            panel.collections = collections.get(panel.biobank.pk, [])

    return list(panels.values())


def network_directory() -> list[NetworkEntry]:
    """Names of the active biobanks and their collections, for researchers (public catalogue information only)."""
    entries = {b.pk: NetworkEntry(b) for b in Biobank.objects.filter(is_active=True).order_by("name")}
    names = Collection.objects.filter(biobank__in=list(entries)).order_by("name").values_list("biobank_id", "name")
    for biobank_id, name in names:
        entries[biobank_id].collections.append(name)
    return list(entries.values())
