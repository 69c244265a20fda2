"""Every band boundary of every position derives the documented letter (docs/sprec.md, "Bands"): just below, at and
just above each boundary, and a fact outside every band is an error naming it."""

from __future__ import annotations

import pytest

from specimens.sprec import SprecError, derive

RT, COLD = 21, 4


def letter(kind: str, position: int, **facts) -> str:
    return derive(kind, facts).code.split("-")[position - 1]


def error_facts(kind: str, **facts) -> set[str]:
    with pytest.raises(SprecError) as caught:
        derive(kind, facts)
    return {problem.fact for problem in caught.value.errors}


# --- fluid 3: pre-centrifugation delay [lower, upper) in whole minutes, truncated --------------------------------

PRE = [
    (0, "A", "B"),
    (119, "A", "B"),
    (119.99, "A", "B"),  # truncated: still under 2 h
    (120, "C", "D"),  # exactly 2 h is the 2-4 h band
    (239, "C", "D"),
    (240, "E", "F"),
    (479, "E", "F"),
    (480, "G", "H"),
    (719, "G", "H"),
    (720, "I", "J"),
    (1439, "I", "J"),
    (1440, "K", "L"),
    (2879, "K", "L"),
    (2880, "M", "N"),
    (100_000, "M", "N"),
]


@pytest.mark.parametrize(("delay", "at_rt", "at_2_10"), PRE)
def test_the_pre_centrifugation_delay_bands(delay, at_rt, at_2_10):
    assert letter("fluid", 3, pre_centrifugation_delay_min=delay, pre_centrifugation_temperature_c=RT) == at_rt
    assert letter("fluid", 3, pre_centrifugation_delay_min=delay, pre_centrifugation_temperature_c=COLD) == at_2_10


@pytest.mark.parametrize(
    ("collected", "started", "expected"),
    [
        ("2025-03-01T08:00:00", "2025-03-01T09:59:59", "A"),
        ("2025-03-01T08:00:00", "2025-03-01T10:00:00", "C"),
        ("2025-03-01T08:00:00+01:00", "2025-03-01T09:00:00+00:00", "C"),  # offsets count
        ("2025-03-01T08:00:00Z", "2025-03-03T08:00:00Z", "M"),
    ],
)
def test_the_delay_from_timestamps_is_truncated_to_whole_minutes(collected, started, expected):
    assert (
        letter("fluid", 3, collection_time=collected, centrifugation_start=started, pre_centrifugation_temperature_c=20)
        == expected
    )


@pytest.mark.parametrize(
    ("temperature", "expected"),
    [
        (1.4, None),
        (1.5, "B"),  # rounds to 2
        (2, "B"),
        (10, "B"),
        (10.4, "B"),
        (10.5, None),  # rounds to 11
        (17.4, None),
        (17.5, "A"),  # rounds to 18: RT
        (18, "A"),
        (28, "A"),
        (28.4, "A"),
        (28.5, None),
        (34.4, None),
        (34.5, "O"),
        (38, "O"),
        (38.5, None),
        (-3, None),
    ],
)
def test_the_pre_centrifugation_temperatures_are_whole_degrees_with_both_ends_inclusive(temperature, expected):
    facts = {"pre_centrifugation_delay_min": 30, "pre_centrifugation_temperature_c": temperature}
    if expected is None:
        assert error_facts("fluid", **facts) == {"pre_centrifugation_temperature_c"}
    else:
        assert letter("fluid", 3, **facts) == expected


def test_35_to_38_degrees_is_coded_only_under_2_hours():
    assert letter("fluid", 3, pre_centrifugation_delay_min=119, pre_centrifugation_temperature_c=37) == "O"
    assert error_facts("fluid", pre_centrifugation_delay_min=120, pre_centrifugation_temperature_c=37) == {
        "pre_centrifugation_delay_min"
    }


# --- fluid 4 and 5: centrifugation -----------------------------------------------------------------------------


def spin(temperature=RT, duration=10, g=2000, braking=True):
    return {"temperature_c": temperature, "duration_min": duration, "g_force": g, "braking": braking}


SPINS = [
    # RT, with braking: g-force bands include their lower bound
    (spin(g=1), "B"),
    (spin(g=2999.9), "B"),
    (spin(g=3000), "E"),
    (spin(g=5999.9), "E"),
    (spin(g=6000), "G"),
    (spin(g=9999.9), "G"),
    (spin(g=10000), "I"),
    (spin(g=50000), "I"),
    # RT, no braking: only below 3000 g
    (spin(g=2999.9, braking=False), "A"),
    # 2-10 °C
    (spin(COLD, g=2999.9, braking=False), "C"),
    (spin(COLD, g=2999.9), "D"),
    (spin(COLD, g=3000), "F"),
    (spin(COLD, g=6000), "H"),
    (spin(COLD, g=10000), "J"),
    # duration 10-15 min, closed at both ends (whole minutes, truncated)
    (spin(duration=10), "B"),
    (spin(duration=15), "B"),
    (spin(duration=15.9), "B"),
    # 30 min exactly: M (RT, below 1000 g, no braking)
    (spin(duration=30, g=999, braking=False), "M"),
    (spin(duration=30.5, g=500, braking=False), "M"),
    (spin(duration=12, g=500, braking=False), "A"),
    # temperatures: RT 18-28 and 2-10, whole degrees
    (spin(17.5), "B"),
    (spin(28.4), "B"),
    (spin(1.5), "D"),
    (spin(10.4), "D"),
]


@pytest.mark.parametrize(("value", "expected"), SPINS)
def test_the_centrifugation_bands(value, expected):
    assert letter("fluid", 4, centrifugation=value) == expected


@pytest.mark.parametrize(
    ("value", "fact"),
    [
        (spin(duration=9.9), "centrifugation/duration_min"),
        (spin(duration=16), "centrifugation/duration_min"),
        (spin(duration=29.9), "centrifugation/duration_min"),
        (spin(duration=31), "centrifugation/duration_min"),
        (spin(17.4), "centrifugation/temperature_c"),
        (spin(28.5), "centrifugation/temperature_c"),
        (spin(10.5), "centrifugation/temperature_c"),
        (spin(g=3000, braking=False), "centrifugation"),  # no letter for >= 3000 g without braking
        (spin(duration=30, g=1000, braking=False), "centrifugation"),
        (spin(duration=30, g=500, braking=True), "centrifugation"),
        (spin(COLD, duration=30, g=500, braking=False), "centrifugation"),
        (spin(g=0), "centrifugation/g_force"),
        (spin(braking="yes"), "centrifugation/braking"),
    ],
)
def test_a_centrifugation_outside_every_band_is_an_error_naming_the_fact(value, fact):
    assert error_facts("fluid", centrifugation=value) == {fact}


def test_a_spin_at_0_g_is_refused_and_told_to_record_no_centrifugation():
    with pytest.raises(SprecError) as caught:
        derive("fluid", {"centrifugation": spin(g=0)})

    [error] = caught.value.errors
    assert (error.fact, error.value) == ("centrifugation/g_force", "0")
    assert 'a sample that was not spun has centrifugation "none"' in error.message
    assert derive("fluid", {"centrifugation": "none"}).code == "XXX-XXX-X-N-N-N-X"


def test_the_second_centrifugation_has_the_same_letters_but_no_30_minute_spin():
    assert letter("fluid", 5, centrifugation=spin(), second_centrifugation=spin(g=3000)) == "E"
    assert letter("fluid", 5, centrifugation=spin(), second_centrifugation="none") == "N"
    assert letter("fluid", 5, centrifugation=spin()) == "X"
    assert error_facts(
        "fluid", centrifugation=spin(), second_centrifugation=spin(duration=30, g=500, braking=False)
    ) == {"second_centrifugation/duration_min"}


def test_no_centrifugation_is_n_for_both_spins_and_the_post_centrifugation_delay():
    assert derive("fluid", {"centrifugation": "none"}).code == "XXX-XXX-X-N-N-N-X"
    assert error_facts("fluid", centrifugation="none", second_centrifugation=spin()) == {"second_centrifugation"}
    assert error_facts("fluid", centrifugation="none", post_centrifugation_delay_min=5) == {
        "post_centrifugation_delay_min"
    }


# --- fluid 6: post-centrifugation delay ---------------------------------------------------------------------------

POST = [
    (0, "A", "B"),
    (59, "A", "B"),
    (59.9, "A", "B"),
    (60, "C", "D"),
    (119, "C", "D"),
    (120, "E", "F"),
    (479, "E", "F"),
    (480, "G", "H"),
    (1439, "G", "H"),
    (1440, "I", "J"),
    (99999, "I", "J"),
]


@pytest.mark.parametrize(("delay", "at_2_10", "at_rt"), POST)
def test_the_post_centrifugation_delay_bands(delay, at_2_10, at_rt):
    assert letter("fluid", 6, post_centrifugation_delay_min=delay, post_centrifugation_temperature_c=COLD) == at_2_10
    assert letter("fluid", 6, post_centrifugation_delay_min=delay, post_centrifugation_temperature_c=RT) == at_rt


@pytest.mark.parametrize("temperature", [1.4, 10.5, 17.4, 28.5, 37])
def test_a_post_centrifugation_temperature_outside_rt_and_2_10_is_an_error(temperature):
    facts = {"post_centrifugation_delay_min": 5, "post_centrifugation_temperature_c": temperature}
    assert error_facts("fluid", **facts) == {"post_centrifugation_temperature_c"}


# --- 7: long-term storage (both kinds) -----------------------------------------------------------------------------

STORAGE = [
    ("pp-tube-0.5-2ml", "freezer", -60, "A"),
    ("pp-tube-0.5-2ml", "freezer", -85, "A"),
    ("pp-tube-0.5-2ml", None, -80, "A"),
    ("pp-tube-0.5-2ml", "freezer", -18, "B"),
    ("pp-tube-0.5-2ml", "freezer", -35, "B"),
    ("pp-tube-0.5-2ml", "freezer", -135.5, "V"),  # rounds to -136: below -135
    ("pp-tube-0.5-2ml", "liquid-nitrogen", -196, "V"),
    ("pp-tube-0.5-2ml", None, None, "X"),  # A, B or V
    ("cryotube-1-2ml", "liquid-nitrogen", None, "C"),
    ("cryotube-1-2ml", "freezer", -80, "D"),
    ("cryotube-1-2ml", "programmable-freezing", -150, "E"),
    ("cryotube-1-2ml", "programmable-freezing", None, "E"),
    ("cryotube-1-2ml", "liquid-nitrogen-after-minus-80", -196, "N"),
    ("cryotube-1-2ml", None, -196, "X"),  # C, E or N
    ("straw", "liquid-nitrogen", None, "F"),
    ("straw", "freezer", -70, "G"),
    ("straw", "freezer", -20, "H"),
    ("straw", "programmable-freezing", -140, "I"),
    ("straw", "liquid-nitrogen-after-minus-80", None, "O"),
    ("pp-tube-5ml", "freezer", -80, "J"),
    ("pp-tube-5ml", "freezer", -20, "K"),
    ("microplate", "freezer", -80, "L"),
    ("microplate", "freezer", -20, "M"),
    ("paraffin-block", None, 20, "P"),
    ("paraffin-block", None, 4, "P"),
    ("paraffin-block", "freezer", -20, "U"),
    ("paraffin-block", None, None, "X"),
    ("bag", "liquid-nitrogen", None, "Q"),
    ("bag", "liquid-nitrogen", -190, "Q"),
    ("dry-medium", None, 22, "R"),
    ("pp-tube-40-500ul", "freezer", -80, "S"),
    ("pp-tube-40-500ul", "freezer", -20, "T"),
    ("pp-tube-40-500ul", "freezer", -150, "W"),
    ("primary-container", "freezer", -80, "Y"),
    ("primary-container", None, -20, "Y"),
    (None, "freezer", -80, "X"),
]


@pytest.mark.parametrize(("container", "method", "temperature", "expected"), STORAGE)
@pytest.mark.parametrize("kind", ["fluid", "solid"])
def test_the_long_term_storage_letters(kind, container, method, temperature, expected):
    facts = {"storage_container": container, "storage_method": method, "storage_temperature_c": temperature}
    assert letter(kind, 7, **facts) == expected


@pytest.mark.parametrize(
    ("container", "method", "temperature", "fact"),
    [
        ("pp-tube-0.5-2ml", "freezer", -59, "storage_temperature_c"),
        ("pp-tube-0.5-2ml", "freezer", -86, "storage_temperature_c"),
        ("pp-tube-0.5-2ml", "freezer", -17, "storage_temperature_c"),
        ("pp-tube-0.5-2ml", "freezer", -36, "storage_temperature_c"),
        ("pp-tube-0.5-2ml", "freezer", -135.4, "storage_temperature_c"),  # rounds to -135: not below -135
        ("pp-tube-0.5-2ml", "programmable-freezing", None, "storage_method"),
        ("cryotube-1-2ml", "programmable-freezing", -135, "storage_temperature_c"),
        ("bag", "freezer", -80, "storage_method"),
        ("bag", "liquid-nitrogen", -80, "storage_temperature_c"),  # liquid nitrogen is below -135 °C
        ("cryotube-1-2ml", "liquid-nitrogen", -135, "storage_temperature_c"),
        ("dry-medium", None, -80, "storage_temperature_c"),
        ("paraffin-block", None, 14, "storage_temperature_c"),
        ("primary-container", "freezer", 4, "storage_temperature_c"),
    ],
)
def test_a_storage_outside_every_letter_is_an_error_naming_the_fact(container, method, temperature, fact):
    facts = {"storage_container": container, "storage_method": method, "storage_temperature_c": temperature}
    assert error_facts("fluid", **facts) == {fact}


# --- solid 3, 4 (ischemia) and 6 (fixation time) -------------------------------------------------------------------

ISCHEMIA = [(0, "A"), (1, "A"), (1.9, "A"), (2, "B"), (9, "B"), (10, "C"), (19, "C"), (20, "D"), (29, "D"),
            (30, "E"), (59, "E"), (60, "F"), (10_000, "F"), ("none", "N"), (None, "X")]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), ISCHEMIA)
def test_the_warm_and_cold_ischemia_bands(value, expected):
    assert letter("solid", 3, warm_ischemia_min=value) == expected
    assert letter("solid", 4, cold_ischemia_min=value) == expected


FIXATION = [(0, "A"), (14, "A"), (15, "B"), (59, "B"), (60, "C"), (239, "C"), (240, "D"), (479, "D"), (480, "E"),
            (1439, "E"), (1440, "F"), (2879, "F"), (2880, "G"), (4319, "G"), (4319.9, "G"), ("none", "N")]  # fmt: skip


@pytest.mark.parametrize(("value", "expected"), FIXATION)
def test_the_fixation_time_bands(value, expected):
    assert letter("solid", 6, fixation_duration_min=value) == expected


def test_a_fixation_of_72_hours_or_more_is_outside_every_band():
    assert error_facts("solid", fixation_duration_min=4320) == {"fixation_duration_min"}
