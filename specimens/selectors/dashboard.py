"""The dashboard tiles of the specimens app (``register_biobank_tile`` loaders): the admin's inventory and freezer
utilisation, the technician's worklists and freezers near capacity.

Each loader takes ``user`` and the ``biobank_ids`` of the panels that show it and answers ``{biobank id: data}`` in a
fixed number of queries, whatever the number of biobanks, specimens or freezers. Reads start from
``specimens_visible_to`` / ``storage_units_visible_to``: a biobank outside the person's roles never shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from biobank.accounts.principals import Principal
from biobank.web.charts import Bar, Chart, bar_chart, column_chart

from ..choices import IN_STOCK, StorageKind
from ..forms.choices import sample_type_name
from ..models import Specimen, StorageUnit
from .specimens import specimens_visible_to, worklist
from .storage import _sum, storage_units_visible_to

MONTHS = 12
NEAR_CAPACITY = 90  # per cent: a freezer this full is listed for the technician
WORKLISTS = ("received_today", "to_process", "to_store", "to_dispose")


@dataclass
class Inventory:
    by_type: Chart
    by_collection: Chart
    by_month: Chart
    in_stock: int = 0


@dataclass
class Freezer:
    pk: int
    name: str
    code: str
    occupied: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.occupied / self.total) if self.total else 0


@dataclass
class Freezers:
    chart: Chart
    freezers: list[Freezer] = field(default_factory=list)

    @property
    def near_capacity(self) -> list[Freezer]:
        return [f for f in self.freezers if f.total and f.percent >= NEAR_CAPACITY]


def _months(today: date) -> list[date]:
    """The first days of the last ``MONTHS`` months, oldest first, this month last."""
    months = []
    year, month = today.year, today.month
    for _i in range(MONTHS):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def inventory_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, Inventory]:
    """Specimens in stock by sample type and by collection, and receptions per month over the last year, per
    collection (the data table) and in total (the chart). Three queries."""
    specimens = specimens_visible_to(user=user).filter(biobank_id__in=biobank_ids).order_by()
    in_stock = specimens.filter(status__in=sorted(IN_STOCK))
    by_type: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for biobank_id, code, n in (
        in_stock.values_list("biobank_id", "sample_type").annotate(n=Count("pk")).order_by("biobank_id", "-n")
    ):
        by_type[biobank_id].append((code, n))
    by_collection: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for biobank_id, name, n in (
        in_stock.values_list("biobank_id", "collection__name").annotate(n=Count("pk")).order_by("biobank_id", "-n")
    ):
        by_collection[biobank_id].append((name, n))

    today = timezone.localdate()
    months = _months(today)
    start = timezone.make_aware(datetime.combine(months[0], time.min))
    monthly: dict[int, dict[tuple[date, str], int]] = defaultdict(dict)
    rows = (
        specimens.filter(received_at__gte=start)
        .annotate(month=TruncMonth("received_at"))
        .values_list("biobank_id", "month", "collection__name")
        .annotate(n=Count("pk"))
    )
    for biobank_id, month, name, n in rows:
        key = (timezone.localtime(month).date() if isinstance(month, datetime) else month, name)
        monthly[biobank_id][key] = monthly[biobank_id].get(key, 0) + n

    type_headers = (_("Sample type"), _("Specimens in stock"))
    result = {}
    for biobank_id in biobank_ids:
        types = [Bar(sample_type_name(code) if code else "—", n) for code, n in by_type[biobank_id]]
        collections = [Bar(name, n) for name, n in by_collection[biobank_id]]
        counts = monthly[biobank_id]
        names = sorted({name for _m, name in counts})
        bars = [
            Bar(
                date_format(month, "M Y"),
                sum(counts.get((month, name), 0) for name in names),
                extra=tuple(str(counts.get((month, name), 0)) for name in names),
            )
            for month in months
        ]
        result[biobank_id] = Inventory(
            by_type=bar_chart(title=_("Specimens in stock by sample type"), bars=types, headers=type_headers),
            by_collection=bar_chart(
                title=_("Specimens in stock by collection"),
                bars=collections,
                headers=(_("Collection"), _("Specimens in stock")),
            ),
            by_month=column_chart(
                title=_("Specimens received per month (last 12 months)"),
                bars=bars if any(bar.value for bar in bars) else [],
                headers=(_("Month"), _("Received"), *names),
                label_every=lambda index: index % 2 == 1,
            ),
            in_stock=sum(n for _c, n in by_type[biobank_id]),
        )
    return result


def freezers_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, Freezers]:
    """Occupied and total positions of every freezer and tank (the boxes below them), one query for all biobanks."""
    boxes_below = StorageUnit.objects.filter(kind=StorageKind.BOX, path__startswith=OuterRef("path")).order_by()
    specimens_below = Specimen.objects.filter(box__path__startswith=OuterRef("path")).order_by()
    units = (
        storage_units_visible_to(user=user)
        .filter(biobank_id__in=biobank_ids, kind__in=(StorageKind.FREEZER, StorageKind.TANK))
        .annotate(
            cell_count=Coalesce(
                Subquery(boxes_below.annotate(total=_sum(F("rows") * F("columns"), "SUM")).values("total")[:1]),
                Value(0),
            ),
            specimen_count=Coalesce(
                Subquery(specimens_below.annotate(total=_sum(F("pk"), "COUNT")).values("total")[:1]), Value(0)
            ),
        )
        .order_by("path")
    )
    found: dict[int, list[Freezer]] = defaultdict(list)
    for unit in units.values("pk", "biobank_id", "name", "code", "cell_count", "specimen_count"):
        found[unit["biobank_id"]].append(
            Freezer(unit["pk"], unit["name"], unit["code"], unit["specimen_count"], unit["cell_count"])
        )
    result = {}
    for biobank_id in biobank_ids:
        freezers = found[biobank_id]
        bars = [
            Bar(
                freezer.name,
                freezer.percent,
                text=f"{freezer.percent} % ({freezer.occupied}/{freezer.total})",
                extra=(str(freezer.occupied), str(freezer.total)),
            )
            for freezer in freezers
        ]
        chart = bar_chart(
            title=_("Freezer utilisation"),
            bars=bars,
            maximum=100,
            headers=(_("Freezer"), _("Utilisation"), _("Occupied positions"), _("Total positions")),
        )
        result[biobank_id] = Freezers(chart, freezers)
    return result


def worklist_counts_by_biobank(*, user: Principal, biobank_ids: list[int]) -> dict[int, dict[str, Any]]:
    """How many specimens each of the technician's worklists holds, per biobank (one query per worklist), and the
    freezers at or above ``NEAR_CAPACITY`` per cent."""
    specimens = specimens_visible_to(user=user).filter(biobank_id__in=biobank_ids).order_by()
    counts: dict[int, dict[str, int]] = {biobank_id: dict.fromkeys(WORKLISTS, 0) for biobank_id in biobank_ids}
    for name in WORKLISTS:
        for biobank_id, n in worklist(specimens, name).values_list("biobank_id").annotate(n=Count("pk", distinct=True)):
            counts[biobank_id][name] = n
    freezers = freezers_by_biobank(user=user, biobank_ids=biobank_ids)
    return {
        biobank_id: {"counts": counts[biobank_id], "near_capacity": freezers[biobank_id].near_capacity}
        for biobank_id in biobank_ids
    }
