"""Reads behind the technician's pages: the filtered specimen list (and its export), the donor a scanned PID names,
and the dashboard tile's counts by status. Every read starts from ``specimens_visible_to``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from biobank.accounts.models import Biobank
from biobank.accounts.principals import Principal
from biobank.pseudonyms.checkchar import display
from biobank.web.export import cell
from catalog.models import Collection
from consent.models import Donor

from ..choices import SpecimenStatus
from ..models import Specimen, position_label
from .specimens import pid_canonical, specimens_visible_to


@dataclass(frozen=True)
class SpecimenFilters:
    """What a list is narrowed to; empty values do not filter."""

    barcode: str = ""
    pid: str = ""
    collection: Collection | None = None
    sample_type: str = ""
    status: str = ""
    lineage: str = ""
    collected_from: date | None = None
    collected_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def specimens_filtered(queryset: QuerySet[Specimen], filters: SpecimenFilters) -> QuerySet[Specimen]:
    """``queryset`` narrowed by ``filters``: a barcode by its beginning (a scanned one matches itself), a PID as
    typed or scanned, collection dates as whole local days (both ends included)."""
    if filters.barcode:
        queryset = queryset.filter(barcode__startswith=filters.barcode.strip())
    if filters.pid:
        queryset = queryset.filter(donor__pid=pid_canonical(filters.pid))
    if filters.collection is not None:
        queryset = queryset.filter(collection=filters.collection)
    if filters.sample_type:
        queryset = queryset.filter(sample_type=filters.sample_type)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.lineage:
        queryset = queryset.filter(lineage=filters.lineage)
    if filters.collected_from:
        queryset = queryset.filter(collected_at__gte=_day_start(filters.collected_from))
    if filters.collected_to:
        queryset = queryset.filter(collected_at__lt=_day_start(filters.collected_to + timedelta(days=1)))
    return queryset


def specimens_of_biobank(*, user: Principal, biobank: Biobank) -> QuerySet[Specimen]:
    return specimens_visible_to(user=user).filter(biobank=biobank)


def donor_for_pid(*, biobank: Biobank, text: str) -> Donor | None:
    """The biobank's donor whose PID is ``text`` (as typed or scanned), or ``None``. Registering a specimen needs
    only the pseudonym: no identifying data are read."""
    canonical = pid_canonical(text)
    if not canonical:
        return None
    return Donor.objects.filter(biobank=biobank, pid=canonical).first()


EXPORT_COLUMNS = (
    "barcode",
    "biobank",
    "collection",
    "donor_pid",
    "sample_type",
    "material_type",
    "lineage",
    "parent",
    "status",
    "quantity",
    "initial_quantity",
    "unit",
    "concentration",
    "concentration_unit",
    "freeze_thaw_count",
    "sprec_code",
    "collected_at",
    "received_at",
    "box",
    "position",
    "registered_at",
)


def specimen_export_rows(queryset: QuerySet[Specimen], *, chunk_size: int = 2000) -> Iterator[tuple[Any, ...]]:
    """The rows of an export in ``EXPORT_COLUMNS`` order, read in chunks from a server-side cursor (one query), as
    cells of the portal's one export format (``biobank.web.export.cell``): times in UTC, ISO 8601
    (``2026-12-07T09:30:00Z``), dates ISO, text guarded against spreadsheet formulas."""
    rows = queryset.order_by("-pk").values_list(
        "barcode",
        "biobank__code",
        "collection__code",
        "donor__pid",
        "sample_type",
        "material_type",
        "lineage",
        "parent__barcode",
        "status",
        "quantity",
        "initial_quantity",
        "unit",
        "concentration",
        "concentration_unit",
        "freeze_thaw_count",
        "sprec_code",
        "collected_at",
        "received_at",
        "box__code",
        "box_row",
        "box_column",
        "created_at",
    )
    for row in rows.iterator(chunk_size=chunk_size):
        values: list[Any] = list(row)
        values[3] = display(values[3])
        box_row, box_column = values.pop(19), values.pop(19)
        values.insert(19, position_label(box_row, box_column) if box_row and box_column else "")
        for index in (9, 10, 12):
            values[index] = values[index].normalize() if values[index] is not None else None
        yield tuple(cell(value) for value in values)


def specimen_counts_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, list[tuple[str, str, int]]]:
    """The dashboard tile: each biobank's specimens counted by status ``(status, its label, count)``, one query."""
    counts: dict[int, list[tuple[str, str, int]]] = {pk: [] for pk in biobank_ids}
    rows = (
        specimens_visible_to(user=user)
        .filter(biobank__in=biobank_ids)
        .order_by()
        .values_list("biobank_id", "status")
        .annotate(count=Count("pk"))
        .order_by("biobank_id", "status")
    )
    for biobank_id, status, count in rows:
        counts[biobank_id].append((status, str(SpecimenStatus(status).label), count))
    return counts
