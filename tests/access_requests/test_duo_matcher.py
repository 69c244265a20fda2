"""DUO matching after DUOS V4: the cases of consent-ontology's DataUseMatcherV4Test, in our own words, and the
boundaries around them (ancestors, unknown diseases, NPU/NCU, NMDS, every sensitive flag, the combination rule)."""

from __future__ import annotations

import pytest

from access_requests.duo import Decision, Purpose, Result, dataset_from_terms, duo_match
from access_requests.duo.matcher import SENSITIVE_FLAGS, combine, decide

A, D, X = Decision.APPROVE, Decision.DENY, Decision.ABSTAIN
CANCER, INTESTINAL_CANCER = "DOID:162", "DOID:10155"
DOID_TREE = {INTESTINAL_CANCER: ["DOID:3119", "DOID:0050686", CANCER], CANCER: ["DOID:14566"], "DOID:14566": ["DOID:4"]}


def match(terms, purpose, diseases=(), ancestors=None, **dataset):
    return duo_match(dataset_from_terms(terms=terms, diseases=diseases, **dataset), purpose, ancestors)


def check(result, name):
    return next(c for c in result.rationale if c.check == name)


# (name, dataset terms, dataset diseases, purpose, expected): the V4 test file's cases
V4_CASES = [
    ("a narrower disease on a broader DS dataset", ["DS"], [CANCER], Purpose(diseases=(INTESTINAL_CANCER,)), A),
    ("a broader disease on a narrower DS dataset", ["DS"], [INTESTINAL_CANCER], Purpose(diseases=(CANCER,)), D),
    ("HMB on GRU", ["GRU"], [], Purpose(hmb=True), A),
    ("HMB on HMB", ["HMB"], [], Purpose(hmb=True), A),
    ("GRU on HMB", ["HMB"], [], Purpose(general_research=True), D),
    ("HMB on DS", ["DS"], [CANCER], Purpose(hmb=True), D),
    ("HMB on POA", ["POA"], [], Purpose(hmb=True), D),
    ("POA on GRU", ["GRU"], [], Purpose(population_origins=True), A),
    ("POA on POA", ["POA"], [], Purpose(population_origins=True), A),
    ("POA on HMB", ["HMB"], [], Purpose(population_origins=True), D),
    ("POA on DS", ["DS"], [CANCER], Purpose(population_origins=True), D),
    ("methods on GRU", ["GRU"], [], Purpose(methods=True), A),
    ("methods on POA", ["POA"], [], Purpose(methods=True), A),
    ("methods on DS (no disease in the purpose: V4 approves)", ["DS"], [CANCER], Purpose(methods=True), A),
    ("methods on HMB", ["HMB"], [], Purpose(methods=True), A),
    ("not-for-profit on NPU", ["GRU", "NPU"], [], Purpose(commercial=False), A),
    ("not-for-profit on data without NPU", ["GRU"], [], Purpose(commercial=False), A),
    ("commercial on data without NPU", ["GRU"], [], Purpose(commercial=True), A),
    ("commercial on NPU", ["GRU", "NPU"], [], Purpose(commercial=True), D),
    ("a purpose of no kind (only free text)", ["HMB"], [], Purpose(other="other"), X),
    ("a disease purpose on GRU", ["GRU"], [], Purpose(diseases=("ICD10:E11.9",)), A),
    ("a disease purpose on HMB", ["HMB"], [], Purpose(diseases=("ICD10:E11.9",)), A),
    ("a disease purpose on POA", ["POA"], [], Purpose(diseases=("ICD10:E11.9",)), D),
    ("GRU on GRU", ["GRU"], [], Purpose(general_research=True), A),
    ("GRU on NRES (read as GRU)", ["NRES"], [], Purpose(general_research=True), A),
    ("GRU on DS: V4 has no rule against it", ["DS"], [CANCER], Purpose(general_research=True), A),
]


@pytest.mark.parametrize(
    ("terms", "diseases", "purpose", "expected"), [c[1:] for c in V4_CASES], ids=[c[0] for c in V4_CASES]
)
def test_it_decides_the_duos_v4_cases_as_v4_does(terms, diseases, purpose, expected):
    assert match(terms, purpose, diseases, DOID_TREE).decision == expected


@pytest.mark.parametrize("flag", SENSITIVE_FLAGS)
def test_every_sensitive_flag_abstains_even_where_hmb_matches(flag):
    result = match(["HMB"], Purpose(hmb=True, **{flag: True}))

    assert result.decision == X
    assert check(result, "sensitive_areas").result == Result.ABSTAIN
    assert flag in check(result, "sensitive_areas").reason


def test_an_abstention_outweighs_a_denial_as_in_v4():
    result = match(["DS"], Purpose(hmb=True, pediatric=True), [CANCER])

    assert check(result, "hmb_gru").result == Result.DENY
    assert result.decision == X


@pytest.mark.parametrize(
    ("purpose_disease", "dataset_disease", "expected"),
    [
        ("ICD10:E11.9", "ICD10:E11", A),  # subcategory under its category
        ("ICD10:E11.9", "ICD10:E10-E14", A),  # under its block
        ("ICD10:E11.9", "ICD10:chapter:IV", A),  # under its chapter
        ("ICD10:C18.0", "ICD10:C00-C97", A),  # nested blocks
        ("ICD10:E11", "ICD10:E11", A),  # the same
        ("ICD10:E11", "ICD10:E11.9", D),  # an ancestor is not covered by its descendant
        ("ICD10:E10.9", "ICD10:E11", D),  # a sibling
        ("ICD10:U99.9", "ICD10:E11", X),  # an ICD-10-looking code the WHO list lacks: cannot be placed
        ("ORPHA:558", "ICD10:E11", X),  # another ontology and no ancestors given
        ("ORPHA:558", "ORPHA:558", A),  # exact match needs no placement
    ],
)
def test_a_purpose_disease_is_covered_only_by_itself_or_an_ancestor(purpose_disease, dataset_disease, expected):
    result = match(["DS"], Purpose(diseases=(purpose_disease,)), [dataset_disease])

    assert result.decision == expected


def test_an_unplaceable_disease_abstains_on_the_disease_check_only():
    result = match(["DS"], Purpose(diseases=("MONDO:0005148",)), ["ICD10:E11"])

    assert check(result, "disease").result == Result.ABSTAIN
    assert check(result, "disease").source == "portal"
    assert "MONDO:0005148" in check(result, "disease").reason


def test_the_callers_ancestors_place_a_disease_transitively():
    ancestors = {"MONDO:0005148": ["MONDO:0005015"], "MONDO:0005015": ["ICD10:E10-E14"]}
    result = match(["DS"], Purpose(diseases=("MONDO:0005148",)), ["ICD10:E10-E14"], ancestors)

    assert result.decision == A


def test_a_placed_disease_with_no_covering_ancestor_is_denied():
    result = match(["DS"], Purpose(diseases=("DOID:9352",)), ["DOID:162"], {"DOID:9352": ["DOID:4"]})

    assert result.decision == D


def test_every_purpose_disease_must_be_covered():
    result = match(["DS"], Purpose(diseases=("ICD10:E11.9", "ICD10:C18")), ["ICD10:E11"])

    assert result.decision == D
    assert "ICD10:C18" in check(result, "disease").reason


@pytest.mark.parametrize("restriction", ["NPU", "NCU", "NPUNCU"])
@pytest.mark.parametrize(("commercial", "expected"), [(True, D), (False, A), (None, D)])
def test_npu_and_ncu_deny_a_purpose_not_stated_as_not_for_profit(restriction, commercial, expected):
    assert match(["GRU", restriction], Purpose(general_research=True, commercial=commercial)).decision == expected


@pytest.mark.parametrize(
    ("terms", "diseases", "purpose", "expected"),
    [
        (["HMB", "NMDS"], [], Purpose(methods=True), D),
        (["GRU", "NMDS"], [], Purpose(methods=True), D),
        (["DS", "NMDS"], ["ICD10:E11"], Purpose(methods=True, diseases=("ICD10:E11.9",)), A),
        (["DS", "NMDS"], ["ICD10:E11"], Purpose(methods=True, diseases=("ICD10:C18",)), D),
        (["DS", "NMDS"], ["ICD10:E11"], Purpose(methods=True, diseases=("ORPHA:558",)), X),
        (["HMB", "NMDS"], [], Purpose(hmb=True), A),  # not methods development: NMDS does not apply
    ],
)
def test_nmds_allows_methods_development_only_within_a_matching_disease(terms, diseases, purpose, expected):
    assert match(terms, purpose, diseases).decision == expected


def test_npoa_denies_population_origins_research():
    assert match(["GRU", "NPOA"], Purpose(population_origins=True)).decision == D
    assert match(["GRU", "NPOA"], Purpose(hmb=True)).decision == A


@pytest.mark.parametrize("modifier", ["GS", "MOR", "PUB", "COL", "IRB", "US", "PS", "IS", "RTN", "TS", "GSO", "RS"])
def test_a_modifier_that_needs_a_person_abstains_and_becomes_a_condition(modifier):
    result = match(["GRU", modifier], Purpose(general_research=True))

    assert result.decision == X
    assert [c.code for c in result.conditions] == [modifier]
    assert result.conditions[0].duo_id.startswith("DUO:")


@pytest.mark.parametrize(
    ("terms", "diseases", "purpose"),
    [
        (["POA", "IRB"], [], Purpose(hmb=True)),  # HMB on POA data
        (["HMB", "NPU", "PUB"], [], Purpose(hmb=True, commercial=True)),  # commercial on NPU data
        (["DS", "COL"], ["ICD10:C18"], Purpose(diseases=("ICD10:E11",))),  # an unrelated disease
        (["GRU", "NMDS", "GS"], [], Purpose(methods=True)),  # the portal's NMDS denies too
    ],
)
def test_a_condition_never_turns_a_denial_into_an_abstention(terms, diseases, purpose):
    result = match(terms, purpose, diseases)

    assert result.decision == D
    assert check(result, "modifiers").result == Result.ABSTAIN
    assert [c.code for c in result.conditions] == [terms[-1]]


def test_the_datasets_free_text_on_denied_data_stays_a_denial_and_a_condition():
    result = match(["POA"], Purpose(hmb=True), other="Only with the steering board's consent")

    assert result.decision == D
    assert check(result, "other").result == Result.ABSTAIN
    assert result.conditions[0].code == "OTHER"


def test_a_condition_beside_an_abstention_stays_an_abstention():
    assert match(["HMB", "IRB"], Purpose(hmb=True, pediatric=True)).decision == X


def test_an_icd10_code_cannot_be_reparented_by_the_caller():
    result = match(["DS"], Purpose(diseases=("ICD10:E11",)), ["ICD10:C18"], {"E11": ["ICD10:C18"]})

    assert result.decision == D
    assert "ignored" in check(result, "disease").reason


def test_a_purpose_disease_named_only_as_an_ancestor_is_denied_above_the_datasets_disease():
    result = match(["DS"], Purpose(diseases=("DOID:1",)), ["DOID:2"], {"DOID:2": ["DOID:1"]})

    assert result.decision == D
    assert check(result, "disease").source == "DUOS V4"


@pytest.mark.parametrize(
    ("terms", "purpose", "expected"),
    [
        (["NPU"], Purpose(commercial=False), A),  # V4Test testNPU_positive_case_1
        ([], Purpose(commercial=True), A),  # testNPU_positive_case_2
        (["NPU"], Purpose(commercial=True), D),  # testNPU_negative_case_1
        (["NPU"], Purpose(population_origins=True, commercial=False), D),  # POA needs GRU or POA data
    ],
)
def test_a_dataset_without_a_permission_is_matched_as_v4_does(terms, purpose, expected):
    assert match(terms, purpose).decision == expected


def test_the_datasets_free_text_abstains_and_is_proposed_as_a_condition():
    result = match(["GRU"], Purpose(general_research=True), other="Only for studies approved by the steering board")

    assert result.decision == X
    assert result.conditions[0].code == "OTHER"
    assert result.conditions[0].detail == "Only for studies approved by the steering board"


def test_the_purposes_free_text_changes_nothing():
    assert match(["GRU"], Purpose(general_research=True, other="anything")).decision == A


def test_every_check_reports_once_with_a_reason():
    result = match(["HMB"], Purpose(hmb=True))
    names = [c.check for c in result.rationale]

    assert len(names) == len(set(names)) == 11
    assert all(c.reason for c in result.rationale)


@pytest.mark.parametrize(
    ("results", "conditions", "expected"),
    [
        ([Result.APPROVE], [Result.ABSTAIN], X),
        ([Result.APPROVE, Result.NOT_APPLICABLE], [Result.NOT_APPLICABLE], A),
        ([Result.DENY], [Result.ABSTAIN], D),
        ([Result.ABSTAIN], [Result.NOT_APPLICABLE], X),
    ],
)
def test_conditions_only_turn_an_approval_into_an_abstention(results, conditions, expected):
    assert decide(results, conditions) == expected


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([Result.APPROVE, Result.NOT_APPLICABLE], A),
        ([Result.APPROVE, Result.DENY], D),
        ([Result.DENY, Result.ABSTAIN], X),
        ([Result.APPROVE, Result.ABSTAIN], X),
    ],
)
def test_checks_combine_as_v4_combines_them(results, expected):
    assert combine(results) == expected
