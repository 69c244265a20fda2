"""The facts engine on inventories registered through the services: the star invariants, aliquots counted once,
a withdrawn donor's blocked specimens leaving the facts, sub-collections in their parent, the dirty queue."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from catalog.facts.engine import LOCK_KEY, mark_stale, recompute, recompute_all, recompute_dirty
from catalog.models import CollectionFact, FactsRecompute
from catalog.services import collection_describe
from consent import services as consent_services
from consent.models import WithdrawalPropagation
from consent.services.propagation import withdrawal_propagate
from specimens.services import AliquotPlan, specimen_derive, specimens_aliquot, specimens_consume
from tests.catalog.facts.inventory import ANY
from tests.specimens.factories import consented_donor, make_collection, make_specimen

pytestmark = pytest.mark.django_db
DIMENSIONS = ("sex", "age_range", "material_type", "disease")


def rows_of(collection) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    return {
        (f.sex, f.age_range, f.material_type, f.disease): (f.number_of_samples, f.number_of_donors)
        for f in CollectionFact.objects.filter(collection=collection)
    }


def total(collection) -> tuple[int, int]:
    return rows_of(collection)[(ANY, ANY, ANY, ANY)]


@pytest.fixture
def inventory(biobank_a):
    """12 donors; blood with plasma aliquots and a DNA derivative, serum; two collection times for some."""
    collection = make_collection(biobank_a, code="cohort")
    when = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    donors = []
    for number in range(12):
        donor = consented_donor(biobank_a)
        donor.sex = ("female", "male", "unknown")[number % 3]
        donor.birth_year, donor.birth_month = 1950 + 3 * number, (number % 12) + 1
        donor.save(update_fields=["sex", "birth_year", "birth_month"])
        donors.append(donor)
        blood = make_specimen(
            collection=collection,
            donor=donor,
            sample_type="BLD",
            quantity="9",
            facts={"collected_at": when},
            diagnosis="C18" if number % 2 else "",
        )
        plasma = specimen_derive(
            actor=None, parent=blood, sample_type="PL1", used_quantity="4", used_unit="mL", quantity="2", unit="mL"
        )
        specimens_aliquot(actor=None, parent=plasma, count=3, quantity="0.5", unit="mL")
        if number % 4 == 0:
            make_specimen(
                collection=collection,
                donor=donor,
                sample_type="SER",
                facts={"collected_at": when + timedelta(days=90)},
                aliquots=AliquotPlan(count=2, quantity=1, unit="mL"),
            )
    return collection, donors


def test_the_star_invariants_hold(inventory):
    collection, _donors = inventory
    recompute([collection.pk])
    rows = rows_of(collection)
    # exactly one all-* row, equal to the collection's totals: blood + plasma per donor, serum for every 4th donor
    assert [k for k in rows if k == (ANY, ANY, ANY, ANY)] == [(ANY, ANY, ANY, ANY)]
    assert total(collection) == (12 * 2 + 3, 12)
    for key, (samples, donors_) in rows.items():
        assert 0 < donors_ <= samples
        # every marginal: its samples are the sum over any one of its fixed dimensions' values, its donors at most
        for position, value in enumerate(key):
            if value == ANY:
                continue
            marginal = (*key[:position], ANY, *key[position + 1 :])
            rest = key[:position] + key[position + 1 :]
            parts = [v for k, v in rows.items() if k[position] != ANY and k[:position] + k[position + 1 :] == rest]
            assert sum(s for s, _ in parts) == rows[marginal][0]
            assert rows[marginal][1] <= sum(d for _, d in parts)


def test_marginal_donors_are_distinct_donors(inventory):
    collection, _donors = inventory
    recompute([collection.pk])
    rows = rows_of(collection)
    # every donor has blood and plasma: 12 donors per material, 12 in total, not 24 or 27
    assert rows[(ANY, ANY, "WHOLE_BLOOD", ANY)] == (12, 12)
    assert rows[(ANY, ANY, "PLASMA", ANY)] == (12, 12)
    assert rows[(ANY, ANY, "SERUM", ANY)] == (3, 3)
    assert rows[(ANY, ANY, ANY, "C18")] == (6 * 2, 6)  # odd donors: blood and plasma (the serum donors are even)
    by_sex = defaultdict(int)
    for (sex, age, material, disease), (_, d) in rows.items():
        if (age, material, disease) == (ANY, ANY, ANY) and sex != ANY:
            by_sex[sex] += d
    assert by_sex == {"FEMALE": 4, "MALE": 4, "UNKNOWN": 4}


def test_aliquots_of_one_sample_count_once(biobank_a):
    collection = make_collection(biobank_a)
    donor = consented_donor(biobank_a)
    when = timezone.now() - timedelta(days=3)
    make_specimen(
        collection=collection,
        donor=donor,
        facts={"collected_at": when},
        aliquots=AliquotPlan(count=10, quantity="0.1", unit="mL"),
    )
    recompute([collection.pk])
    assert total(collection) == (1, 1)


def test_a_withdrawn_donors_blocked_specimens_disappear_after_recompute(inventory):
    collection, donors = inventory
    recompute([collection.pk])
    before = total(collection)
    consent_services.donor_withdraw(
        actor=None, donor=donors[0], level="no_further_use", effective=timezone.localdate(), reason="Letter"
    )
    propagation = WithdrawalPropagation.objects.get(donor=donors[0])
    withdrawal_propagate(propagation_id=propagation.pk)  # what the task does after commit
    assert FactsRecompute.objects.filter(collection=collection).exists()  # marked by the propagation
    recompute_dirty()
    assert total(collection) == (before[0] - 3, 11)  # donor 0: blood, plasma and serum
    assert not FactsRecompute.objects.exists()


def test_consumed_material_is_not_counted(biobank_a):
    collection = make_collection(biobank_a)
    specimen = make_specimen(collection=collection, facts={"collected_at": timezone.now()})
    specimens_consume(actor=None, specimens=[specimen], reason="used in assay")
    recompute([collection.pk])
    assert rows_of(collection) == {(ANY, ANY, ANY, ANY): (0, 0)}


def test_a_collection_without_samples_has_one_zero_total_row(biobank_a):
    empty = make_collection(biobank_a)
    recompute([empty.pk])
    assert rows_of(empty) == {(ANY, ANY, ANY, ANY): (0, 0)}


def test_a_parent_counts_its_sub_collections(biobank_a):
    parent = make_collection(biobank_a, code="crc")
    child = make_collection(biobank_a, code="crc-rectum")
    collection_describe(actor=None, collection=child, parent=parent)
    donor = consented_donor(biobank_a)
    make_specimen(collection=parent, donor=donor, facts={"collected_at": timezone.now()})
    make_specimen(collection=child, donor=donor, sample_type="PL1", facts={"collected_at": timezone.now()})
    make_specimen(collection=child, facts={"collected_at": timezone.now()})
    recompute([child.pk])  # recomputing a sub-collection recomputes its parent too
    assert total(child) == (2, 2)
    assert total(parent) == (3, 2)  # the donor in both is one donor


def test_recompute_replaces_only_the_given_collections_rows(biobank_a):
    one, two = make_collection(biobank_a), make_collection(biobank_a)
    make_specimen(collection=one, facts={"collected_at": timezone.now()})
    recompute_all()
    untouched = list(CollectionFact.objects.filter(collection=two).values_list("pk", flat=True))
    make_specimen(collection=one, facts={"collected_at": timezone.now()})
    recompute([one.pk])
    assert total(one) == (2, 2)
    assert list(CollectionFact.objects.filter(collection=two).values_list("pk", flat=True)) == untouched


def test_recompute_dirty_clears_the_marks_it_saw_and_skips_when_another_run_holds_the_lock(biobank_a):
    collection = make_collection(biobank_a)
    make_specimen(collection=collection, facts={"collected_at": timezone.now()})
    assert FactsRecompute.objects.filter(collection=collection).exists()
    with connection.cursor() as cursor:
        # another session holding the lock: simulated with a second connection
        from django.db import connections

        other = connections.create_connection("default")
        try:
            with other.cursor() as held:
                held.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
                assert recompute_dirty() is None
                held.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        finally:
            other.close()
        cursor.execute("SELECT 1")
    assert recompute_dirty() == [collection.pk]
    assert not FactsRecompute.objects.exists()
    assert total(collection) == (1, 1)
    assert recompute_dirty() == []


def test_mark_stale_renews_a_mark(biobank_a):
    collection = make_collection(biobank_a)
    mark_stale([collection.pk])
    first = FactsRecompute.objects.get(collection=collection).requested_at
    mark_stale([collection.pk])
    assert FactsRecompute.objects.get(collection=collection).requested_at > first
