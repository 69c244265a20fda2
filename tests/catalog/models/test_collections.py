"""The database's own rules on collections (catalog/models/collections.py, migration 0003)."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.catalog.factories import make_collection

pytestmark = pytest.mark.django_db


def test_the_database_refuses_an_age_range_with_low_above_high(biobank_a):
    collection = make_collection(biobank_a, code="coll-c", name="C")
    with pytest.raises(IntegrityError, match="collection_age_low_not_above_high"), transaction.atomic():
        type(collection).objects.filter(pk=collection.pk).update(age_low=50, age_high=10)


def test_the_database_refuses_a_sub_collection_cycle_written_behind_the_services_back(biobank_a):
    a = make_collection(biobank_a, code="coll-a", name="A")
    b = make_collection(biobank_a, code="coll-b", name="B")
    c = make_collection(biobank_a, code="coll-c", name="C")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_collection SET parent_id = %s WHERE id = %s", [a.pk, b.pk])
        cursor.execute("UPDATE catalog_collection SET parent_id = %s WHERE id = %s", [b.pk, c.pk])
        with pytest.raises(IntegrityError, match="cycle"), transaction.atomic():
            cursor.execute("UPDATE catalog_collection SET parent_id = %s WHERE id = %s", [c.pk, a.pk])
        with pytest.raises(IntegrityError, match=r"not_its_own_parent|cycle"), transaction.atomic():
            cursor.execute("UPDATE catalog_collection SET parent_id = id WHERE id = %s", [a.pk])


def test_the_database_refuses_a_parent_of_another_biobank(biobank_a, biobank_b):
    a = make_collection(biobank_a, code="coll-a", name="A")
    foreign = make_collection(biobank_b, code="coll-f", name="F")
    with (
        connection.cursor() as cursor,
        pytest.raises(IntegrityError, match="biobank of its parent"),
        transaction.atomic(),
    ):
        cursor.execute("UPDATE catalog_collection SET parent_id = %s WHERE id = %s", [foreign.pk, a.pk])


def test_the_stored_search_text_follows_the_collection_its_biobank_and_its_diseases(biobank_a):
    from catalog.models import Collection
    from catalog.vocabulary_loader import load_vocabularies

    load_vocabularies(force=True)
    collection = make_collection(biobank_a, code="coll-s", name="Sarcoma archive", description="Frozen tissue.")
    Collection.objects.filter(pk=collection.pk).update(diseases=["C18"])

    def found(words: str) -> bool:
        return Collection.objects.filter(pk=collection.pk, search_text=words).exists()

    assert found("sarcoma") and found("frozen") and found("colon") and found("C18")  # "colon": C18's label
    assert not found("melanoma")
    biobank_a.name = "Riverside Biobank"
    biobank_a.save(update_fields=["name"])
    assert found("riverside")
