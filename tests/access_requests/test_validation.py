"""The field rules: ORCID format and ISO 7064 MOD 11-2 check digit, material rows and structured criteria."""

from __future__ import annotations

import pytest

from access_requests.validation import criteria_clean, material_rows_clean, orcid_check_digit, orcid_problem


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0097", "0000-0002-1694-233X", "", "https://orcid.org/0000-0001-5109-3700"]
)
def test_valid_orcid_ids_pass(orcid):
    assert orcid_problem(orcid) is None


@pytest.mark.parametrize(
    ("orcid", "words"),
    [
        ("0000-0002-1825-0098", "check digit"),
        ("0000000218250097", "four groups"),
        ("0000-0002-1825-009", "four groups"),
    ],
)
def test_bad_orcid_ids_are_named(orcid, words):
    assert words in (orcid_problem(orcid) or "")


def test_the_check_digit_is_iso_7064_mod_11_2():
    assert orcid_check_digit("000000021825009") == "7"
    assert orcid_check_digit("000000021694233") == "X"


def test_material_rows_name_the_row():
    problems: dict = {}
    rows = material_rows_clean([{"material_type": "PLASMA", "amount": "1,5", "unit": "mL", "samples": "3"},
                                {"material_type": "X", "amount": "0", "unit": "mL"}], problems)  # fmt: skip
    assert rows[0] == {"material_type": "PLASMA", "amount": "1.5", "unit": "mL", "samples": 3}
    assert all("Material row 2" in message for message in problems["material"])


def test_criteria_refuse_unknown_keys_and_clean_prefixes():
    problems: dict = {}
    assert criteria_clean({"diagnoses": [" e11 ", "C50.9"]}, problems) == {"diagnoses": ["E11", "C50.9"]}
    criteria_clean({"colour": "blue"}, problems)
    assert "colour" in problems["criteria"][0]
