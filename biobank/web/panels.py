"""The data behind the dashboard panels: real figures, a bounded number of queries however many biobanks.

Every read is scoped with the accounts selectors' permission subqueries (``biobank_ids_with_perm``), so a panel
shows only what the person's roles allow.

Domain apps add tiles to the panels and names to the researchers' network directory through ``register_biobank_tile``
and ``register_directory_source``, called from their ``AppConfig.ready()``: the core never imports the apps above it
(issue 10, item 1; the import-linter contract in ``pyproject.toml`` checks it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from biobank.accounts.choices import Perm
from biobank.accounts.models import Biobank, Membership
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import api_tokens_visible_to, biobank_ids_with_perm, biobanks_with_perm

from .access import BiobankAccess

# (user=..., biobank_ids=[...]) -> {biobank id: what the tile shows}; one query for all biobanks, not one per biobank.
TileLoader = Callable[..., dict[int, Any]]
# [biobank ids] -> (biobank id, name) pairs to list under each biobank, in order; public catalogue information only.
# (person, biobank ids) -> (biobank id, name) pairs the person may see (issue 16, item 10: the same selector as the
# app's own list, so the dashboard and e.g. the collections page never disagree)
DirectorySource = Callable[[Principal, list[int]], Iterable[tuple[int, str]]]


@dataclass(frozen=True)
class TileSpec:
    """A tile a domain app adds to each biobank's panel, for people holding any of ``perms`` in that biobank."""

    template: str  # rendered with ``panel`` and ``tile`` (``tile.data`` is what ``load`` gave for this biobank)
    perms: tuple[Perm, ...]
    load: TileLoader


@dataclass(frozen=True)
class Tile:
    template: str
    data: Any


BIOBANK_TILES: list[TileSpec] = []
DIRECTORY_SOURCES: list[DirectorySource] = []


@dataclass(frozen=True)
class SectionSpec:
    """A section of the dashboard about the person rather than one biobank (a researcher's own requests)."""

    template: str  # rendered with ``section`` (``section.data`` is what ``load`` gave)
    show: Callable[[Principal], bool]
    load: Callable[[Principal], Any]  # a bounded number of queries, whatever the data


USER_SECTIONS: list[SectionSpec] = []


def register_user_section(
    *, template: str, show: Callable[[Principal], bool], load: Callable[[Principal], Any]
) -> None:
    """Called from a domain app's ``AppConfig.ready()``: a dashboard section shown to people for whom ``show`` holds."""
    spec = SectionSpec(template, show, load)
    if spec not in USER_SECTIONS:
        USER_SECTIONS.append(spec)


def user_sections(*, user: Principal) -> list[Tile]:
    """The registered sections this person sees, with their data (one ``load`` each)."""
    return [Tile(spec.template, spec.load(user)) for spec in USER_SECTIONS if spec.show(user)]


def register_biobank_tile(*, template: str, perms: Iterable[Perm], load: TileLoader) -> None:
    """Called from a domain app's ``AppConfig.ready()``; tiles appear in the order of ``INSTALLED_APPS``."""
    spec = TileSpec(template, tuple(perms), load)
    if spec not in BIOBANK_TILES:
        BIOBANK_TILES.append(spec)


def register_directory_source(source: DirectorySource) -> None:
    """Called from a domain app's ``AppConfig.ready()``: names listed under each biobank of the network directory."""
    if source not in DIRECTORY_SOURCES:
        DIRECTORY_SOURCES.append(source)


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
    tiles: list[Tile] = field(default_factory=list)  # the domain apps' tiles (register_biobank_tile)

    @property
    def biobank(self) -> Biobank:
        return self.access.biobank


@dataclass
class NetworkEntry:
    biobank: Biobank
    collections: list[str] = field(default_factory=list)


def biobank_panels(*, user: Principal, accesses: list[BiobankAccess]) -> list[BiobankPanel]:
    """One panel per biobank; at most three queries beyond the memberships, plus one per registered tile, whatever
    the number of biobanks."""
    panels = {a.biobank.pk: BiobankPanel(access=a) for a in accesses}
    if not panels:
        return []
    wants = {
        perm: [p for p in panels.values() if p.access.can(perm)] for perm in (Perm.MANAGE_MEMBERS, Perm.VIEW_AUDIT)
    }

    if wants[Perm.MANAGE_MEMBERS]:
        counts = dict(
            biobanks_with_perm(user=user, perm=Perm.MANAGE_MEMBERS)
            .annotate(n=Count("memberships__user", distinct=True))
            .values_list("pk", "n")
        )
        for panel in wants[Perm.MANAGE_MEMBERS]:
            panel.member_count = counts.get(panel.biobank.pk, 0)

    if wants[Perm.VIEW_AUDIT]:  # auditors see who holds which role
        members: dict[int, list[Membership]] = defaultdict(list)
        rows = Membership.objects.filter(biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_AUDIT))
        for membership in rows.select_related("user").order_by("user__email", "role"):
            members[membership.biobank_id].append(membership)
        for panel in wants[Perm.VIEW_AUDIT]:
            panel.members = members.get(panel.biobank.pk, [])
            panel.member_count = len({m.user_id for m in panel.members})

    token_panels = [p for p in panels.values() if p.access.can(Perm.MANAGE_API_TOKENS) or p.access.can(Perm.VIEW_AUDIT)]
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

    for spec in BIOBANK_TILES:
        showing = [p for p in panels.values() if any(p.access.can(perm) for perm in spec.perms)]
        if showing:
            data = spec.load(user=user, biobank_ids=[p.biobank.pk for p in showing])
            for panel in showing:
                panel.tiles.append(Tile(spec.template, data.get(panel.biobank.pk)))

    return list(panels.values())


def network_directory(*, user: Principal) -> list[NetworkEntry]:
    """Names of the active biobanks and what the domain apps list under each that ``user`` may see (their
    collections), for researchers."""
    entries = {b.pk: NetworkEntry(b) for b in Biobank.objects.filter(is_active=True).order_by("name")}
    for source in DIRECTORY_SOURCES:
        for biobank_id, name in source(user, list(entries)):
            entries[biobank_id].collections.append(name)
    return list(entries.values())
