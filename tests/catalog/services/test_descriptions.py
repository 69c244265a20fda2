"""Saving MIABIS descriptions (catalog/services/descriptions.py): all problems at once, nothing half-written."""

import pytest

from biobank.audit.models import AuditOutbox
from biobank.errors import InvalidFields
from catalog import services
from catalog.choices import CatalogAuditAction
from catalog.models import BiobankProfile, Collection, Network, PublicationState
from tests.catalog.factories import describe_collection, make_collection, make_person, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def described(biobank_a):
    profile = make_profile(biobank_a)
    contact = make_person(biobank_a, "ada")
    collection = make_collection(biobank_a, code="crc", name="Colorectal cancer")
    return describe_collection(collection, profile, contact), profile, contact


def test_a_complete_description_is_stored_and_audited(described):
    collection, _, _ = described
    collection.refresh_from_db()
    assert collection.bbmri_id == "bbmri-eric:ID:DE_biobank-a:collection:crc"
    assert collection.materials == ["PLASMA", "SERUM"]
    event = AuditOutbox.objects.filter(action=CatalogAuditAction.COLLECTION_DESCRIBE).latest("pk")
    assert event.changes["materials"] == [[], ["PLASMA", "SERUM"]]


def test_every_bad_value_is_reported_at_once_and_nothing_is_written(described):
    collection, _, _ = described
    with pytest.raises(InvalidFields) as error:
        services.collection_describe(
            actor=None,
            collection=collection,
            materials=["PLASMA", "BLOOD"],
            sex=["M"],
            diseases=["C18", "X99.9"],
            age_low=70,
            age_high=20,
            data_use=["GRU"],
            bbmri_id="bbmri-eric:ID:DE_other:collection:crc",
        )
    errors = error.value.errors
    assert set(errors) == {"materials", "sex", "diseases", "age_low", "data_use", "bbmri_id"}
    assert "'BLOOD'" in errors["materials"][0] and "WHOLE_BLOOD" in errors["materials"][0]
    assert "70 to 20" in errors["age_low"][0]
    assert "must start with its biobank's ID" in errors["bbmri_id"][0]
    collection.refresh_from_db()
    assert collection.materials == ["PLASMA", "SERUM"] and collection.age_low == 18


def test_an_age_range_needs_its_unit_and_no_negative_ages(described):
    collection, _, _ = described
    with pytest.raises(InvalidFields) as error:
        services.collection_describe(actor=None, collection=collection, age_low=-1, age_unit="")
    assert set(error.value.errors) == {"age_low", "age_unit"}


def test_attributes_that_are_not_editable_are_refused(described):
    collection, _, _ = described
    with pytest.raises(InvalidFields, match="not a collection attribute"):
        services.collection_describe(actor=None, collection=collection, biobank_id=99)


def test_sub_collections_refuse_cycles_and_other_biobanks(described, biobank_b):
    parent, _, _ = described
    child = make_collection(parent.biobank, code="crc-rectum", name="Rectum")
    services.collection_describe(actor=None, collection=child, parent=parent)
    with pytest.raises(InvalidFields, match="is already part of"):
        services.collection_describe(actor=None, collection=parent, parent=child)
    with pytest.raises(InvalidFields, match="same biobank"):
        services.collection_describe(
            actor=None, collection=child, parent=make_collection(biobank_b, code="coll-x", name="X")
        )
    assert Collection.objects.get(pk=parent.pk).parent_id is None


def test_publishing_lists_what_miabis_still_requires(biobank_a):
    make_profile(biobank_a)
    bare = make_collection(biobank_a, code="bare", name="Bare")
    with pytest.raises(InvalidFields) as error:
        services.collection_set_state(actor=None, collection=bare, state=PublicationState.PUBLISHED)
    assert {"bbmri_id", "contact", "sex", "dataset_types", "materials"} <= set(error.value.errors)
    assert Collection.objects.get(pk=bare.pk).state == PublicationState.DRAFT
    with pytest.raises(InvalidFields, match="Unknown state"):
        services.collection_set_state(actor=None, collection=bare, state="public")


def test_publishing_a_complete_collection_is_audited(described):
    collection, _, _ = described
    services.collection_set_state(actor=None, collection=collection, state=PublicationState.PUBLISHED)
    assert Collection.objects.get(pk=collection.pk).state == PublicationState.PUBLISHED
    assert AuditOutbox.objects.filter(action=CatalogAuditAction.COLLECTION_PUBLISH).count() == 1


def test_a_biobank_profile_keeps_its_quality_standards_with_their_assessment(biobank_a):
    profile = make_profile(biobank_a, quality_standards=[("ISO-20387-2018", "accredited")])
    assert list(profile.quality_standards.values_list("standard", "assessment_level")) == [
        ("ISO-20387-2018", "accredited")
    ]
    with pytest.raises(InvalidFields) as error:
        services.profile_save(actor=None, biobank=biobank_a, quality_standards=[("ISO 9001", "gold")])
    assert "quality_standards" in error.value.errors
    with pytest.raises(InvalidFields) as error:
        services.profile_save(actor=None, biobank=biobank_a, bbmri_id="bbmri-eric:ID:de_x", description="")
    assert set(error.value.errors) == {"bbmri_id", "description"}
    assert BiobankProfile.objects.get(pk=profile.pk).bbmri_id == "bbmri-eric:ID:DE_biobank-a"


def test_a_network_with_members(biobank_a, biobank_b):
    contact = make_person(None, "net", country="EU")
    network = services.network_save(
        actor=None,
        bbmri_id="bbmri-eric:networkID:EU_net",
        name="Net",
        description="A network.",
        contact=contact,
        network_types=["Biobank network"],
        member_biobanks=[biobank_a, biobank_b],
    )
    assert sorted(network.member_biobanks.values_list("code", flat=True)) == ["biobank-a", "biobank-b"]
    with pytest.raises(InvalidFields, match="NetworkType"):
        services.network_save(actor=None, network=network, network_types=["Club"])
    assert Network.objects.get(pk=network.pk).network_types == ["Biobank network"]


def test_a_research_resource_links_collections(described):
    collection, _, contact = described
    resource = services.research_resource_save(
        actor=None,
        biobank=collection.biobank,
        bbmri_id="bbmri-eric:studyID:DE_crc",
        title="CRC study",
        contact=contact,
        collections=[collection],
    )
    assert list(resource.collections.all()) == [collection]
