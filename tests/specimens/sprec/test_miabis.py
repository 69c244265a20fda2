"""SPREC to MIABIS: material types (with SNOMED CT) and storage temperatures, from the shipped data."""

from __future__ import annotations

import pytest

from specimens.sprec import SprecError, miabis_material_type, miabis_storage_temperature


def test_serum_is_the_miabis_material_type_serum_with_its_snomed_code():
    serum = miabis_material_type("SER")

    assert serum is not None
    assert (serum.material_type, serum.aggregated_v1_0, serum.snomed_ct) == ("Serum", "Serum", "119364003")


def test_a_sprec_type_without_a_mapping_row_has_none():
    assert miabis_material_type("PL1") is None
    assert miabis_material_type("nonsense") is None
    assert miabis_material_type("STL").material_type == "Faeces"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("letters", "code"),
    [("CFNOQ", "LN"), ("ADGJLS", "-60to-85"), ("BHKMTU", "-18to-35"), ("R", "RT"), ("EIVW", "Other")],
)
def test_the_storage_letters_map_as_the_standards_say(letters, code):
    for letter in letters:
        assert miabis_storage_temperature(letter).code == code  # type: ignore[union-attr]


def test_ultra_low_letters_carry_the_miabis_3_label():
    assert miabis_storage_temperature("E").miabis3 == "<-135 °C"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("letter", "recorded", "code"),
    [("P", 20, "RT"), ("P", 4, "2to10"), ("P", 28.4, "RT"), ("Y", -80, "-60to-85"), ("Y", -20, "-18to-35")],
)
def test_p_and_y_need_the_recorded_temperature(letter, recorded, code):
    assert miabis_storage_temperature(letter, recorded).code == code  # type: ignore[union-attr]


@pytest.mark.parametrize(("letter", "recorded"), [("P", None), ("Y", None), ("P", -20), ("Y", -50), ("Q!", None)])
def test_an_undecidable_or_unknown_letter_is_an_error(letter, recorded):
    with pytest.raises(SprecError):
        miabis_storage_temperature(letter, recorded)


def test_unknown_storage_is_none():
    assert miabis_storage_temperature("X") is None
