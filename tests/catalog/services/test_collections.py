import pytest

from biobank.accounts.choices import Role
from biobank.errors import ConflictError, DomainError
from catalog import services
from catalog.models import Collection
from catalog.selectors import collections_visible_to
from tests.accounts.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_collection_code_is_unique_within_its_biobank(biobank_a, biobank_b):
    services.collection_create(actor=None, biobank=biobank_a, code="blood", name="Blood")
    services.collection_create(actor=None, biobank=biobank_b, code="blood", name="Blood")
    with pytest.raises(ConflictError, match="already has a collection with the code 'blood'"):
        services.collection_create(actor=None, biobank=biobank_a, code="blood", name="Blood again")
    assert Collection.objects.count() == 2


def test_a_malformed_code_says_what_is_allowed(biobank_a):
    with pytest.raises(DomainError, match="lowercase letters"):
        services.collection_create(actor=None, biobank=biobank_a, code="Blood Samples!", name="Blood")


def test_only_name_and_description_can_be_changed(biobank_a):
    collection = services.collection_create(actor=None, biobank=biobank_a, code="blood", name="Blood")
    services.collection_update(actor=None, collection=collection, name="Whole blood")
    assert Collection.objects.get(pk=collection.pk).name == "Whole blood"
    with pytest.raises(DomainError, match="cannot be changed"):
        services.collection_update(actor=None, collection=collection, code="other")


def test_members_see_their_biobanks_collections_and_outsiders_none(biobank_a, biobank_b, technician_a):
    services.collection_create(actor=None, biobank=biobank_a, code="blood", name="Blood")
    services.collection_create(actor=None, biobank=biobank_b, code="tissue", name="Tissue")
    assert [c.code for c in collections_visible_to(user=technician_a)] == ["blood"]
    steward = make_member(biobank_a, Role.IDENTITY_STEWARD)
    assert not collections_visible_to(user=steward).exists()  # stewards handle identities, not the catalogue


def test_a_collection_shared_one_by_one_is_visible_without_a_role(biobank_b):
    from guardian.shortcuts import assign_perm

    from tests.accounts.factories import UserFactory

    collection = services.collection_create(actor=None, biobank=biobank_b, code="tissue", name="Tissue")
    guest = UserFactory()
    assert not collections_visible_to(user=guest).exists()
    assign_perm("catalog.view_collection", guest, collection)
    assert list(collections_visible_to(user=guest)) == [collection]
