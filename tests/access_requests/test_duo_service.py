"""The entry points the request wizard calls: purpose_from_request and duo_match_request."""

from __future__ import annotations

import pytest

from access_requests.duo import Decision, Purpose, duo_match_request, purpose_from_request
from biobank.errors import DomainError


@pytest.mark.parametrize(
    ("kind", "disease", "expected"),
    [
        ("general_research", None, Purpose(general_research=True, commercial=False)),
        ("hmb", None, Purpose(hmb=True, commercial=False)),
        ("population_origins", "", Purpose(population_origins=True, commercial=False)),
        ("disease", "E11.9", Purpose(diseases=("ICD10:E11.9",), commercial=False)),
    ],
)
def test_the_wizard_states_each_kind_of_purpose(kind, disease, expected):
    assert purpose_from_request(kind=kind, disease=disease) == expected


def test_methods_and_commercial_are_carried_over():
    purpose = purpose_from_request(kind="hmb", methods=True, commercial=True)

    assert purpose.methods and purpose.commercial


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "clinical"}, "kind"),
        ({"kind": "disease"}, "disease"),
        ({"kind": "disease", "disease": "diabetes"}, "disease"),
        ({"kind": "hmb", "disease": "E11"}, "disease"),
    ],
)
def test_a_purpose_the_wizard_cannot_state_is_refused_naming_the_field(kwargs, field):
    with pytest.raises(DomainError) as error:
        purpose_from_request(**kwargs)

    assert error.value.field == field


def test_a_disease_purpose_matches_a_ds_dataset_of_its_category():
    result = duo_match_request(
        dataset_terms=["DUO:0000007"],
        dataset_diseases=["E11"],
        purpose=purpose_from_request(kind="disease", disease="E11.9"),
    )

    assert result.decision == Decision.APPROVE


def test_a_commercial_purpose_on_npu_data_is_denied():
    result = duo_match_request(
        dataset_terms=["GRU", "NPU"], dataset_diseases=[], purpose=purpose_from_request(kind="hmb", commercial=True)
    )

    assert result.decision == Decision.DENY


@pytest.mark.parametrize(
    ("terms", "diseases", "field"),
    [
        (["DS", "nonsense"], ["E11"], "dataset/terms/1"),
        (["DS"], [], "dataset/diseases"),
        (["DS"], ["not a code"], "dataset/diseases/0"),
        (["GRU"], ["E11"], "dataset/terms"),
    ],
)
def test_a_dataset_it_cannot_read_is_refused_naming_the_value(terms, diseases, field):
    with pytest.raises(DomainError) as error:
        duo_match_request(dataset_terms=terms, dataset_diseases=diseases, purpose=Purpose(hmb=True))

    assert error.value.field == field


def test_a_dataset_without_a_permission_term_is_matched_not_refused():
    result = duo_match_request(
        dataset_terms=["NPU"], dataset_diseases=[], purpose=purpose_from_request(kind="hmb", commercial=False)
    )

    assert result.decision == Decision.APPROVE
