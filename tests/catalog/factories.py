"""Factories of the catalog app (catalog/): collections, built through the real service."""

from __future__ import annotations

from typing import Any

from biobank.accounts.models import Biobank
from catalog import services as catalog_services
from catalog.models import Collection


def make_collection(biobank: Biobank, code: str, name: str, description: str = "") -> Collection:
    return catalog_services.collection_create(
        actor=None, biobank=biobank, code=code, name=name, description=description
    )


def make_profile(biobank: Biobank, *, quality: list[tuple[str, str]] | None = None, published: bool = True) -> Any:
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
    """A described collection of a biobank that has a profile (``make_profile``), published unless told not."""
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
