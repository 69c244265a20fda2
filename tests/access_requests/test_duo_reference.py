"""A property test: the matcher against a small reference model written another way (hand-written truth tables per
check, combined by rank), over a universe of datasets and purposes small enough to write down.

The combination is V4's (DataUseMatcherV4.matchPurposeAndDatasetV4): all approve → APPROVE, else any abstain →
ABSTAIN, else DENY; here that is "the highest rank wins" with APPROVE < DENY < ABSTAIN. The conditions that need a
person (a modifier such as IRB, the dataset's free text) come after it: they turn an APPROVE into ABSTAIN and leave a
DENY or an ABSTAIN as it is.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from access_requests.duo import Purpose, dataset_from_terms, duo_match
from access_requests.duo.matcher import SENSITIVE_FLAGS

A, D, X = "APPROVE", "DENY", "ABSTAIN"
RANK = {A: 0, D: 1, X: 2}
PERMISSIONS = ["GRU", "HMB", "DS", "POA", "NRES", None]  # None: modifiers only, as V4Test's NPU datasets
MODIFIERS = ["NPU", "NMDS", "NPOA", "IRB"]
# the purpose disease against the dataset's DS disease ICD10:E11 (None: the purpose names no disease)
DISEASE_VS_E11 = {
    None: A,
    "ICD10:E11.9": A,  # a subcategory of E11
    "ICD10:E11": A,  # E11 itself
    "ICD10:E10": D,  # a sibling
    "ICD10:chapter:IV": D,  # an ancestor of E11: broader than the dataset allows
    "ORPHA:558": X,  # cannot be placed: no ancestors given
}
# (dataset permission, purpose GRU, purpose HMB) → the HMB/GRU check, as V4 answers
HMB_TABLE = {
    ("GRU", False, False): A, ("GRU", True, False): A, ("GRU", False, True): A, ("GRU", True, True): A,
    ("NRES", False, False): A, ("NRES", True, False): A, ("NRES", False, True): A, ("NRES", True, True): A,
    ("HMB", False, False): A, ("HMB", True, False): D, ("HMB", False, True): A, ("HMB", True, True): A,
    ("DS", False, False): A, ("DS", True, False): A, ("DS", False, True): D, ("DS", True, True): D,
    ("POA", False, False): A, ("POA", True, False): A, ("POA", False, True): D, ("POA", True, True): D,
    (None, False, False): A, (None, True, False): A, (None, False, True): A, (None, True, True): A,
}  # fmt: skip
POA_TABLE = {"GRU": A, "NRES": A, "POA": A, "HMB": D, "DS": D, None: D}


def reference(permission, modifiers, other, p_gru, p_hmb, p_poa, p_mds, commercial, disease, sensitive):
    if disease is None or permission in ("GRU", "NRES", "HMB"):
        disease_verdict = A
    elif permission in ("POA", None):  # no dataset disease to be within
        disease_verdict = D
    else:
        disease_verdict = DISEASE_VS_E11[disease]
    verdicts = [disease_verdict, HMB_TABLE[(permission, p_gru, p_hmb)]]
    verdicts.append(POA_TABLE[permission] if p_poa else A)
    if p_mds:
        verdicts.append(disease_verdict if permission in ("DS", None) else A)
    if "NPU" in modifiers:
        verdicts.append(A if commercial is False else D)
    if sensitive:
        verdicts.append(X)
    stated = p_gru or p_hmb or p_poa or p_mds or disease or commercial is not None or "NPU" in modifiers
    verdicts.append(A if stated else X)
    if "NMDS" in modifiers and p_mds:
        verdicts.append(disease_verdict if disease else D)
    if "NPOA" in modifiers and p_poa:
        verdicts.append(D)
    decision = max(verdicts, key=RANK.__getitem__)
    if decision == A and ("IRB" in modifiers or other):  # a condition for the committee: never hides a DENY
        return X
    return decision


@settings(max_examples=1500, deadline=None)
@given(
    permission=st.sampled_from(PERMISSIONS),
    modifiers=st.sets(st.sampled_from(MODIFIERS)),
    other=st.sampled_from(["", "Only with the steering board's consent"]),
    p_gru=st.booleans(),
    p_hmb=st.booleans(),
    p_poa=st.booleans(),
    p_mds=st.booleans(),
    commercial=st.sampled_from([None, False, True]),
    disease=st.sampled_from(list(DISEASE_VS_E11)),
    sensitive=st.one_of(st.none(), st.sampled_from(SENSITIVE_FLAGS)),  # None half the time
)
def test_the_matcher_agrees_with_the_reference_model(
    permission, modifiers, other, p_gru, p_hmb, p_poa, p_mds, commercial, disease, sensitive
):
    dataset = dataset_from_terms(
        terms=[*filter(None, [permission]), *sorted(modifiers)],
        diseases=["ICD10:E11"] if permission == "DS" else [],
        other=other,
    )
    flags = {sensitive: True} if sensitive else {}
    purpose = Purpose(
        general_research=p_gru,
        hmb=p_hmb,
        population_origins=p_poa,
        methods=p_mds,
        commercial=commercial,
        diseases=(disease,) if disease else (),
        **flags,
    )

    expected = reference(permission, modifiers, other, p_gru, p_hmb, p_poa, p_mds, commercial, disease, sensitive)

    assert duo_match(dataset, purpose).decision == expected
