"""Collections of the catalog page tests (tests/catalog/test_views.py), as on the other page tests (tests/web/)."""

from __future__ import annotations

import pytest

from tests.catalog.factories import make_collection


@pytest.fixture
def collection_a(biobank_a):
    return make_collection(biobank_a, code="breast-2019", name="Breast cancer 2019", description="Tumour and blood.")


@pytest.fixture
def collection_b(biobank_b):
    return make_collection(biobank_b, code="liver", name="Liver cohort")


@pytest.fixture
def catalogue(db):
    """A small public catalogue: two published biobanks (DE, AT) and their collections, a draft, a withdrawn one,
    a sub-collection, and facts (one total under k donors)."""
    from types import SimpleNamespace

    from catalog import services
    from tests.accounts.factories import make_biobank
    from tests.catalog.factories import make_fact, make_public_profile, make_published_collection

    de = make_biobank(code="bb-de", name="Rhine Biobank", country="DE")
    at = make_biobank(code="bb-at", name="Danube Biobank", country="AT")
    make_public_profile(de, quality=[("iso-9001", "accredited")])
    make_public_profile(at, quality=[("iso-9001", "eric"), ("ISO-20387-2018", "accredited")])
    crc = make_published_collection(
        de, "crc", "Colorectal tumours", description="Fresh-frozen resections of colorectal cancer.",
        materials=["PLASMA", "TISSUE_FROZEN"], diseases=["C18"], age_low=18, age_high=90,
        storage_temperatures=["temperatureLN"], data_use=["DUO:0000042"], collection_types=["DISEASE_SPECIFIC"],
        data_categories=["BIOLOGICAL_SAMPLES"],
    )  # fmt: skip
    rectum = make_published_collection(
        de, "rectum", "Rectal tumours", parent=crc, materials=["TISSUE_FROZEN"], diseases=["C20"], age_low=18,
        age_high=90,
    )  # fmt: skip
    serum = make_published_collection(
        de, "ibd-kids", "Paediatric IBD serum", materials=["SERUM", "PLASMA"], diseases=["K50"], age_low=6,
        age_high=16, data_categories=["BIOLOGICAL_SAMPLES", "SURVEY_DATA"],
    )  # fmt: skip
    infants = make_published_collection(
        at, "infants", "Infant cohort", materials=["SERUM"], age_low=1, age_high=18, age_unit="MONTH", sex=["MALE"]
    )
    leuk = make_published_collection(
        at, "leuk", "Leukaemia", materials=["DNA"], diseases=["C91"], age_low=0, age_high=90
    )
    draft = make_published_collection(de, "draft", "Hidden colorectal draft", publish=False, diseases=["C18"])
    gone = make_published_collection(de, "gone", "Withdrawn colorectal", diseases=["C18"])
    services.collection_describe(actor=None, collection=gone, withdrawn=True)
    make_fact(crc, 137, 40)
    make_fact(crc, 80, 25, sex="FEMALE")
    make_fact(crc, 57, 15, sex="MALE")
    make_fact(crc, 7, 3, material_type="PLASMA")
    make_fact(serum, 8, 4)  # fewer than k donors: not published
    make_fact(leuk, 1234, 300)
    make_fact(rectum, 44, 12)
    return SimpleNamespace(
        de=de, at=at, crc=crc, rectum=rectum, serum=serum, infants=infants, leuk=leuk, draft=draft, gone=gone
    )
