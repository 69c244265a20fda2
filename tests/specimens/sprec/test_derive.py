"""Deriving: the issue's example, X for missing facts, every fact out of range named, unknown facts refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from specimens.sprec import FLUID_FACTS, SOLID_FACTS, SprecError, derive

SERUM = {
    "sample_type": "SER",
    "primary_container": "SST",
    "collection_time": "2025-03-01T08:00:00+01:00",
    "centrifugation_start": "2025-03-01T09:30:00+01:00",
    "pre_centrifugation_temperature_c": 21,
    "centrifugation": {"temperature_c": 20, "duration_min": 10, "g_force": 2000, "braking": True},
    "second_centrifugation": "none",
    "post_centrifugation_delay_min": 20,
    "post_centrifugation_temperature_c": 4,
    "storage_container": "cryotube-1-2ml",
    "storage_method": "programmable-freezing",
    "storage_temperature_c": -150,
}


def problems(kind, facts):
    with pytest.raises(SprecError) as caught:
        derive(kind, facts)
    return {p.fact: p for p in caught.value.errors}


def test_the_facts_of_the_standards_example_derive_its_code():
    derived = derive("fluid", SERUM)

    assert derived.code == "SER-SST-A-B-N-A-E"
    assert [p.meaning for p in derived.positions][2] == "RT, <2 h"


def test_datetimes_work_like_iso_strings():
    start = datetime(2025, 3, 1, 8)
    facts = {**SERUM, "collection_time": start, "centrifugation_start": start + timedelta(hours=2)}

    assert derive("fluid", facts).code == "SER-SST-C-B-N-A-E"


def test_an_explicit_delay_wins_over_the_timestamps():
    assert derive("fluid", {**SERUM, "pre_centrifugation_delay_min": 300}).code == "SER-SST-E-B-N-A-E"


def test_missing_facts_give_x_and_an_empty_fact_set_is_all_unknown():
    assert derive("fluid", {}).code == "XXX-XXX-X-X-X-X-X"
    assert derive("solid", {}).code == "XXX-XXX-X-X-XXX-X-X"
    assert derive("fluid", {**SERUM, "pre_centrifugation_temperature_c": None}).code == "SER-SST-X-B-N-A-E"
    partial_spin = {"temperature_c": 20, "duration_min": 10, "braking": True}
    assert derive("fluid", {**SERUM, "centrifugation": partial_spin}).code == "SER-SST-A-X-N-A-E"


def test_a_solid_sample():
    facts = {
        "sample_type": "TIS",
        "collection_type": "SRG",
        "warm_ischemia_min": 12,
        "cold_ischemia_min": 25,
        "fixation": "NBF",
        "fixation_duration_min": 1000,
        "storage_container": "paraffin-block",
        "storage_temperature_c": 20,
    }
    assert derive("solid", facts).code == "TIS-SRG-C-D-NBF-E-P"
    assert derive("solid", {"warm_ischemia_min": "none"}).code == "XXX-XXX-N-X-XXX-X-X"


def test_every_fact_out_of_range_is_reported_at_once():
    facts = {
        **SERUM,
        "sample_type": "SERUM",
        "pre_centrifugation_temperature_c": 14,
        "centrifugation": {"temperature_c": 20, "duration_min": 20, "g_force": -5, "braking": "no", "rpm": 3},
        "post_centrifugation_delay_min": -1,
        "storage_method": "freezer",
        "storage_temperature_c": -80,
        "colour": "red",
    }
    found = problems("fluid", facts)

    assert set(found) == {
        "sample_type",
        "pre_centrifugation_temperature_c",
        "centrifugation/duration_min",
        "centrifugation/g_force",
        "centrifugation/braking",
        "centrifugation/rpm",
        "post_centrifugation_delay_min",
        "colour",
    }
    assert found["centrifugation/g_force"].pointer == "/centrifugation/g_force"
    assert "10 to 15 min, 30 min" in found["centrifugation/duration_min"].message
    assert "allowed:" in found["colour"].message


@pytest.mark.parametrize(
    ("facts", "fact", "shown"),
    [
        ({"pre_centrifugation_temperature_c": 13.6}, "pre_centrifugation_temperature_c", "13.6 °C (14 °C rounded)"),
        ({"pre_centrifugation_temperature_c": 14}, "pre_centrifugation_temperature_c", "14 °C is"),
        ({"post_centrifugation_temperature_c": 13.5}, "post_centrifugation_temperature_c", "13.5 °C (14 °C rounded)"),
        (
            {"centrifugation": {**SERUM["centrifugation"], "temperature_c": 40.4}},
            "centrifugation/temperature_c",
            "40.4 °C (40 °C rounded)",
        ),
        ({"storage_temperature_c": 4.4}, "storage_temperature_c", "4.4 °C (4 °C rounded)"),
        ({"storage_temperature_c": -20.5}, "storage_temperature_c", "-20.5 °C (-21 °C rounded)"),
    ],
)
def test_a_temperature_out_of_range_is_named_as_entered(facts, fact, shown):
    found = problems("fluid", {**SERUM, **facts})

    assert set(found) == {fact}
    assert shown in found[fact].message
    assert found[fact].value == shown.split(" °C")[0]  # the value given, not the rounded one


def test_a_centrifugation_before_the_collection_is_an_error():
    found = problems("fluid", {**SERUM, "centrifugation_start": "2025-03-01T07:00:00+01:00"})

    assert set(found) == {"centrifugation_start"}


@pytest.mark.parametrize(
    ("facts", "fact"),
    [
        ({"collection_time": "yesterday", "centrifugation_start": "2025-03-01T09:00:00"}, "collection_time"),
        (
            {"collection_time": "2025-03-01T08:00:00", "centrifugation_start": "2025-03-01T09:00:00Z"},
            "centrifugation_start",
        ),
        ({"pre_centrifugation_delay_min": "120"}, "pre_centrifugation_delay_min"),
        ({"pre_centrifugation_delay_min": float("nan")}, "pre_centrifugation_delay_min"),
        ({"pre_centrifugation_delay_min": True}, "pre_centrifugation_delay_min"),
        ({"pre_centrifugation_temperature_c": float("inf")}, "pre_centrifugation_temperature_c"),
        ({"centrifugation": "fast"}, "centrifugation"),
        ({"centrifugation": [1, 2]}, "centrifugation"),
        ({"storage_container": "fridge"}, "storage_container"),
        ({"storage_method": 7}, "storage_method"),
        ({"primary_container": ["SST"]}, "primary_container"),
        ({"warm_ischemia_min": 5}, "warm_ischemia_min"),
        ({"storage_temperature_c": -274}, "storage_temperature_c"),  # below absolute zero
        (
            {"pre_centrifugation_temperature_c": 10**400},
            "pre_centrifugation_temperature_c",
        ),  # not a fact of a fluid sample
    ],
)
def test_a_fact_of_the_wrong_type_or_shape_is_named(facts, fact):
    assert set(problems("fluid", facts)) == {fact}


def test_the_legacy_alias_asn_is_decoded_but_never_derived():
    assert set(problems("solid", {"collection_type": "ASN"})) == {"collection_type"}


def test_codes_are_read_in_any_case():
    assert derive("fluid", {"sample_type": "ser", "primary_container": " sst "}).code.startswith("SER-SST-")


@pytest.mark.parametrize("kind", ["gas", None, 3, "FLUID"])
def test_an_unknown_kind_is_refused(kind):
    assert set(problems(kind, {})) == {"kind"}


def test_the_fact_names_are_those_of_the_issue():
    assert {
        "sample_type", "primary_container", "collection_type", "collection_time", "centrifugation_start",
        "pre_centrifugation_delay_min", "pre_centrifugation_temperature_c", "centrifugation",
        "second_centrifugation", "post_centrifugation_delay_min", "post_centrifugation_temperature_c",
        "storage_container", "storage_method", "storage_temperature_c", "warm_ischemia_min", "cold_ischemia_min",
        "fixation", "fixation_duration_min",
    } == FLUID_FACTS | SOLID_FACTS  # fmt: skip


def test_a_huge_value_is_cut_in_the_message():
    found = problems("fluid", {"sample_type": "S" * 100_000})

    assert len(found["sample_type"].value) <= 40
