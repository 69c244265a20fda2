"""The engine against the independent reference model over random facts (hypothesis), and decode(derive) round trips."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from specimens.sprec import SprecError, decode, derive

from . import reference_model as model

CONTAINERS = [
    "pp-tube-0.5-2ml",
    "pp-tube-40-500ul",
    "pp-tube-5ml",
    "cryotube-1-2ml",
    "straw",
    "microplate",
    "paraffin-block",
    "bag",
    "dry-medium",
    "primary-container",
]
METHODS = ["freezer", "liquid-nitrogen", "programmable-freezing", "liquid-nitrogen-after-minus-80"]

# Around the boundaries as much as anywhere: tenths of a degree, fractions of minutes.
minutes = st.one_of(st.integers(0, 6000), st.floats(0, 6000, allow_nan=False), st.sampled_from([119, 120, 2880]))
temperature = st.one_of(st.integers(-5, 45), st.floats(-5, 45).map(lambda x: round(x, 1)))
storage_temperature = st.one_of(st.integers(-200, 30), st.floats(-200, 30).map(lambda x: round(x, 1)))
spin = st.fixed_dictionaries(
    {
        "temperature_c": temperature,
        "duration_min": st.one_of(st.integers(8, 32), st.floats(8, 32)),
        "g_force": st.one_of(st.integers(1, 20000), st.sampled_from([999, 1000, 2999.5, 3000, 6000, 10000])),
        "braking": st.booleans(),
    }
)


def maybe(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def fluid_facts(draw):
    facts = {
        "sample_type": draw(maybe(st.sampled_from(["SER", "PL1", "CTC", "ZZZ"]))),
        "primary_container": draw(maybe(st.sampled_from(["SST", "PED", "XXX"]))),
        "pre_centrifugation_temperature_c": draw(maybe(temperature)),
        "centrifugation": draw(maybe(st.one_of(st.just("none"), spin))),
        "second_centrifugation": draw(maybe(st.one_of(st.just("none"), spin))),
        "post_centrifugation_delay_min": draw(maybe(minutes)),
        "post_centrifugation_temperature_c": draw(maybe(temperature)),
        "storage_container": draw(maybe(st.sampled_from(CONTAINERS))),
        "storage_method": draw(maybe(st.sampled_from(METHODS))),
        "storage_temperature_c": draw(maybe(storage_temperature)),
    }
    if draw(st.booleans()):
        facts["pre_centrifugation_delay_min"] = draw(maybe(minutes))
    else:
        start = datetime(2025, 3, 1, 8, 0)
        seconds = draw(st.integers(0, 60 * 6000))
        facts["collection_time"] = start.isoformat()
        facts["centrifugation_start"] = (start + timedelta(seconds=seconds)).isoformat()
    return facts


@st.composite
def solid_facts(draw):
    ischemia = maybe(st.one_of(st.just("none"), minutes))
    return {
        "sample_type": draw(maybe(st.sampled_from(["TIS", "BON", "ZZZ"]))),
        "collection_type": draw(maybe(st.sampled_from(["SRG", "BPS", "FNA"]))),
        "warm_ischemia_min": draw(ischemia),
        "cold_ischemia_min": draw(ischemia),
        "fixation": draw(maybe(st.sampled_from(["NBF", "SNP", "XXX"]))),
        "fixation_duration_min": draw(maybe(st.one_of(st.just("none"), minutes))),
        "storage_container": draw(maybe(st.sampled_from(CONTAINERS))),
        "storage_method": draw(maybe(st.sampled_from(METHODS))),
        "storage_temperature_c": draw(maybe(storage_temperature)),
    }


def engine(kind: str, facts: dict) -> tuple[str | None, set[str]]:
    try:
        return derive(kind, facts).code, set()
    except SprecError as error:
        return None, {problem.fact for problem in error.errors}


@settings(max_examples=600, deadline=None)
@given(fluid_facts())
def test_the_engine_agrees_with_the_reference_model_on_fluid_facts(facts):
    assert engine("fluid", facts) == model.fluid(facts), facts


@settings(max_examples=400, deadline=None)
@given(solid_facts())
def test_the_engine_agrees_with_the_reference_model_on_solid_facts(facts):
    assert engine("solid", facts) == model.solid(facts), facts


@settings(max_examples=300, deadline=None)
@given(st.one_of(fluid_facts().map(lambda f: ("fluid", f)), solid_facts().map(lambda f: ("solid", f))))
def test_every_derived_code_decodes_to_the_same_elements(kind_and_facts):
    kind, facts = kind_and_facts
    try:
        derived = derive(kind, facts)
    except SprecError:
        return
    decoded = decode(derived.code)

    assert decoded.code == derived.code
    assert decoded.kind == kind
    assert decoded.elements == derived.positions
