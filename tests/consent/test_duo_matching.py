"""DUO matching as the DUOS service answers it (docs/standards: DUO), with a reference model in the test."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consent.duo import DS, GRU, HMB, NCU, NMDS, NPOA, NPU, NPUNCU, NRES, POA, Match, disease_within, duo_match

PUB, IRB = "DUO:0000019", "DUO:0000021"


@pytest.mark.parametrize(
    ("purpose", "terms", "kwargs", "expected"),
    [
        (HMB, [GRU], {}, Match.APPROVE),
        (HMB, [HMB], {}, Match.APPROVE),
        (HMB, [DS], {"policy_disease": "E11"}, Match.DENY),  # HMB on DS-only data
        (HMB, [POA], {}, Match.DENY),
        (POA, [GRU], {}, Match.APPROVE),
        (POA, [HMB], {}, Match.DENY),  # HMB excludes ancestry research
        (POA, [GRU, NPOA], {}, Match.DENY),
        (GRU, [HMB], {}, Match.DENY),
        (DS, [GRU], {"disease": "E11.9"}, Match.APPROVE),
        (DS, [DS], {"disease": "E11.9", "policy_disease": "E11"}, Match.APPROVE),  # within the policy's disease
        (DS, [DS], {"disease": "ICD-10:E11.9", "policy_disease": "e11.9"}, Match.APPROVE),
        (DS, [DS], {"disease": "E10", "policy_disease": "E11"}, Match.DENY),  # another disease
        (DS, [DS], {"disease": "E11", "policy_disease": "E11.9"}, Match.DENY),  # broader than allowed
        (DS, [DS], {"policy_disease": "E11"}, Match.ABSTAIN),  # purpose names no disease: committee
        (DS, [DS], {"disease": "ORPHA:558", "policy_disease": "ORPHA:558"}, Match.APPROVE),
        (HMB, [HMB, NPU], {"for_profit_organisation": True}, Match.DENY),
        (HMB, [HMB, NPU], {"commercial_use": True}, Match.DENY),  # DUOS: one commercial-use restriction
        (HMB, [HMB, NCU], {"commercial_use": True}, Match.DENY),
        (HMB, [HMB, NCU], {"for_profit_organisation": True}, Match.DENY),
        (HMB, [HMB, NCU], {}, Match.APPROVE),
        (HMB, [HMB, NPUNCU], {"for_profit_organisation": True}, Match.DENY),
        (HMB, [HMB, NPUNCU], {"commercial_use": True}, Match.DENY),
        (HMB, [GRU, NMDS], {"methods_development": True}, Match.DENY),
        (HMB, [GRU], {"methods_development": True}, Match.APPROVE),
        (DS, [DS, NMDS], {"methods_development": True, "disease": "E11.9", "policy_disease": "E11"}, Match.APPROVE),
        (HMB, [GRU, PUB], {}, Match.ABSTAIN),
        (NRES, [GRU], {}, Match.DENY),
        (HMB, [NRES], {}, Match.APPROVE),
        (HMB, [], {}, Match.DENY),
    ],
)
def test_a_purpose_matches_a_policy_as_duos_would(purpose, terms, kwargs, expected):
    assert duo_match(purpose=purpose, terms=terms, **kwargs)[0] == expected


def test_abstaining_modifiers_become_conditions():
    assert duo_match(purpose=HMB, terms=[HMB, PUB, IRB]) == (Match.ABSTAIN, [PUB, IRB])
    assert duo_match(purpose=DS, terms=[DS], policy_disease="E11") == (Match.ABSTAIN, [DS])


def test_icd10_ancestry_is_by_code_and_orpha_is_exact():
    assert disease_within("E11.65", "E11.6") and disease_within("E11.9", "E11")
    assert disease_within("E110", "E11")  # E110 is E11.0 written without the dot
    assert not disease_within("E12.0", "E11") and not disease_within("ORPHA:5580", "ORPHA:558")


# --- reference model over random purposes and policies -------------------------------------------------------------

PERMISSIONS = [GRU, HMB, DS, POA, NRES]
MODIFIERS = [NPU, NCU, NPUNCU, NPOA, NMDS, PUB]


def reference(purpose, permission, modifiers, disease, policy_disease, profit, commercial, methods):
    """From the DUOS rules in docs/standards alone."""
    covers = {
        GRU: {GRU, NRES},
        HMB: {GRU, HMB, NRES},
        POA: {GRU, POA, NRES},
        NRES: {NRES},
        DS: {GRU, HMB, NRES},
    }[purpose]
    if permission == NRES or permission in covers:
        state = "approve"
    elif purpose == DS and permission == DS:
        if not disease or not policy_disease:
            state = "abstain"
        elif disease == policy_disease or disease.startswith(policy_disease + "."):
            state = "approve"
        else:
            return Match.DENY
    else:
        return Match.DENY
    if (profit or commercial) and ({NPU, NCU, NPUNCU} & modifiers):
        return Match.DENY
    if purpose == POA and NPOA in modifiers:
        return Match.DENY
    own_disease = purpose == DS and permission == DS and state == "approve"
    if methods and NMDS in modifiers and not own_disease:
        return Match.DENY
    if state == "abstain" or PUB in modifiers:
        return Match.ABSTAIN
    return Match.APPROVE


@settings(max_examples=500, deadline=None)
@given(
    purpose=st.sampled_from(PERMISSIONS),
    permission=st.sampled_from(PERMISSIONS),
    modifiers=st.sets(st.sampled_from(MODIFIERS)),
    disease=st.sampled_from(["", "E11", "E11.9", "E10"]),
    policy_disease=st.sampled_from(["", "E11", "E11.9"]),
    profit=st.booleans(),
    commercial=st.booleans(),
    methods=st.booleans(),
)
def test_matching_equals_the_reference(
    purpose, permission, modifiers, disease, policy_disease, profit, commercial, methods
):
    got, _ = duo_match(
        purpose=purpose,
        terms=[permission, *modifiers],
        disease=disease if purpose == DS else "",
        policy_disease=policy_disease,
        for_profit_organisation=profit,
        commercial_use=commercial,
        methods_development=methods,
    )
    expected = reference(
        purpose, permission, modifiers, disease if purpose == DS else "", policy_disease, profit, commercial, methods
    )
    assert got == expected
