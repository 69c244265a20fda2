"""MIABIS Core 3.0 JSON: the published catalogue under MIABIS 3.0 attribute names, with MIABIS 3 labels.

Codes of the Directory's lists are given as stored and, where MIABIS 3.0 has its own list, with the MIABIS 3 label
from the crosswalk (``catalog/data/crosswalks.json``): ``{"code": "PLASMA", "miabis3": "Plasma"}``. The records are
those of the Directory export (published only).
"""

from __future__ import annotations

from typing import Any

from biobank.accounts.models import Biobank

from .. import vocabularies as v
from ..models import BiobankProfile, Collection, Network, Person, PublicationState


def _labelled(codes: list[str], walk: str) -> list[dict[str, str]]:
    table = v.crosswalks()[walk]
    return [{"code": code, "miabis3": (table.get(code) or {}).get("miabis3", code)} for code in codes]


def _person(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "ID": p.bbmri_id, "First name": p.first_name, "Last name": p.last_name, "Email": p.email,
        "Phone": p.phone, "Address": p.address, "Zip": p.zip, "City": p.city, "Country": p.country, "Role": p.role,
    }  # fmt: skip


def _biobank(p: BiobankProfile) -> dict[str, Any]:
    return {
        "ID": p.bbmri_id, "Acronym": p.acronym, "Name": p.biobank.name, "URL": p.url,
        "Juristic Person": p.juristic_person, "Country": p.biobank.country, "Contact Information": _person(p.contact),
        "Description": p.description, "Infrastructural capabilities": p.infrastructural_capabilities,
        "Organisational capabilities": p.organisational_capabilities,
        "Bioprocessing and analytical capabilities": p.bioprocessing_capabilities,
        "Quality Management standard": [
            {"standard": q.standard, "assessment_level": q.assessment_level} for q in p.quality_standards.all()
        ],
    }  # fmt: skip


def _collection(c: Collection) -> dict[str, Any]:
    unit = v.crosswalks()["directory_age_unit_to_miabis3"].get(c.age_unit, c.age_unit) if c.age_unit else ""
    return {
        "ID": c.bbmri_id, "Acronym": c.acronym, "Name": c.name, "URL": c.url,
        "Contact Information": _person(c.contact), "Description": c.description, "Sample source": c.sample_source,
        "Sex": _labelled(c.sex, "directory_sex_to_miabis"), "Age Low": c.age_low, "Age High": c.age_high,
        "Age Low Unit": unit, "Age High Unit": unit, "Dataset type": c.dataset_types,
        "Sample type": _labelled(c.materials, "directory_material_to_miabis"),
        "Storage temperature": _labelled(c.storage_temperatures, "directory_storage_to_miabis"),
        "Disease": [{"code": d, "label": v.disease_label(d)} for d in c.diseases],
        "Sample collection setting": c.collection_settings, "Collection design": c.collection_designs,
        "Use & Access conditions": c.use_access_conditions, "Collection status": c.status,
        "Total number of subjects": c.number_of_subjects, "Inclusion criteria": c.inclusion_criteria,
        "Publications": c.publications,
        # links the MIABIS attribute list leaves to the model: biobank, parent collection, DUO terms
        "Biobank": c.biobank.profile.bbmri_id, "Parent collection": c.parent.bbmri_id if c.parent else None,
        "Data use (DUO)": c.data_use,
    }  # fmt: skip


def _network(n: Network) -> dict[str, Any]:
    return {
        "ID": n.bbmri_id, "Acronym": n.acronym, "Name": n.name, "URL": n.url, "Juristic person": n.juristic_person,
        "Country": n.countries, "Contact information": _person(n.contact), "Description": n.description,
        "Network status": n.status,
        "Network members": sorted(
            BiobankProfile.objects.filter(biobank__in=n.member_biobanks.all()).values_list("bbmri_id", flat=True)
        ),
        "Common collaboration topics": n.collaboration_topics, "Network type": n.network_types,
    }  # fmt: skip


def miabis_document(*, biobank: Biobank | None = None) -> dict[str, Any]:
    profiles = (
        BiobankProfile.objects.filter(state=PublicationState.PUBLISHED)
        .select_related("biobank", "contact")
        .prefetch_related("quality_standards")
        .order_by("bbmri_id")
    )
    if biobank is not None:
        profiles = profiles.filter(biobank=biobank)
    collections = (
        Collection.objects.filter(
            state=PublicationState.PUBLISHED, biobank__in=[p.biobank_id for p in profiles], bbmri_id__isnull=False
        )
        .select_related("biobank__profile", "parent", "contact")
        .order_by("bbmri_id")
    )
    networks = Network.objects.select_related("contact").prefetch_related("member_biobanks").order_by("bbmri_id")
    if biobank is not None:
        networks = networks.filter(member_biobanks=biobank)
    return {
        "standard": "MIABIS Core 3.0",
        "biobanks": [_biobank(p) for p in profiles],
        "collections": [_collection(c) for c in collections],
        "networks": [_network(n) for n in networks],
    }
