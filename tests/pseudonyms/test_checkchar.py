"""The alphabet, the Damm quasigroup of order 32, and the messages a mistyped pseudonym gets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biobank.errors import DomainError
from biobank.pseudonyms import checkchar
from biobank.pseudonyms.checkchar import ALPHABET, LENGTH, TABLE, check_char, display, pseudonym_validate
from biobank.pseudonyms.engine import render

data_strings = st.text(alphabet=ALPHABET, min_size=checkchar.DATA_LENGTH, max_size=checkchar.DATA_LENGTH)
pseudonyms = data_strings.map(lambda data: data + check_char(data))


def test_the_alphabet_has_32_distinct_characters_without_the_ambiguous_ones():
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_the_table_is_a_quasigroup():
    for row in TABLE:
        assert sorted(row) == list(range(32))
    for column in range(32):
        assert sorted(TABLE[row][column] for row in range(32)) == list(range(32))


def test_the_table_is_totally_anti_symmetric():
    for c in range(32):
        for x in range(32):
            for y in range(32):
                if x != y:
                    assert TABLE[TABLE[c][x]][y] != TABLE[TABLE[c][y]][x]


@given(pseudonyms)
@settings(max_examples=300)
def test_the_check_character_catches_every_single_character_substitution(pseudonym):
    assert checkchar.is_valid(pseudonym)
    for position in range(LENGTH):
        for replacement in ALPHABET:
            if replacement != pseudonym[position]:
                typo = pseudonym[:position] + replacement + pseudonym[position + 1 :]
                assert not checkchar.is_valid(typo), (pseudonym, typo)


@given(pseudonyms)
@settings(max_examples=300)
def test_the_check_character_catches_every_adjacent_transposition_of_distinct_characters(pseudonym):
    for position in range(LENGTH - 1):
        a, b = pseudonym[position], pseudonym[position + 1]
        if a != b:
            swapped = pseudonym[:position] + b + a + pseudonym[position + 2 :]
            assert not checkchar.is_valid(swapped), (pseudonym, swapped)


@given(st.binary(min_size=32, max_size=32))
def test_the_table_driven_renderer_computes_the_damm_check_character(digest):
    rendered = render(digest)
    assert len(rendered) == LENGTH
    assert rendered[-1] == check_char(rendered[:-1])
    assert pseudonym_validate(rendered) == rendered


def test_it_accepts_lower_case_hyphens_spaces_and_reads_o_as_zero_and_i_l_as_one():
    canonical = "0123456789" + check_char("0123456789")
    typed = "o123 4-5678 9" + canonical[-1].lower()
    assert pseudonym_validate(typed) == canonical
    assert pseudonym_validate("OL23456789" + canonical[-1]) == canonical
    assert pseudonym_validate("0I23456789" + canonical[-1]) == canonical
    assert pseudonym_validate(display(canonical)) == canonical


def test_it_displays_pseudonyms_in_groups_of_five():
    assert display("ABCDEFGHJKM") == "ABCDE-FGHJK-M"


def test_a_mistyped_character_is_reported_as_a_check_character_mismatch():
    canonical = "ABCDEFGHJK" + check_char("ABCDEFGHJK")
    typo = "ABCDEFGHJX" + canonical[-1]
    with pytest.raises(DomainError, match="the check character does not match: probably a mistyped character") as info:
        pseudonym_validate(typo)
    assert info.value.field == "pseudonym"
    assert info.value.code == "check_character"


def test_characters_outside_the_alphabet_are_named():
    with pytest.raises(DomainError, match=r"contains characters outside the alphabet: \* U") as info:
        pseudonym_validate("ABCDU-FGHJK-*")
    assert info.value.code == "alphabet"


def test_a_wrong_length_says_how_many_characters_were_given():
    with pytest.raises(DomainError, match="must be 11 characters, got 9"):
        pseudonym_validate("ABCDE-FGHJ")


def test_an_empty_pseudonym_is_refused():
    with pytest.raises(DomainError, match="Enter a pseudonym"):
        pseudonym_validate("  ")
