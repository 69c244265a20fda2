"""BBMRI-ERIC identifiers (catalog/identifiers.py): the Directory's patterns, with the boundaries spelled out."""

import pytest
from django.core.exceptions import ValidationError

from catalog import identifiers
from catalog.identifiers import BIOBANK, NETWORK, PERSON, STUDY, validate_collection_id, validate_id


@pytest.mark.parametrize(
    ("kind", "value", "node"),
    [
        (BIOBANK, "bbmri-eric:ID:DE_ukrm", "DE"),
        (BIOBANK, "bbmri-eric:ID:AT_MUG-1:sub", "AT"),
        (PERSON, "bbmri-eric:contactID:NL_42", "NL"),
        (NETWORK, "bbmri-eric:networkID:EU_bbmri-eric", "EU"),
        (STUDY, "bbmri-eric:studyID:DE_crc_2024", "DE"),
    ],
)
def test_valid_ids_give_their_national_node(kind, value, node):
    assert validate_id(kind, value) == node


@pytest.mark.parametrize(
    "value",
    [
        "",
        "bbmri-eric:ID:",
        "bbmri-eric:ID:DE",  # no local part
        "bbmri-eric:ID:DE_",  # empty local part
        "bbmri-eric:ID:de_ukrm",  # the node is upper case
        "bbmri-eric:ID:DEU_ukrm",  # two letters
        "bbmri-eric:ID:DE_uk rm",  # space
        "bbmri-eric:ID:DE_ukrm/1",  # slash
        "bbmri-eric:ID:DE_ükrm",  # non-ASCII letter
        "bbmri-eric:ID:DE_ukrm::x",  # double colon
        "bbmri-eric:contactID:DE_ukrm",  # another kind's prefix
        " bbmri-eric:ID:DE_ukrm",
        "bbmri-eric:ID:DE_ukrm\n",  # a trailing newline ("$" alone would let it through)
    ],
)
def test_malformed_biobank_ids_are_refused_with_the_pattern_and_allowed_characters(value):
    with pytest.raises(ValidationError) as error:
        validate_id(BIOBANK, value)
    message = error.value.messages[0]
    assert "bbmri-eric:ID:DE_ukrm" in message and "'::'" in message


def test_a_collection_id_starts_with_its_biobanks_id():
    assert validate_collection_id("bbmri-eric:ID:DE_ukrm:collection:crc", biobank_id="bbmri-eric:ID:DE_ukrm") == "crc"
    assert validate_collection_id("bbmri-eric:ID:DE_ukrm:collection:crc:2024") == "crc:2024"
    with pytest.raises(ValidationError, match="must start with its biobank's ID"):
        validate_collection_id("bbmri-eric:ID:DE_other:collection:crc", biobank_id="bbmri-eric:ID:DE_ukrm")


@pytest.mark.parametrize(
    "value",
    [
        "bbmri-eric:ID:DE_ukrm:collection:",  # no local part
        "bbmri-eric:ID:DE_ukrm:x:collection:crc",  # a colon in the biobank part
        "bbmri-eric:ID:DE_ukrm:crc",  # no ':collection:'
        "bbmri-eric:ID:DE_ukrm:collection:crc::1",
        "bbmri-eric:ID:DE_ukrm:collection:c r c",
        "bbmri-eric:ID:DE_ukrm:collection:crc\n",
    ],
)
def test_malformed_collection_ids_are_refused(value):
    with pytest.raises(ValidationError, match="not a valid BBMRI-ERIC collection ID"):
        validate_collection_id(value)


def test_model_validators_raise_validation_errors():
    identifiers.person_id_validator("bbmri-eric:contactID:DE_1")
    with pytest.raises(ValidationError):
        identifiers.network_id_validator("bbmri-eric:networkID:eu_x")
    with pytest.raises(ValidationError):
        identifiers.collection_id_validator("crc")
