"""The catalogue's part of ``seed_demo``: a few collections per demo biobank.

Registered from ``CatalogConfig.ready()`` with ``biobank.demo.register_demo_seeder``; the catalogue is the lowest
domain app, so its seeder runs first. Idempotent: a collection whose code exists is kept as it is.
"""

from __future__ import annotations

from biobank.demo import DemoContext

from .models import Collection
from .services import collection_create

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
        ("pop-followup", "Population cohort five-year follow-up", "Repeat sampling of the baseline cohort."),
    ],
}


def seed(context: DemoContext) -> None:
    for biobank_code, collections in COLLECTIONS.items():
        biobank = context.biobanks.get(biobank_code)
        if biobank is None:
            continue
        existing = set(Collection.objects.filter(biobank=biobank).values_list("code", flat=True))
        for code, name, description in collections:
            if code not in existing:
                collection_create(actor=None, biobank=biobank, code=code, name=name, description=description)
