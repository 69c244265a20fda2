"""The shipped vocabularies (catalog/vocabularies.py, catalog/data/): complete, with provenance, and checked."""

import json

import pytest
from django.core.exceptions import ValidationError

from catalog import vocabularies as v


def test_every_data_file_names_its_sources():
    for path in (v.VOCABULARIES_FILE, v.ICD10_FILE, v.CROSSWALKS_FILE):
        assert json.loads(path.read_text(encoding="utf-8"))["provenance"], path


def test_the_directory_lists_have_their_published_sizes():
    assert len(v.terms("Directory.MaterialTypes")) == 21  # 22 in the Directory with '*', which is no term here
    assert len(v.terms("Directory.SexTypes")) == 8
    assert len(v.terms("Directory.AgeRanges")) == 11
    assert len(v.terms("DUO")) == 23
    assert "*" not in v.terms("Directory.MaterialTypes")


def test_icd10_has_chapters_blocks_categories_and_subcategories():
    table = v.terms(v.ICD10)
    assert len(table) > 12000
    assert table["C18"].label == "Malignant neoplasm of colon"
    assert table["C18.0"].parent == "C18"
    assert v.icd10_chapter("C18.0") == v.icd10_chapter("C15-C26") == "chapter:II"
    assert v.icd10_chapter("ORPHA:558") == ""
    assert len(v.icd10_chapters()) == 22


@pytest.mark.parametrize("code", ["C18", "C18.0", "C15-C26", "U07.1", "ORPHA:558"])
def test_disease_codes_accepted(code):
    assert v.validate_diseases([code], field="diseases") == [code]


@pytest.mark.parametrize("code", ["C18.", "c18", "X99.9", "chapter:II", "ORPHA:", "ORPHA:0", "ORPHA:12a", "ICD:C18"])
def test_unknown_disease_codes_are_refused_with_the_allowed_forms(code):
    with pytest.raises(ValidationError) as error:
        v.validate_diseases([code], field="diseases")
    assert "ORPHA:<digits>" in error.value.message_dict["diseases"][0]


def test_unknown_list_codes_name_the_vocabulary_the_codes_and_the_allowed_ones():
    with pytest.raises(ValidationError) as error:
        v.validate_codes("Directory.MaterialTypes", ["PLASMA", "BLOOD", "plasma"], field="materials")
    message = error.value.message_dict["materials"][0]
    assert "'BLOOD'" in message and "'plasma'" in message and "'PLASMA'" not in message.split("allowed")[0]
    assert "WHOLE_BLOOD" in message  # the allowed codes are listed


def test_duplicates_are_dropped_in_order():
    assert v.validate_codes("Directory.SexTypes", ["MALE", "FEMALE", "MALE"], field="sex") == ["MALE", "FEMALE"]


def test_directory_spellings_convert_both_ways():
    assert v.directory_disease("C18.0") == "urn:miriam:icd:C18.0"
    assert v.directory_disease("ORPHA:558") == "ORPHA:558"
    assert v.disease_from_directory("urn:miriam:icd:C18.0") == "C18.0"
    assert v.duo_to_directory("DUO:0000042") == "DUO_0000042"
    assert v.duo_from_directory("DUO_0000042") == "DUO:0000042"
    directory_duo = set(v.terms("Directory.DataUseOntologies"))
    # The Directory's copy of DUO predates four terms of duo.json (CC, NPOA, NPU, NCU): the export must say so.
    missing = {v.duo_to_directory(code) for code in v.terms("DUO")} - directory_duo
    assert missing == {"DUO_0000043", "DUO_0000044", "DUO_0000045", "DUO_0000046"}


def test_labels_and_any():
    assert v.label("Directory.MaterialTypes", "TISSUE_FROZEN") == "Tissue (frozen)"
    assert v.label("Directory.MaterialTypes", "*") == "Any"
    assert v.disease_label("C18") == "C18 Malignant neoplasm of colon"


def test_the_crosswalks_cover_their_source_lists():
    walks = v.crosswalks()
    directory = set(v.terms("Directory.MaterialTypes"))
    assert set(walks["sample_type_v11_to_directory_material"].values()) <= directory
    assert set(walks["directory_material_to_miabis"]) == directory
    miabis3 = set(v.terms("MIABIS3.Collection.SampleType"))
    assert {row["miabis3"] for row in walks["directory_material_to_miabis"].values()} <= miabis3
    assert set(walks["directory_storage_to_miabis"]) == set(v.terms("Directory.StorageTemperatureTypes"))
    assert set(walks["directory_sex_to_miabis"]) == set(v.terms("Directory.SexTypes"))
