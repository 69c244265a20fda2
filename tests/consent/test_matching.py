"""The duplicate rule in isolation: folding, Jaro-Winkler, birth dates and the exact/near/different verdict."""

from __future__ import annotations

from datetime import date

import pytest

from consent.matching import NAME_THRESHOLD, Person, compare, date_relation, fold_name, jaro_winkler, name_score


def test_names_are_folded_without_accents_case_or_punctuation():
    assert fold_name("  Müller-Lüdenscheidt ") == "muller ludenscheidt"
    assert fold_name("O'Brien") == "obrien"
    assert fold_name("STRAßE") == "strasse"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("martha", "marhta", 0.9611), ("dwayne", "duane", 0.84), ("dixon", "dicksonx", 0.8133), ("same", "same", 1.0)],
)
def test_jaro_winkler_gives_the_published_reference_values(a, b, expected):
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=1e-4)


def test_a_typo_in_a_name_scores_above_the_threshold_and_another_person_below():
    assert name_score("Jane Marie", "Schmidt", "Jane Marie", "Schmitt") >= NAME_THRESHOLD
    assert name_score("Jane Marie", "Schmidt", "Jnae Marie", "Schmidt") >= NAME_THRESHOLD
    assert name_score("Jane Marie", "Schmidt", "Schmidt", "Jane Marie") == 1.0  # names entered the wrong way round
    assert name_score("Jane Marie", "Schmidt", "Peter", "Schulz") < NAME_THRESHOLD
    assert name_score("Anna", "Weber", "Anna", "Werner") < NAME_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        (date(1970, 3, 7), date(1970, 3, 7), "same"),
        (date(1970, 3, 7), date(1970, 7, 3), "transposed"),
        (date(1970, 3, 7), date(1970, 3, 8), "typo"),
        (date(1970, 3, 17), date(1970, 3, 11), "typo"),  # 17 → 11: one digit
        (date(1970, 3, 12), date(1970, 3, 21), "typo"),  # neighbours swapped
        (date(1970, 3, 7), date(1971, 4, 7), None),
        (date(1970, 3, 7), date(1985, 3, 7), None),
    ],
)
def test_birth_dates_are_related_by_equality_transposition_or_a_single_typo(a, b, relation):
    assert date_relation(a, b) == relation


JANE = Person("Jane", "Schmidt", date(1970, 3, 7), "MRN-1", "", "female")


def test_the_same_hospital_id_is_an_exact_match_whatever_the_rest():
    other = Person("Someone", "Else", date(1990, 1, 1), " mrn-1 ", "", "male")
    match = compare(JANE, other)
    assert match.kind == "exact" and match.reasons["hospital_id"] == "equal"


def test_the_same_name_and_birth_date_is_an_exact_match():
    assert compare(JANE, Person("JANE", "schmidt", date(1970, 3, 7))).kind == "exact"


def test_a_typo_or_a_transposed_date_is_a_near_match_with_reasons():
    match = compare(JANE, Person("Jane", "Schmitt", date(1970, 7, 3), "MRN-2"))
    assert match.kind == "near"
    assert match.reasons == {
        "hospital_id": "different",
        "national_id": "missing",
        "name": "similar",
        "date_of_birth": "transposed",
    }


def test_a_different_person_or_a_twin_of_the_other_sex_is_no_match():
    assert compare(JANE, Person("Peter", "Schulz", date(1970, 3, 7))) is None
    assert compare(JANE, Person("Jane", "Schmidt", date(1985, 3, 7))) is None
    assert compare(JANE, Person("Jan", "Schmidt", date(1970, 3, 7), sex="male")) is None
