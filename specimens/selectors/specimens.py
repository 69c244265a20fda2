"""Permission-scoped reads of specimens, their lineage and timeline, used by the HTML views and the API alike.

``view_specimens`` on the biobank shows its specimens; anything outside ``specimens_visible_to`` is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.pseudonyms import checkchar

from ..choices import IN_STOCK, LineageKind, SpecimenStatus
from ..models import Specimen, SpecimenEvent, SpecimenSource

LIST_RELATED = ("biobank", "collection", "donor", "box")


def specimens_visible_to(*, user: Principal) -> QuerySet[Specimen]:
    """Specimens of biobanks where ``user`` holds ``view_specimens``, with what a list row shows (no N+1)."""
    return Specimen.objects.filter(
        biobank__in=biobank_ids_with_perm(user=user, perm=Perm.VIEW_SPECIMENS)
    ).select_related(*LIST_RELATED)


def specimens_changeable_by(*, user: Principal) -> QuerySet[Specimen]:
    return Specimen.objects.filter(
        biobank__in=biobank_ids_with_perm(user=user, perm=Perm.CHANGE_SPECIMENS)
    ).select_related(*LIST_RELATED)


def pid_canonical(text: str) -> str:
    """A PID as typed or scanned (``ABCDE-FGHJK-M``, lower case) in its stored form."""
    return text.replace("-", "").replace(" ", "").strip().upper()


def specimens_search(queryset: QuerySet[Specimen], text: str) -> QuerySet[Specimen]:
    """Specimens whose barcode is ``text`` or whose donor's PID is ``text`` (the header search)."""
    text = text.strip()
    if not text:
        return queryset.none()
    return queryset.filter(Q(barcode=text) | Q(donor__pid=pid_canonical(text)))


def is_pid(text: str) -> bool:
    canonical = pid_canonical(text)
    return len(canonical) == checkchar.LENGTH and checkchar.is_valid(canonical)


@dataclass(frozen=True)
class Lineage:
    """A specimen's family: its parents (one, or several for a pool), siblings, children, and pools it went into."""

    parents: list[Specimen]
    siblings: list[Specimen]
    children: list[Specimen]
    pools: list[Specimen]
    used: dict[int, str]  # parent id → what this specimen took from it


def specimen_lineage(specimen: Specimen) -> Lineage:
    """Four queries whatever the family's size."""
    sources = list(SpecimenSource.objects.filter(specimen=specimen).select_related("parent"))
    parents = [source.parent for source in sources]
    used = {source.parent_id: f"{source.used_quantity.normalize()} {source.parent.unit}" for source in sources}
    siblings: list[Specimen] = []
    if specimen.parent_id is not None:
        siblings = list(Specimen.objects.filter(parent_id=specimen.parent_id).exclude(pk=specimen.pk).order_by("pk"))
    children = list(Specimen.objects.filter(parent=specimen).order_by("pk"))
    pools = list(Specimen.objects.filter(lineage=LineageKind.POOL, sources__parent=specimen).order_by("pk").distinct())
    return Lineage(parents, siblings, children, pools, used)


def specimen_timeline(specimen: Specimen) -> QuerySet[SpecimenEvent]:
    return SpecimenEvent.objects.filter(specimen=specimen).order_by("occurred_at", "id")


# --- worklists ---------------------------------------------------------------------------------------------------

WORKLISTS = ("received_today", "to_process", "to_store", "to_dispose")


def worklist(queryset: QuerySet[Specimen], name: str) -> QuerySet[Specimen]:
    """The technician's lists: received today; primary specimens not yet processed (no aliquot or derivative);
    specimens in stock with no position; consent-blocked specimens waiting for disposal."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    if name == "received_today":
        return queryset.filter(received_at__gte=start, received_at__lt=start + timedelta(days=1))
    if name == "to_process":
        return queryset.filter(
            lineage=LineageKind.PRIMARY, status=SpecimenStatus.AVAILABLE, children__isnull=True
        ).exclude(uses__isnull=False)
    if name == "to_store":
        return queryset.filter(status__in=sorted(IN_STOCK), box__isnull=True)
    if name == "to_dispose":
        return queryset.filter(status=SpecimenStatus.CONSENT_BLOCKED)
    return queryset.none()
