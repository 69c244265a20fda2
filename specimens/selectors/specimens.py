"""Permission-scoped reads of specimens, their lineage and timeline, used by the HTML views and the API alike.

``view_specimens`` on the biobank shows its specimens; anything outside ``specimens_visible_to`` is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import BigIntegerField, F, Func, Q, QuerySet
from django.utils import timezone

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm
from biobank.pseudonyms import checkchar
from consent.gate import donor_families
from consent.models import WithdrawalPropagation
from consent.withdrawal_effects import disposal_donor_ids, withdrawn_donor_ids

from ..choices import IN_STOCK, EventType, LineageKind, SpecimenStatus
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


def _families_of(donor_ids: set[int]) -> set[int]:
    """Every donor record of the persons ``donor_ids`` stand for, as the merge families are now (one query)."""
    if not donor_ids:
        return set()
    return {member for family in donor_families(sorted(donor_ids)).values() for member in family.members}


def donors_to_dispose() -> set[int]:
    """Donor records of persons whose material is to be destroyed: a "no further use" withdrawal still standing —
    no acceptance of biomaterial use signed after it (``consent.withdrawal_effects.material_state``; a later
    "no further access" keeps the material) — taken over the merge family as it is today, so a record merged in
    later counts too. Asked anew on every read: a live list."""
    withdrawn = set(
        WithdrawalPropagation.objects.filter(destroys_material=True)
        .annotate(member=Func(F("donor_ids"), function="unnest", output_field=BigIntegerField()))
        .values_list("member", flat=True)
    )
    if not withdrawn:
        return set()
    return _families_of(disposal_donor_ids(_families_of(withdrawn)))


def donors_with_material_blocked() -> set[int]:
    """Donor records of persons with a withdrawal that blocks their material (a level that stops access or use,
    or a module that denies using or sending biomaterial) and still stands, over today's merge families."""
    blocked = set(
        WithdrawalPropagation.objects.filter(blocks_material=True)
        .annotate(member=Func(F("donor_ids"), function="unnest", output_field=BigIntegerField()))
        .values_list("member", flat=True)
    )
    if not blocked:
        return set()
    return _families_of(withdrawn_donor_ids(_families_of(blocked)))


def worklist(queryset: QuerySet[Specimen], name: str) -> QuerySet[Specimen]:
    """The technician's lists: received today; primary specimens not yet processed (no aliquot or derivative);
    specimens in stock with no position; the specimens still in the biobank of donors who withdrew with "no further
    use" (consent-blocked, or available/reserved should any have escaped the block): to be destroyed."""
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
        return queryset.filter(status__in=sorted(IN_STOCK), donor_id__in=sorted(donors_to_dispose()))
    return queryset.none()


def shipments_awaiting_decision(queryset: QuerySet[Specimen]) -> QuerySet[Specimen]:
    """Distributed specimens of donors whose material a withdrawal blocks, with no staff decision recorded yet
    (recall, destroy at the recipient, or keep): a live list, like the disposal worklist."""
    return queryset.filter(
        status=SpecimenStatus.DISTRIBUTED, donor_id__in=sorted(donors_with_material_blocked())
    ).exclude(events__type=EventType.WITHDRAWAL_DECISION)
