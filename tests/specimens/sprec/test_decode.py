"""Decoding: the seven elements with their meanings and evidence status; every invalid position reported."""

from __future__ import annotations

import pytest

from specimens.sprec import SprecError, decode


def errors_of(code, **kwargs):
    with pytest.raises(SprecError) as caught:
        decode(code, **kwargs)
    return caught.value.errors


def test_the_standards_example_decodes_to_serum_as_published():
    decoded = decode("SER-SST-A-B-N-A-E")

    assert decoded.kind == "fluid"
    assert [(e.position, e.letter, e.meaning) for e in decoded.elements] == [
        (1, "SER", "Serum"),
        (2, "SST", "Serum separator tube with clot activator"),
        (3, "A", "RT, <2 h"),
        (4, "B", "RT, 10-15 min, <3000 g, with braking"),
        (5, "N", "No centrifugation"),
        (6, "A", "2-10 °C, <1 h"),
        (7, "E", "Cryotube 1-2 mL, programmable freezing to < -135 °C"),
    ]
    assert decoded.flagged == ()


def test_a_solid_code_is_recognised_by_its_three_letter_fifth_element():
    decoded = decode("CEN-A06-B-B-HST-C-D")

    assert decoded.kind == "solid"
    assert decoded.elements[4].meaning == "Heat stabilization"
    assert decoded.elements[1].meaning == "Autopsy <6 h postmortem"


def test_case_and_surrounding_spaces_are_ignored():
    assert decode("  ser-sst-a-b-n-a-e ").code == "SER-SST-A-B-N-A-E"


def test_every_invalid_position_is_reported_with_its_value_and_the_allowed_codes():
    errors = errors_of("SER-SSQ-Q-B-N-A-9")

    assert [(e.position, e.value, e.pointer) for e in errors] == [
        (2, "SSQ", "/code/2"),
        (3, "Q", "/code/3"),
        (7, "9", "/code/7"),
    ]
    assert "Position 3" in errors[1].message and "allowed: A, B, C" in errors[1].message
    assert "SST" in errors[0].message


def test_every_position_can_be_wrong_at_once():
    errors = errors_of("QQQ-QQQ-Q-Q-Q-Q-9")

    assert [e.position for e in errors] == [1, 2, 3, 4, 5, 6, 7]


def test_a_wrong_length_per_position_is_named():
    errors = errors_of("SE-SST-AB-B-N-A-E")

    assert [(e.position, e.code) for e in errors] == [(1, "wrong_length"), (3, "wrong_length")]
    assert "takes 3 character(s)" in errors[0].message


@pytest.mark.parametrize("code", ["SER-SST-A-B-N-A", "SER-SST-A-B-N-A-E-X", "", "SERSSTABNAE", "-------"])
def test_a_code_without_seven_elements_is_one_clear_error(code):
    errors = errors_of(code)

    assert len(errors) == 1
    assert errors[0].position is None or code == "-------"


def test_a_code_that_is_not_text_or_far_too_long_is_refused():
    assert errors_of(12345)[0].code == "invalid"  # type: ignore[arg-type]
    assert errors_of("A" * 10_000)[0].code == "too_long"


def test_the_x_and_z_conventions_hold_on_every_position():
    assert decode("XXX-XXX-X-X-X-X-X").elements[0].meaning == "Unknown"
    assert decode("ZZZ-ZZZ-Z-Z-Z-Z-Z").elements[3].meaning == "Other"
    assert decode("XXX-XXX-X-X-XXX-X-X").kind == "solid"


@pytest.mark.parametrize(
    ("code", "position", "status"),
    [
        ("CTC-PED-A-B-N-A-E", 1, "unverified"),
        ("SER-CPH-A-B-N-A-E", 2, "v3-added"),
        ("TIS-FNA-A-A-NBF-A-U", 2, "conflict"),
        ("TIS-ASN-A-A-NBF-A-U", 2, "conflict"),  # SPRECLib's legacy alias of FNA
    ],
)
def test_codes_marked_in_the_reference_are_accepted_and_flagged(code, position, status):
    decoded = decode(code)

    assert decoded.elements[position - 1].status == status
    assert decoded.elements[position - 1] in decoded.flagged


def test_the_kind_may_be_given_and_then_decides_the_lists():
    errors = errors_of("SER-SST-A-B-N-A-E", kind="solid")

    assert (errors[0].fact, errors[0].code) == ("kind", "kind_mismatch")  # a valid fluid code: said first
    assert "is a fluid SPREC code, not a solid one" in errors[0].message
    assert {e.position for e in errors[1:]} == {1, 2, 5}  # serum is no solid type
    assert errors_of("CEN-A06-B-B-HST-C-D", kind="fluid")[0].code == "kind_mismatch"
    assert all(e.position for e in errors_of("SER-SSQ-A-B-NNN-A-E", kind="solid"))  # no kind fits: positions only
    assert errors_of("SER-SST-A-B-N-A-E", kind="gas")[0].fact == "kind"


def test_a_fifth_element_of_two_letters_is_judged_against_the_closer_kind():
    errors = errors_of("TIS-SRG-A-A-NB-A-U")

    assert [(e.position, e.code) for e in errors] == [(5, "wrong_length")]
    assert "solid" in errors[0].message
