"""Reading the facts: exact for the collection's staff; k-anonymous and obfuscated for everyone else, totals too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from biobank.accounts.choices import Role
from catalog.facts.engine import recompute
from catalog.facts.privacy import K_ANONYMITY, obfuscate
from catalog.facts.selectors import collection_facts, collection_sizes
from catalog.models import CollectionFact
from tests.accounts.factories import make_member
from tests.catalog.facts.inventory import Person, Tube, add_donors, add_tubes
from tests.specimens.factories import make_collection

pytestmark = pytest.mark.django_db
AT = datetime(2025, 2, 1, tzinfo=UTC)


@pytest.fixture
def facts(biobank_a):
    """23 donors: 14 women with serum (some also plasma), 9 men with serum; a small collection of 4 donors."""
    big, small = make_collection(biobank_a), make_collection(biobank_a)
    people = [Person("female", 1970, 3)] * 14 + [Person("male", 1960, 8)] * 9 + [Person("female", 1990, 1)] * 4
    donors = add_donors(biobank_a, people)
    tubes = [Tube(0, n, "Serum", AT, diagnosis="C18" if n % 2 else "") for n in range(23)]
    tubes += [Tube(0, n, "Plasma", AT) for n in range(0, 14, 2)]
    tubes += [Tube(1, n, "Serum", AT) for n in range(23, 27)]
    add_tubes(biobank_a, [big, small], donors, tubes)
    recompute([big.pk, small.pk])
    return big, small


def test_staff_of_the_biobank_see_every_row_exactly(facts, biobank_a):
    big, _ = facts
    staff = make_member(biobank_a, Role.TECHNICIAN, email="tech-facts@example.org")
    rows = collection_facts(collection=big, user=staff)
    assert rows[0].is_total and (rows[0].number_of_samples, rows[0].number_of_donors) == (30, 23)
    stored = CollectionFact.objects.filter(collection=big).count()
    assert len(rows) == stored
    assert any(0 < row.number_of_donors < K_ANONYMITY for row in rows)


@pytest.mark.parametrize("viewer", ["anonymous", "other biobank"])
def test_everyone_else_sees_publishable_rows_obfuscated(facts, biobank_b, viewer):
    big, _ = facts
    user = AnonymousUser() if viewer == "anonymous" else make_member(biobank_b, Role.DATA_MANAGER, email="dm@b.org")
    exact = {
        (f.sex, f.age_range, f.material_type, f.disease): (f.number_of_samples, f.number_of_donors)
        for f in CollectionFact.objects.filter(collection=big)
    }
    rows = collection_facts(collection=big, user=user)
    assert rows[0].is_total and (rows[0].number_of_samples, rows[0].number_of_donors) == (30, 20)
    shown = {(r.sex, r.age_range, r.material_type, r.disease): r for r in rows}
    # no published row has 0 < donors < k, and every publishable row is shown with obfuscated counts
    assert {k for k, (_, d) in exact.items() if d == 0 or d >= K_ANONYMITY} == set(shown)
    for key, row in shown.items():
        samples, donors = exact[key]
        assert (row.number_of_samples, row.number_of_donors) == (obfuscate(samples), obfuscate(donors))
    assert ("MALE", "*", "*", "*") not in shown  # 9 men: below k
    assert shown[("FEMALE", "*", "*", "*")].number_of_donors == 10  # 14 → 10


def test_collection_sizes_exact_and_public(facts):
    big, small = facts
    assert collection_sizes([big.pk, small.pk], exact=True) == {big.pk: (30, 23), small.pk: (4, 4)}
    # public: obfuscated, and the small collection (4 donors) has no publishable size
    assert collection_sizes([big.pk, small.pk], exact=False) == {big.pk: (30, 20)}
    assert collection_sizes([], exact=False) == {}
