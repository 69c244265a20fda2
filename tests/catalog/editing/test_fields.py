"""The pickers' fields (catalog/editing/fields.py): the ICD-10 search and the list fields."""

from __future__ import annotations

from catalog.editing.fields import LinesField, search_diseases, split_codes


def test_the_search_finds_by_the_start_of_a_code_and_by_every_word_of_a_title():
    assert [t.code for t in search_diseases("c18.")][:2] == ["C18.0", "C18.1"]
    found = [t.code for t in search_diseases("neoplasm rectum")]
    assert "C20" in found and all(t.kind != "chapter" for t in search_diseases("neoplasm"))
    assert len(search_diseases("neoplasm")) == 25


def test_the_search_leaves_out_chosen_codes_and_needs_two_characters():
    assert "C20" not in [t.code for t in search_diseases("C20", exclude=frozenset({"C20"}))]
    assert search_diseases("c") == [] and search_diseases("  ") == []


def test_typed_codes_and_lines_are_split():
    assert split_codes("C18, C20;ORPHA:558\nE11 ") == ["C18", "C20", "ORPHA:558", "E11"]
    assert LinesField(required=False).clean("10.1/x\n\n  Smith 2020 ") == ["10.1/x", "Smith 2020"]
