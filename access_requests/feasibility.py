"""Feasibility: how many donors and specimens per biobank and collection match the request's structured criteria
**and** may be used for its purpose at a date — the consent gate per donor plus the collection's own DUO terms.

Set-based: the specimens are filtered and grouped in SQL (one query), the gate asked once for the distinct donors
(``consent.gate_sql.permitted_donor_ids``: the gate in one SQL statement, property-tested to answer as
``consent.gate.permitted_many`` does). Researchers see counts obfuscated as the
catalogue shows them (``catalog.facts.privacy``); committee members of the biobank see exact ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.pg import planner_settings
from catalog import vocabularies
from catalog.facts.privacy import obfuscate
from catalog.models import Collection
from consent.duo import Match, duo_match, duo_purpose_resolve
from consent.gate_sql import NO_JIT, permitted_donor_ids_sql
from consent.models import Donor
from specimens.choices import SpecimenStatus
from specimens.models import Specimen

from .choices import PurposeKind
from .models import AccessRequest

DUO_PURPOSE: dict[str, str] = {
    PurposeKind.GENERAL_RESEARCH: "GRU",
    PurposeKind.HMB: "HMB",
    PurposeKind.DISEASE: "DS",
    PurposeKind.POPULATION_ORIGINS: "POA",
}


@dataclass(frozen=True)
class Row:
    """One collection's counts (``donors``/``specimens`` exact; ``shown`` decides what a viewer sees)."""

    biobank_id: int
    biobank_name: str
    collection_id: int
    collection_name: str
    donors: int
    specimens: int
    duo: str  # approve, deny, abstain, or "" when the collection declares no DUO terms
    needs_committee: bool
    note: str

    def shown(self, *, exact: bool) -> dict[str, object]:
        return {
            "biobank": self.biobank_id,
            "biobank_name": self.biobank_name,
            "collection": self.collection_id,
            "collection_name": self.collection_name,
            "donors": shown_count(self.donors, exact=exact),
            "specimens": shown_count(self.specimens, exact=exact),
            "exact": exact,
            "duo": self.duo,
            "needs_committee": self.needs_committee,
            "note": self.note,
        }


def shown_count(count: int, *, exact: bool) -> str:
    """Exact for the committee; for researchers the catalogue's rounding, with 1-9 said as "< 10"."""
    if exact:
        return str(count)
    if 0 < count < 10:
        return "< 10"
    return str(obfuscate(count))


@cache
def _miabis_by_directory() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for miabis, directory in vocabularies.crosswalks()["sample_type_v11_to_directory_material"].items():
        groups[directory].append(miabis)
    return {code: tuple(labels) for code, labels in groups.items()}


def _material_types(request: AccessRequest) -> list[str]:
    codes = request.criteria.get("material_types") or [row.get("material_type") for row in request.material]
    return [label for code in codes if code for label in _miabis_by_directory().get(code, ())]


def _specimens(request: AccessRequest, collection_ids: list[int]) -> QuerySet[Specimen]:
    # A donor merged into another no longer stands for anyone: its specimens are left out. The merged donors are
    # few, so they are one hashed subquery; joining every specimen to its donor for this cost a fifth of the count
    # at a million specimens (docs/performance.md, "Fourth pass").
    merged = Donor.objects.filter(merged_into__isnull=False).values("id")
    rows = Specimen.objects.filter(collection_id__in=collection_ids, status=SpecimenStatus.AVAILABLE).exclude(
        donor_id__in=merged
    )
    criteria = request.criteria or {}
    if request.material or criteria.get("material_types"):
        rows = rows.filter(material_type__in=_material_types(request))
    if sexes := criteria.get("sexes"):
        rows = rows.filter(donor__sex__in=sexes)
    if criteria.get("age_min") is not None or criteria.get("age_max") is not None:
        rows = rows.annotate(age=ExtractYear("collected_at") - F("donor__birth_year")).filter(age__isnull=False)
        if criteria.get("age_min") is not None:
            rows = rows.filter(age__gte=criteria["age_min"])
        if criteria.get("age_max") is not None:
            rows = rows.filter(age__lte=criteria["age_max"])
    if diagnoses := criteria.get("diagnoses"):
        any_of = Q()
        for prefix in diagnoses:
            any_of |= Q(diagnosis__startswith=prefix)
        rows = rows.filter(any_of)
    return rows


def _collection_terms(collection: Collection, request: AccessRequest, purpose: str) -> tuple[str, str]:
    """The collection's own DUO terms against the purpose: (approve/deny/abstain or "", a note)."""
    terms = list(collection.data_use or [])
    if not terms:
        return "", _("The collection declares no data-use terms: the committee judges.")
    answer, conditions = duo_match(
        purpose=purpose,
        terms=terms,
        disease=request.disease,
        policy_disease=(collection.diseases or [""])[0],
        commercial_use=request.commercial,
        methods_development=request.methods_development,
    )
    if answer == Match.DENY:
        return str(answer), _("The collection's data-use terms do not permit this purpose.")
    if answer == Match.ABSTAIN:
        return str(answer), _("Needs the committee: %(conditions)s") % {"conditions": ", ".join(conditions) or "-"}
    return str(answer), ""


def _permitted_counts(
    request: AccessRequest, collection_ids: list[int], purpose_short: str, at: date
) -> tuple[dict[int, int], dict[int, int]]:
    """Per collection: (donors, specimens) matching the criteria whose consent permits the purpose — one statement.

    The matching specimens are grouped per collection and donor, the gate (``permitted_donor_ids_sql``) is asked
    for the distinct donors of those groups inside the same statement, and the permitted groups are summed per
    collection: only the per-collection sums leave the database, whatever the number of donors."""
    matching = (
        _specimens(request, collection_ids).order_by().values_list("collection_id", "donor_id").annotate(n=Count("*"))
    )
    try:
        matching_sql, matching_params = matching.query.sql_with_params()
    except EmptyResultSet:  # criteria nothing can match (a material type without samples of it): no query at all
        return {}, {}
    gate_sql, gate_params = permitted_donor_ids_sql(
        donors_sql="SELECT donor_id FROM matching",  # the gate makes them distinct
        donors_params=[],
        at=at,
        duo_purpose=purpose_short,
        data_class="biomaterial" if request.material else "data",
        action="use",
        disease=request.disease,
        for_profit=request.commercial,
        methods_development=request.methods_development,
    )
    sql = (
        f"WITH matching (collection_id, donor_id, n) AS MATERIALIZED ({matching_sql}) "  # noqa: S608 (built by the ORM)
        f"SELECT collection_id, count(*), sum(n) FROM matching WHERE donor_id IN ({gate_sql}) GROUP BY collection_id"
    )
    # The planner cannot estimate the gate's donors (a DISTINCT over a CTE: 200 rows, not 186,670 at a million
    # specimens), so it chose an index probe of the acts per donor and 4 MB sorts that went to disk. Hash joins and
    # sorts in memory: 2.5 s → 1.7 s at 1M on EXPLAIN ANALYZE (docs/performance.md, "Feasibility"). For the same
    # reason it sorted 186,670 permitted donors to group them, and the matching groups to sum them per collection;
    # without sorts where hashing will do: 0.93 → 0.69 s (same document, "Fourth pass"). The fold's DISTINCT ON
    # still sorts: nothing else can answer it. No JIT (gate_sql).
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        planner_settings(cursor, enable_nestloop="off", enable_sort="off", work_mem="64MB", **NO_JIT),
    ):
        cursor.execute(sql, [*matching_params, *gate_params])
        rows = cursor.fetchall()
    return {c: donors for c, donors, _n in rows}, {c: int(n) for c, _donors, n in rows}


def feasibility(*, request: AccessRequest, at: date | None = None) -> list[Row]:
    """Per biobank and collection of the request: donors and specimens matching the criteria whose consent permits
    the purpose at ``at`` (today by default). A collection with no chosen collections counts all of its biobank's."""
    at = at or timezone.localdate()
    resources = list(request.resources.select_related("biobank").prefetch_related("collections"))
    by_resource: dict[int, list[Collection]] = {}
    empty = [r.biobank_id for r in resources if not r.collections.all()]
    whole = defaultdict(list)
    for collection in Collection.objects.filter(biobank_id__in=empty, withdrawn=False).order_by("name"):
        whole[collection.biobank_id].append(collection)
    for resource in resources:
        by_resource[resource.pk] = list(resource.collections.all()) or whole[resource.biobank_id]
    collection_ids = [c.pk for chosen in by_resource.values() for c in chosen]
    if not collection_ids:
        return []
    purpose_short = DUO_PURPOSE[request.purpose_kind]
    donors, specimens = _permitted_counts(request, collection_ids, purpose_short, at)
    purpose = duo_purpose_resolve(purpose_short).id
    rows = []
    for resource in resources:
        for collection in by_resource[resource.pk]:
            duo, note = _collection_terms(collection, request, purpose)
            denied = duo == Match.DENY
            rows.append(
                Row(
                    biobank_id=resource.biobank_id,
                    biobank_name=resource.biobank.name,
                    collection_id=collection.pk,
                    collection_name=collection.name,
                    donors=0 if denied else donors.get(collection.pk, 0),
                    specimens=0 if denied else specimens.get(collection.pk, 0),
                    duo=duo,
                    needs_committee=duo in ("", Match.ABSTAIN),
                    note=note,
                )
            )
    return rows
