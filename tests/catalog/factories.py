"""Factories of the catalog app (catalog/): collections, profiles, persons, descriptions, via the real services."""

from __future__ import annotations

from typing import Any

from biobank.accounts.models import Biobank
from catalog import services as catalog_services
from catalog.models import BiobankProfile, Collection, Person, PublicationState


def make_collection(biobank: Biobank, code: str, name: str, description: str = "") -> Collection:
    return catalog_services.collection_create(
        actor=None, biobank=biobank, code=code, name=name, description=description
    )


def make_person(biobank: Biobank | None, local: str, *, country: str = "DE", email: str = "") -> Person:
    return catalog_services.person_save(
        actor=None,
        biobank=biobank,
        bbmri_id=f"bbmri-eric:contactID:{country}_{local}",
        first_name="Ada",
        last_name=local.title(),
        email=email or f"{local}@example.org",
        country=country,
    )


def make_profile(biobank: Biobank, *, node: str = "DE", **extra: Any) -> BiobankProfile:
    data: dict[str, Any] = {
        "bbmri_id": f"bbmri-eric:ID:{node}_{biobank.code}",
        "description": f"The {biobank.name}, a hospital biobank with tissue and blood.",
        "juristic_person": f"{biobank.name} Foundation",
        "state": PublicationState.PUBLISHED,
    }
    data.update(extra)
    return catalog_services.profile_save(actor=None, biobank=biobank, **data)


def describe_collection(collection: Collection, profile: BiobankProfile, contact: Person, **extra: Any) -> Collection:
    """A complete MIABIS description (everything publishing requires), changed by ``extra``."""
    data: dict[str, Any] = {
        "bbmri_id": f"{profile.bbmri_id}:collection:{collection.code}",
        "description": collection.description or f"{collection.name}: samples and data of the cohort.",
        "contact": contact,
        "sex": ["FEMALE", "MALE"],
        "dataset_types": ["Clinical dataset"],
        "materials": ["PLASMA", "SERUM"],
        "age_low": 18,
        "age_high": 90,
        "age_unit": "YEAR",
        "collection_types": ["DISEASE_SPECIFIC"],
        "data_categories": ["BIOLOGICAL_SAMPLES"],
    }
    data.update(extra)
    return catalog_services.collection_describe(actor=None, collection=collection, **data)


def make_contact(biobank: Biobank, local: str = "1", email: str = "contact@example.org") -> Person:
    node = biobank.country or "DE"
    return catalog_services.person_save(
        actor=None, biobank=biobank, bbmri_id=f"bbmri-eric:contactID:{node}_{biobank.code.replace('-', '')}_{local}",
        first_name="Clara", last_name=f"Contact {local}", email=email, country=node,
    )  # fmt: skip


def make_profile_for(biobank: Biobank, **data: Any) -> BiobankProfile:
    node = biobank.country or "DE"
    values = {
        "bbmri_id": f"bbmri-eric:ID:{node}_{biobank.code.replace('-', '')}", "juristic_person": "University",
        "description": "A hospital biobank of tumour tissue and blood for cancer research.",
        "state": PublicationState.PUBLISHED,
    } | data  # fmt: skip
    return catalog_services.profile_save(actor=None, biobank=biobank, **values)


def describe_for_publishing(collection: Collection, contact: Person | None, **data: Any) -> Collection:
    """Everything MIABIS requires to publish (the biobank needs a profile for the collection's ID)."""
    profile = BiobankProfile.objects.get(biobank=collection.biobank)
    values = {
        "bbmri_id": f"{profile.bbmri_id}:collection:{collection.code}", "contact": contact,
        "description": "Tumour tissue of patients operated on for cancer since 2015.",
        "sex": ["FEMALE", "MALE"], "dataset_types": ["Other"], "materials": ["TISSUE_FROZEN"],
    } | data  # fmt: skip
    return catalog_services.collection_describe(actor=None, collection=collection, **values)


def make_described_catalogue(biobank: Biobank, *, node: str = "DE", published: bool = True) -> dict:
    """A biobank profile with a contact, a network, a collection with a sub-collection (both described and
    published) and facts (a total row, marginals, one row under k = 10), all through the real services."""
    import datetime as dt

    from catalog.models import CollectionFact, PublicationState

    state = PublicationState.PUBLISHED if published else PublicationState.DRAFT
    contact = catalog_services.person_save(
        actor=None, bbmri_id=f"bbmri-eric:contactID:{node}_{biobank.code}", first_name="Ada", last_name="Lovelace",
        email=f"ada@{biobank.code}.example.org", country=node, city="Berlin",
    )  # fmt: skip
    profile = catalog_services.profile_save(
        actor=None, biobank=biobank, bbmri_id=f"bbmri-eric:ID:{node}_{biobank.code}", description="A biobank.",
        juristic_person="University Hospital", contact=contact, acronym="UH", url="https://example.org/",
        collaboration_commercial=True, collaboration_non_for_profit=False, state=state,
        infrastructural_capabilities=[],
    )  # fmt: skip
    network = catalog_services.network_save(
        actor=None, bbmri_id=f"bbmri-eric:networkID:EU_{biobank.code}", name="Network", description="Shared SOPs.",
        contact=contact, common_network_elements=["sops", "charter"], member_biobanks=[biobank],
    )  # fmt: skip
    main = make_collection(biobank, code="crc", name="Colorectal cancer", description="Tumour tissue.")
    sub = make_collection(biobank, code="crc-rectum", name="Rectum", description="Rectal tumours.")
    common = {
        "contact": contact, "sex": ["FEMALE", "MALE"], "dataset_types": ["Clinical dataset"],
        "materials": ["TISSUE_FROZEN", "DNA"], "storage_temperatures": ["temperatureLN"],
        "collection_types": ["DISEASE_SPECIFIC", "HOSPITAL"], "data_categories": ["BIOLOGICAL_SAMPLES"],
        "diseases": ["C18", "C18.0", "ORPHA:1234"], "data_use": ["DUO:0000042"], "age_low": 18, "age_high": 90,
        "age_unit": "YEAR", "country": node, "access_fee": ["samples"], "sops": ["sample_storage_sop"],
        "collaboration_commercial": False,
    }  # fmt: skip
    catalog_services.collection_describe(
        actor=None, collection=main, bbmri_id=f"{profile.bbmri_id}:collection:crc", **common
    )
    catalog_services.collection_describe(
        actor=None, collection=sub, bbmri_id=f"{profile.bbmri_id}:collection:crc-rectum", parent=main, **common
    )
    main.networks.set([network])
    if published:
        for collection in (main, sub):
            catalog_services.collection_set_state(actor=None, collection=collection, state=PublicationState.PUBLISHED)
    at = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    rows = [
        ("*", "*", "*", "*", 120, 40), ("FEMALE", "*", "*", "*", 70, 25), ("MALE", "*", "*", "*", 50, 15),
        ("*", "*", "TISSUE_FROZEN", "*", 80, 30), ("*", "*", "*", "C18.0", 60, 20), ("*", "*", "*", "", 60, 20),
        ("FEMALE", "Adult", "DNA", "C18.0", 5, 3),  # under k = 10: never exported
    ]  # fmt: skip
    CollectionFact.objects.bulk_create(
        CollectionFact(collection=main, sex=s, age_range=a, material_type=m, disease=d, number_of_samples=n,
                       number_of_donors=k, computed_at=at)
        for s, a, m, d, n, k in rows
    )  # fmt: skip
    return {"profile": profile, "contact": contact, "network": network, "main": main, "sub": sub}


def make_public_profile(
    biobank: Biobank, *, quality: list[tuple[str, str]] | None = None, published: bool = True
) -> Any:
    """A MIABIS description of ``biobank`` (published by default), with a contact person, through the services."""
    contact = catalog_services.person_save(
        actor=None,
        biobank=biobank,
        bbmri_id=f"bbmri-eric:contactID:{biobank.country}_{biobank.code}",
        first_name="Ada",
        last_name=biobank.name,
        email=f"contact@{biobank.code}.example.org",
        country=biobank.country,
    )
    return catalog_services.profile_save(
        actor=None,
        biobank=biobank,
        bbmri_id=f"bbmri-eric:ID:{biobank.country}_{biobank.code}",
        description=f"{biobank.name}, a test biobank.",
        juristic_person=f"{biobank.name} foundation",
        contact=contact,
        state="published" if published else "draft",
        quality_standards=quality or [],
    )


def make_published_collection(
    biobank: Biobank, code: str, name: str, *, publish: bool = True, **attributes: Any
) -> Collection:
    """A described collection of a biobank that has a profile (``make_public_profile``), published unless told not."""
    from catalog.models import BiobankProfile

    profile = BiobankProfile.objects.select_related("contact").get(biobank=biobank)
    collection = catalog_services.collection_create(
        actor=None, biobank=biobank, code=code, name=name, description=attributes.pop("description", f"{name}.")
    )
    described = {
        "bbmri_id": f"{profile.bbmri_id}:collection:{code}",
        "contact": profile.contact,
        "sex": ["FEMALE", "MALE"],
        "dataset_types": ["Clinical dataset"],
        "materials": ["PLASMA"],
        "age_unit": "YEAR",
    } | attributes
    collection = catalog_services.collection_describe(actor=None, collection=collection, **described)
    if publish:
        collection = catalog_services.collection_set_state(actor=None, collection=collection, state="published")
    return collection


def make_fact(collection: Collection, samples: int, donors: int, **dimensions: str) -> Any:
    """One facts row (``*`` on every dimension not given): what the facts engine writes."""
    from django.utils import timezone

    from catalog.models import CollectionFact

    keys = {"sex": "*", "age_range": "*", "material_type": "*", "disease": "*"} | dimensions
    return CollectionFact.objects.create(
        collection=collection,
        number_of_samples=samples,
        number_of_donors=donors,
        computed_at=timezone.now(),
        **keys,
    )
