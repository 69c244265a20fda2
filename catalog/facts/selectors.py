"""Reading the facts: exact for the collection's own staff, k-anonymous and obfuscated for everyone else.

- Staff holding VIEW_CATALOG on the collection's biobank see every row with exact numbers.
- Everyone else (the public, researchers, staff of other biobanks) sees only publishable rows
  (``privacy.publishable``: 0 donors or at least ``K_ANONYMITY``), with both counts obfuscated (``privacy.obfuscate``).
  That holds for the all-``*`` total as well: a collection with 1-9 donors has no public size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from biobank.accounts.choices import Perm
from biobank.accounts.principals import Principal
from biobank.accounts.selectors import biobank_ids_with_perm

from ..models import Collection, CollectionFact
from .privacy import publishable, shown_count

ANY = "*"


@dataclass(frozen=True)
class FactRow:
    sex: str
    age_range: str
    material_type: str
    disease: str
    number_of_samples: int
    number_of_donors: int

    @property
    def is_total(self) -> bool:
        return ANY == self.sex == self.age_range == self.material_type == self.disease


def facts_exact_for(*, user: Principal, collection: Collection) -> bool:
    """Does ``user`` see this collection's exact numbers (VIEW_CATALOG on its biobank)?"""
    if user is None:
        return False
    return biobank_ids_with_perm(user=user, perm=Perm.VIEW_CATALOG).filter(pk=collection.biobank_id).exists()


def shown_rows(rows: Iterable[tuple[str, str, str, str, int, int]], *, exact: bool) -> list[FactRow]:
    """Stored rows as a viewer may see them: all of them exact, or the publishable ones obfuscated."""
    return [
        FactRow(sex, age, material, disease, shown_count(samples, exact=exact), shown_count(donors, exact=exact))
        for sex, age, material, disease, samples, donors in rows
        if exact or publishable(donors)
    ]


def collection_facts(*, collection: Collection, user: Principal) -> list[FactRow]:
    """The facts of ``collection`` as ``user`` may see them (the total row first)."""
    rows = (
        CollectionFact.objects.filter(collection=collection)
        .order_by("sex", "age_range", "material_type", "disease")
        .values_list("sex", "age_range", "material_type", "disease", "number_of_samples", "number_of_donors")
    )
    shown = shown_rows(rows, exact=facts_exact_for(user=user, collection=collection))
    return sorted(shown, key=lambda row: not row.is_total)


def collection_sizes(collection_ids: Iterable[int], *, exact: bool) -> dict[int, tuple[int, int]]:
    """``{collection id: (samples, donors)}`` from each collection's all-``*`` row (sub-collections included).

    With ``exact=False`` the numbers are obfuscated and a collection whose total has 1-9 donors is left out (not
    publishable), as is one whose facts were never computed.
    """
    totals = CollectionFact.objects.filter(
        collection_id__in=list(collection_ids), sex=ANY, age_range=ANY, material_type=ANY, disease=ANY
    ).values_list("collection_id", "number_of_samples", "number_of_donors")
    return {
        pk: (shown_count(samples, exact=exact), shown_count(donors, exact=exact))
        for pk, samples, donors in totals
        if exact or publishable(donors)
    }


def collection_sample_counts(collection_ids: Iterable[int], *, exact: bool) -> dict[int, int | None]:
    """``{collection id: samples or None}`` for every id asked: ``None`` where ``collection_sizes`` shows nothing."""
    ids = list(collection_ids)
    sizes = collection_sizes(ids, exact=exact)
    return {pk: sizes[pk][0] if pk in sizes else None for pk in ids}
