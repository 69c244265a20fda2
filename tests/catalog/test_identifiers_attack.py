"""Adversarial tests of the pure catalogue rules against the MIABIS section of the standards (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from catalog.facts.privacy import K_ANONYMITY, obfuscate, publishable
from catalog.identifiers import BIOBANK, NETWORK, PERSON, STUDY, validate_collection_id, validate_id
from catalog.vocabularies import validate_codes, validate_diseases

NEWLINE_BUG = "regex uses '$', which also matches before a trailing newline, so 'ID\\n' is accepted"


# --- identifiers -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "node"),
    [
        (BIOBANK, "bbmri-eric:ID:DE_ukrm", "DE"),
        (BIOBANK, "bbmri-eric:ID:AT_a-b_c:d", "AT"),
        (PERSON, "bbmri-eric:contactID:DE_ukrm_1", "DE"),
        (NETWORK, "bbmri-eric:networkID:EU_cebn", "EU"),
        (NETWORK, "bbmri-eric:networkID:DE_x", "DE"),
        (STUDY, "bbmri-eric:studyID:DE_ukrm_crc", "DE"),
        (BIOBANK, "bbmri-eric:ID:DE_" + "a" * 5000, "DE"),
    ],
)
def test_valid_ids(kind, value, node):
    assert validate_id(kind, value) == node


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (BIOBANK, ""),
        (BIOBANK, None),
        (BIOBANK, "bbmri-eric:ID:DE_"),  # empty local part
        (BIOBANK, "bbmri-eric:ID:DE"),
        (BIOBANK, "bbmri-eric:ID:de_ukrm"),  # lower-case node
        (BIOBANK, "bbmri-eric:ID:DEU_ukrm"),  # 3-letter node
        (BIOBANK, "bbmri-eric:ID:D_ukrm"),
        (BIOBANK, "bbmri-eric:ID:DE_a::b"),
        (BIOBANK, "bbmri-eric:ID:DE_ukrm::"),
        (BIOBANK, "bbmri-eric:ID:DE_ükrm"),  # non-ASCII
        (BIOBANK, "bbmri-eric:ID:DE_ukrm\u0661"),  # Arabic-Indic digit
        (BIOBANK, "bbmri-eric:ID:DE_uk rm"),
        (BIOBANK, " bbmri-eric:ID:DE_ukrm"),
        (BIOBANK, "bbmri-eric:ID:DE_ukrm "),
        (BIOBANK, "bbmri-eric:ID:DE_ukrm\t"),
        (BIOBANK, "BBMRI-ERIC:ID:DE_ukrm"),
        (BIOBANK, "bbmri-eric:contactID:DE_ukrm"),  # wrong kind
        (PERSON, "bbmri-eric:ID:DE_ukrm"),
        (NETWORK, "bbmri-eric:networkID:eu_cebn"),
        (NETWORK, "bbmri-eric:networkID:EUR_cebn"),
        (STUDY, "bbmri-eric:studyID:DE_a.b"),
        (STUDY, "bbmri-eric:studyID:DE_a/b"),
    ],
)
def test_invalid_ids(kind, value):
    with pytest.raises(ValidationError):
        validate_id(kind, value)


@pytest.mark.parametrize("kind", [BIOBANK, PERSON, NETWORK, STUDY])
def test_id_with_trailing_newline_refused(kind):
    value = {
        BIOBANK: "bbmri-eric:ID:DE_x",
        PERSON: "bbmri-eric:contactID:DE_x",
        NETWORK: "bbmri-eric:networkID:EU_x",
        STUDY: "bbmri-eric:studyID:DE_x",
    }[kind]
    with pytest.raises(ValidationError):
        validate_id(kind, value + "\n")


def test_collection_id_valid():
    assert validate_collection_id("bbmri-eric:ID:DE_ukrm:collection:crc") == "crc"
    assert (
        validate_collection_id("bbmri-eric:ID:DE_ukrm:collection:crc:sub-1", biobank_id="bbmri-eric:ID:DE_ukrm")
        == "crc:sub-1"
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        "bbmri-eric:ID:DE_ukrm:collection:",  # empty local part
        "bbmri-eric:ID:DE_ukrm:collection::x",
        "bbmri-eric:ID:DE_ukrm:collection:a::b",
        "bbmri-eric:ID:de_ukrm:collection:crc",
        "bbmri-eric:ID:DEU_ukrm:collection:crc",
        "bbmri-eric:ID:DE_:collection:crc",
        "bbmri-eric:ID:DE_ukrm:collection:crç",
        "bbmri-eric:ID:DE_ukrm:collection:c rc",
        "bbmri-eric:ID:DE_ukrm:Collection:crc",
        "bbmri-eric:ID:DE_ukrm:collections:crc",
        "bbmri-eric:ID:DE_ukrm",
        " bbmri-eric:ID:DE_ukrm:collection:crc",
    ],
)
def test_collection_id_invalid(value):
    with pytest.raises(ValidationError):
        validate_collection_id(value)


def test_collection_id_trailing_newline_refused():
    with pytest.raises(ValidationError):
        validate_collection_id("bbmri-eric:ID:DE_ukrm:collection:crc\n")


def test_collection_id_wrong_biobank():
    with pytest.raises(ValidationError):
        validate_collection_id("bbmri-eric:ID:DE_ukrm:collection:crc", biobank_id="bbmri-eric:ID:DE_other")
    with pytest.raises(ValidationError):  # prefix of the right biobank is not enough
        validate_collection_id("bbmri-eric:ID:DE_ukrm2:collection:crc", biobank_id="bbmri-eric:ID:DE_ukrm")


def test_collection_id_trailing_colon_behaviour():
    # Observed: a trailing ':' in the local part is accepted (the standard only forbids '::').
    assert validate_collection_id("bbmri-eric:ID:DE_ukrm:collection:crc:") == "crc:"


def test_biobank_id_that_looks_like_a_collection_is_accepted():
    # Observed: a biobank ID may contain ':' and even ':collection:' -- ambiguous with collection IDs.
    assert validate_id(BIOBANK, "bbmri-eric:ID:DE_a:collection:b") == "DE"


# --- privacy ---------------------------------------------------------------------------------------------------------


def test_k_is_ten():
    assert K_ANONYMITY == 10


@pytest.mark.parametrize(("donors", "ok"), [(0, True), (1, False), (9, False), (10, True), (11, True), (10**9, True)])
def test_publishable(donors, ok):
    assert publishable(donors) is ok


def test_negative_donors_not_publishable():
    assert publishable(-1) is False


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, 0),
        (1, 10),
        (5, 10),
        (9, 10),
        (10, 10),
        (14, 10),
        (15, 20),
        (16, 20),
        (24, 20),
        (25, 30),
        (94, 90),
        (95, 100),
        (1004, 1000),
        (1005, 1010),
    ],
)
def test_obfuscate(count, shown):
    assert obfuscate(count) == shown


def test_obfuscate_is_deterministic():
    assert {obfuscate(37) for _ in range(50)} == {40}


def test_obfuscate_negative_is_zero():
    assert obfuscate(-1) == 0
    assert obfuscate(-100) == 0


# --- vocabularies ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["C18", "C18.0", "C15-C26", "ORPHA:558", "ORPHA:1", "ORPHA:9999999"])
def test_valid_diseases(code):
    assert validate_diseases([code], field="diseases") == [code]


@pytest.mark.parametrize(
    "code",
    [
        "ORPHA:0",
        "orpha:1",
        "ORPHA:",
        "ORPHA:01",
        "ORPHA:12345678",
        "ORPHA: 1",
        "ORPHA:1a",
        "c18",
        "C18.",
        "C99.9",
        "Z99.99",
        "C15-C27",
        "chapter:II",
        "urn:miriam:icd:C18",
        "C18,C19",
        "C\uff11\uff18",
    ],
)
def test_invalid_diseases(code):
    with pytest.raises(ValidationError):
        validate_diseases([code], field="diseases")


@pytest.mark.parametrize(
    ("raw", "clean"), [(" C18", "C18"), ("C18 ", "C18"), ("C18.0\n", "C18.0"), ("ORPHA:558\n", "ORPHA:558")]
)
def test_disease_whitespace_is_normalised_not_kept(raw, clean):
    # Observed: surrounding whitespace is stripped and the clean code returned (never stored with whitespace).
    assert validate_diseases([raw], field="diseases") == [clean]


def test_diseases_duplicates_after_strip():
    assert validate_diseases(["C18", " C18"], field="d") == ["C18"]


def test_diseases_blank_dropped():
    assert validate_diseases(["", "  "], field="d") == []


def test_validate_codes():
    assert validate_codes("Directory.MaterialTypes", ["DNA", "RNA", "DNA"], field="m") == ["DNA", "RNA"]
    for bad in ["dna", " DNA", "DNA\n", "", "DNA,RNA"]:
        with pytest.raises(ValidationError):
            validate_codes("Directory.MaterialTypes", [bad], field="m")
