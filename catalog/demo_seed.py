"""The catalogue's part of ``seed_demo``: MIABIS descriptions of the demo network, biobanks and collections.

Registered from ``CatalogConfig.ready()`` with ``biobank.demo.register_demo_seeder``; the catalogue is the lowest
domain app, so its seeder runs first (the specimens seeder then fills the collections, and their facts follow from
the inventory). Idempotent: records whose code or ID exists are kept as they are.

Two things are left imperfect on purpose, so the data-quality panel has real findings on ``make run``: the
"COVID-19 patients" collection has no contact person, and "pop-followup" keeps a placeholder description.
"""

from __future__ import annotations

from typing import Any

from biobank.demo import DemoContext

from .models import BiobankProfile, Collection, Network, Person, PublicationState
from .services import (
    collection_create,
    collection_describe,
    collection_set_state,
    network_save,
    person_save,
    profile_save,
)

# biobank code -> (collection code, name, description)
COLLECTIONS = {
    "ukrm-biobank": [
        ("crc-tissue", "Colorectal cancer tissue", "Fresh-frozen tumour and normal mucosa from resections."),
        ("ibd-cohort", "Inflammatory bowel disease cohort", "Serum, plasma and biopsies at each visit."),
        ("covid-19", "COVID-19 patients", "Plasma, serum and swabs from hospitalised patients, 2020-2022."),
    ],
    "vienna-ccb": [
        ("breast-ffpe", "Breast cancer FFPE archive", "Formalin-fixed tissue blocks with pathology reports."),
        ("leukaemia", "Haematological malignancies", "Bone marrow and peripheral blood mononuclear cells."),
    ],
    "lowlands-pop": [
        ("pop-baseline", "Population cohort baseline", "Blood, urine and questionnaires of 40,000 adults."),
        ("pop-followup", "Population cohort five-year follow-up", "TBD"),
    ],
}
SUB_COLLECTIONS = {
    # biobank code -> (code, name, description, parent code)
    "ukrm-biobank": [
        ("crc-tissue-rectum", "Rectal cancer tissue", "Tumour and normal mucosa of rectal resections.", "crc-tissue"),
    ],
}

PROFILES: dict[str, dict[str, Any]] = {
    "ukrm-biobank": {
        "node": "DE",
        "acronym": "UKRM",
        "description": "Hospital-integrated biobank of the University Hospital Rhein-Main: tissue, blood and "
        "body fluids from patients of all clinics, with pseudonymised clinical data.",
        "url": "https://biobank.ukrm.example.org",
        "juristic_person": "Universitätsklinikum Rhein-Main AöR",
        "location": "Mainz",
        "infrastructural_capabilities": ["Sample storage", "Data storage"],
        "organisational_capabilities": ["Recontact with donors", "Facilitating clinical trials"],
        "bioprocessing_capabilities": ["Nucleic acid extraction", "Genomics"],
        "collaboration_non_for_profit": True,
        "collaboration_commercial": True,
        "quality_standards": [("ISO-20387-2018", "accredited"), ("iso-9001", "accredited")],
        "contact": ("Ines", "Brandtner", "biobank@ukrm.example.org"),
    },
    "vienna-ccb": {
        "node": "AT",
        "acronym": "CCB",
        "description": "Comprehensive Cancer Biobank Vienna: archival FFPE tissue and haematological samples "
        "with pathology and treatment data.",
        "url": "https://ccb.vienna.example.org",
        "juristic_person": "Medical University of Vienna",
        "location": "Vienna",
        "infrastructural_capabilities": ["Sample storage"],
        "organisational_capabilities": ["Setting up prospective collections"],
        "bioprocessing_capabilities": ["Histology"],
        "collaboration_non_for_profit": True,
        "collaboration_commercial": False,
        "quality_standards": [("iso-9001", "eric")],
        "contact": ("Verena", "Weidinger", "ccb@vienna.example.org"),
    },
    "lowlands-pop": {
        "node": "NL",
        "acronym": "LLP",
        "description": "Lowlands population cohort: a prospective cohort of 40,000 adults with repeat sampling "
        "every five years and questionnaires on lifestyle and health.",
        "url": "https://lowlands.example.org",
        "juristic_person": "Lowlands Cohort Foundation",
        "location": "Utrecht",
        "infrastructural_capabilities": ["Sample storage", "Data storage"],
        "organisational_capabilities": ["Recontact with donors"],
        "bioprocessing_capabilities": ["Biochemical analyses"],
        "collaboration_non_for_profit": True,
        "collaboration_commercial": True,
        "quality_standards": [],
        "contact": ("Sanne", "de Vries", "data@lowlands.example.org"),
    },
}

# collection code -> description attributes (Directory / MIABIS 3 codes)
DESCRIPTIONS: dict[str, dict[str, Any]] = {
    "crc-tissue": {
        "materials": ["TISSUE_FROZEN", "TISSUE_PARAFFIN_EMBEDDED", "PLASMA", "DNA"],
        "storage_temperatures": ["temperature-60to-85", "temperatureLN", "temperatureRoom"],
        "diseases": ["C18", "C19", "C20"],
        "collection_types": ["DISEASE_SPECIFIC", "HOSPITAL"],
        "data_categories": ["BIOLOGICAL_SAMPLES", "MEDICAL_RECORDS"],
        "dataset_types": ["Clinical dataset", "Whole slide image"],
        "collection_settings": ["Routine health care setting"],
        "collection_designs": ["Case-control"],
        "data_use": ["DUO:0000006"],
        "use_access_conditions": ["Collaboration"],
        "age": (18, 95),
    },
    "crc-tissue-rectum": {
        "materials": ["TISSUE_FROZEN"],
        "storage_temperatures": ["temperatureLN"],
        "diseases": ["C20"],
        "collection_types": ["DISEASE_SPECIFIC"],
        "data_categories": ["BIOLOGICAL_SAMPLES"],
        "dataset_types": ["Clinical dataset"],
        "data_use": ["DUO:0000006"],
        "age": (18, 95),
    },
    "ibd-cohort": {
        "materials": ["SERUM", "PLASMA", "TISSUE_FROZEN"],
        "storage_temperatures": ["temperature-60to-85"],
        "diseases": ["K50", "K51"],
        "collection_types": ["LONGITUDINAL", "DISEASE_SPECIFIC"],
        "data_categories": ["BIOLOGICAL_SAMPLES", "MEDICAL_RECORDS", "SURVEY_DATA"],
        "dataset_types": ["Clinical dataset", "Lifestyle dataset"],
        "collection_designs": ["Longitudinal cohort"],
        "data_use": ["DUO:0000007"],
        "age": (16, 80),
    },
    "covid-19": {
        "materials": ["PLASMA", "SERUM", "NASAL_SWAB"],
        "storage_temperatures": ["temperature-60to-85"],
        "diseases": ["U07.1"],
        "collection_types": ["DISEASE_SPECIFIC", "HOSPITAL"],
        "data_categories": ["BIOLOGICAL_SAMPLES", "MEDICAL_RECORDS"],
        "dataset_types": ["Clinical dataset"],
        "data_use": ["DUO:0000042"],
        "age": (18, 100),
        "no_contact": True,
    },
    "breast-ffpe": {
        "materials": ["TISSUE_PARAFFIN_EMBEDDED", "TISSUE_STAINED"],
        "storage_temperatures": ["temperatureRoom"],
        "diseases": ["C50"],
        "collection_types": ["DISEASE_SPECIFIC", "HOSPITAL"],
        "data_categories": ["BIOLOGICAL_SAMPLES", "IMAGING_DATA", "MEDICAL_RECORDS"],
        "dataset_types": ["Clinical dataset", "Whole slide image"],
        "data_use": ["DUO:0000006"],
        "age": (20, 90),
    },
    "leukaemia": {
        "materials": ["PERIPHERAL_BLOOD_CELLS", "DNA", "WHOLE_BLOOD"],
        "storage_temperatures": ["temperatureLN", "temperature-60to-85"],
        "diseases": ["C91", "C92"],
        "collection_types": ["DISEASE_SPECIFIC"],
        "data_categories": ["BIOLOGICAL_SAMPLES", "MEDICAL_RECORDS"],
        "dataset_types": ["Clinical dataset", "Genomic dataset"],
        "data_use": ["DUO:0000006"],
        "age": (0, 90),
    },
    "pop-baseline": {
        "materials": ["WHOLE_BLOOD", "SERUM", "URINE", "DNA"],
        "storage_temperatures": ["temperature-60to-85", "temperature-18to-35"],
        "diseases": [],
        "collection_types": ["POPULATION_BASED", "COHORT"],
        "data_categories": ["BIOLOGICAL_SAMPLES", "SURVEY_DATA", "PHYSIOLOGICAL_BIOCHEMICAL_MEASUREMENTS"],
        "dataset_types": ["Lifestyle dataset", "Physiological dataset"],
        "collection_designs": ["Population-based cohort"],
        "data_use": ["DUO:0000042"],
        "age": (18, 75),
    },
    "pop-followup": {
        "materials": ["SERUM", "URINE"],
        "storage_temperatures": ["temperature-60to-85"],
        "diseases": [],
        "collection_types": ["POPULATION_BASED", "LONGITUDINAL"],
        "data_categories": ["BIOLOGICAL_SAMPLES", "SURVEY_DATA"],
        "dataset_types": ["Lifestyle dataset"],
        "data_use": ["DUO:0000042"],
        "age": (23, 80),
    },
}
NETWORK_ID = "bbmri-eric:networkID:EU_cebn"


def _person(biobank: Any, node: str, first: str, last: str, email: str) -> Person:
    pid = f"bbmri-eric:contactID:{node}_{biobank.code}"
    return Person.objects.filter(bbmri_id=pid).first() or person_save(
        actor=None, biobank=biobank, bbmri_id=pid, first_name=first, last_name=last, email=email, country=node
    )


def _describe(biobank: Any, profile: BiobankProfile, collection: Collection, contact: Person) -> None:
    spec = DESCRIPTIONS.get(collection.code)
    if spec is None or collection.bbmri_id:
        return
    spec = dict(spec)
    low, high = spec.pop("age")
    no_contact = spec.pop("no_contact", False)
    collection_describe(
        actor=None,
        collection=collection,
        bbmri_id=f"{profile.bbmri_id}:collection:{collection.code}",
        contact=None if no_contact else contact,
        country=biobank.country,
        sex=["FEMALE", "MALE"],
        age_low=low,
        age_high=high,
        age_unit="YEAR",
        sample_source="Human",
        status="Active",
        **spec,
    )
    if not no_contact:
        collection_set_state(actor=None, collection=collection, state=PublicationState.PUBLISHED)


def seed(context: DemoContext) -> None:
    for biobank_code, collections in COLLECTIONS.items():
        biobank = context.biobanks.get(biobank_code)
        if biobank is None:
            continue
        existing = set(Collection.objects.filter(biobank=biobank).values_list("code", flat=True))
        for code, name, description in collections:
            if code not in existing:
                collection_create(actor=None, biobank=biobank, code=code, name=name, description=description)
        for code, name, description, parent_code in SUB_COLLECTIONS.get(biobank_code, []):
            if code not in existing:
                child = collection_create(actor=None, biobank=biobank, code=code, name=name, description=description)
                parent = Collection.objects.get(biobank=biobank, code=parent_code)
                collection_describe(actor=None, collection=child, parent=parent)
    profiles: dict[str, BiobankProfile] = {}
    for biobank_code, spec in PROFILES.items():
        biobank = context.biobanks.get(biobank_code)
        if biobank is None:
            continue
        spec = dict(spec)
        node = spec.pop("node")
        first, last, email = spec.pop("contact")
        contact = _person(biobank, node, first, last, email)
        profile = BiobankProfile.objects.filter(biobank=biobank).first()
        if profile is None:
            profile = profile_save(
                actor=None,
                biobank=biobank,
                bbmri_id=f"bbmri-eric:ID:{node}_{biobank.code}",
                contact=contact,
                state=PublicationState.PUBLISHED,
                **spec,
            )
        profiles[biobank_code] = profile
        for collection in Collection.objects.filter(biobank=biobank).order_by("pk"):
            _describe(biobank, profile, collection, contact)
    if profiles and not Network.objects.filter(bbmri_id=NETWORK_ID).exists():
        first_profile = next(iter(profiles.values()))
        network_save(
            actor=None,
            bbmri_id=NETWORK_ID,
            name="Central European Biobank Network",
            acronym="CEBN",
            description="Hospital and population biobanks in Germany, Austria and the Netherlands sharing a "
            "common access policy and SOPs.",
            juristic_person="CEBN consortium",
            countries=["AT", "DE", "NL"],
            contact=first_profile.contact,
            status="Active",
            network_types=["Biobank network"],
            common_network_elements=["data_access_policy", "sops"],
            member_biobanks=[p.biobank for p in profiles.values()],
        )
