"""DUO matching of a research purpose against a dataset, after the DUOS algorithm V4 (issue 14, item 3).

An independent Python reading of ``DataUseMatcherV4`` / ``DataUseMatchCasesV4`` in DataBiosphere/consent-ontology
(docs/access-requests.md, "DUO matching (DUOS V4)", has the table). Each check answers APPROVE, DENY, ABSTAIN or
NOT_APPLICABLE (V4's "approve with no message": it counts as APPROVE), and says what it checked and why. The
checks combine as V4 does: **all approve → APPROVE; else any ABSTAIN → ABSTAIN; else DENY** (an abstention outweighs
a denial: a sensitive purpose on data it may not use is still for the committee).

The V4 checks keep V4's rules where V4 states them, including its gaps (a general-research purpose is not checked
against a disease-specific dataset; a POA purpose only against GRU and POA). The portal's own checks cover what V4
does not read at all: a purpose disease that cannot be placed (ABSTAIN), NMDS and NPOA (as docs/standards.md says;
they join the combination above), and the modifiers that need human judgement and the dataset's free-text
restrictions. Those last two are *conditions* (:func:`decide`): they only turn an otherwise APPROVE into ABSTAIN,
so data V4 denies stay denied whatever modifiers they carry.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from . import terms as t
from .ontology import Ancestry


class Decision(enum.StrEnum):
    APPROVE = "APPROVE"
    DENY = "DENY"
    ABSTAIN = "ABSTAIN"


class Result(enum.StrEnum):
    APPROVE = "APPROVE"
    DENY = "DENY"
    ABSTAIN = "ABSTAIN"
    NOT_APPLICABLE = "NOT_APPLICABLE"


V4, PORTAL = "DUOS V4", "portal"
SENSITIVE_FLAGS = (
    "control_set",
    "population_variation",
    "gender",
    "pediatric",
    "vulnerable_populations",
    "illegal_behavior",
    "sexual_diseases",
    "psychological_traits",
    "not_health",
    "stigmatizing_diseases",
)


@dataclass(frozen=True)
class Purpose:
    """A research purpose as DUOS reads a data access request: only ``True`` flags count (DUOS's converter sets a
    flag only when it is true); ``commercial`` ``None`` means "not stated" (V4's ``nonProfitUse`` null)."""

    general_research: bool = False
    hmb: bool = False
    population_origins: bool = False
    methods: bool = False
    commercial: bool | None = None
    control_set: bool = False
    population_variation: bool = False
    gender: bool = False
    pediatric: bool = False
    vulnerable_populations: bool = False
    illegal_behavior: bool = False
    sexual_diseases: bool = False
    psychological_traits: bool = False
    not_health: bool = False
    stigmatizing_diseases: bool = False
    diseases: tuple[str, ...] = ()  # normalised CURIEs (ontology.curie_normalise)
    other: str = ""


@dataclass(frozen=True)
class Dataset:
    terms: tuple[str, ...] = ()  # canonical DUO ids
    diseases: tuple[str, ...] = ()  # normalised CURIEs
    other: str = ""
    secondary_other: str = ""


@dataclass(frozen=True)
class Check:
    check: str
    label: str
    result: Result
    reason: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {
            "check": self.check,
            "label": self.label,
            "result": self.result.value,
            "reason": self.reason,
            "source": self.source,
        }


@dataclass(frozen=True)
class Condition:
    """A restriction a person must judge, proposed to the committee as a condition of access."""

    code: str  # DUO shorthand, or OTHER for the dataset's free text
    duo_id: str | None
    label: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "duo_id": self.duo_id, "label": self.label, "detail": self.detail}


@dataclass(frozen=True)
class MatchResult:
    decision: Decision
    rationale: tuple[Check, ...] = field(default_factory=tuple)
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "rationale": [c.as_dict() for c in self.rationale],
            "conditions": [c.as_dict() for c in self.conditions],
        }


def combine(results: Sequence[Result]) -> Decision:
    """V4's combination (``DataUseMatcherV4.matchPurposeAndDatasetV4``): all approve → APPROVE, else any abstain →
    ABSTAIN, else DENY."""
    if all(r in (Result.APPROVE, Result.NOT_APPLICABLE) for r in results):
        return Decision.APPROVE
    if Result.ABSTAIN in results:
        return Decision.ABSTAIN
    return Decision.DENY


def decide(results: Sequence[Result], conditions: Sequence[Result]) -> Decision:
    """The decision: ``results`` (V4's checks and the portal's NMDS, NPOA and unplaceable-disease rules) combine as
    V4 does; ``conditions`` (the modifier and free-text checks, which need a person) can only turn the APPROVE that
    gives into ABSTAIN. A DENY stays DENY: a committee cannot grant what the data's permission refuses."""
    decision = combine(results)
    if decision == Decision.APPROVE and Result.ABSTAIN in conditions:
        return Decision.ABSTAIN
    return decision


@dataclass(frozen=True)
class _Sides:
    """Both sides in V4's vocabulary: which of the dataset's and the purpose's flags are set."""

    d_gru: bool
    d_hmb: bool
    d_poa: bool
    d_diseases: tuple[str, ...]
    d_npu: bool | None  # V4 nonProfitUse: True on NPU/NCU/NPUNCU, else not set
    p_gru: bool
    p_hmb: bool
    p_poa: bool
    p_mds: bool
    p_diseases: tuple[str, ...]
    p_npu: bool | None  # not commercial; None when the purpose does not say


def _sides(dataset: Dataset, purpose: Purpose) -> _Sides:
    held = set(dataset.terms)
    return _Sides(
        d_gru=bool(held & {t.GRU, t.NRES}),  # NRES (no restriction) is at least as broad as GRU; V4 has no NRES
        d_hmb=t.HMB in held,
        d_poa=t.POA in held,
        d_diseases=dataset.diseases,
        d_npu=True if held & t.NON_PROFIT_TERMS else None,
        p_gru=purpose.general_research,
        p_hmb=purpose.hmb,
        p_poa=purpose.population_origins,
        p_mds=purpose.methods,
        p_diseases=purpose.diseases,
        p_npu=None if purpose.commercial is None else not purpose.commercial,
    )


def _check(name: str, label: str, result: Result, reason: str, source: str = V4) -> Check:
    return Check(name, label, result, reason, source)


def check_disease(s: _Sides, ancestry: Ancestry) -> Check:
    """V4 ``matchDiseases``: every purpose disease must be a dataset disease or below one (GRU and HMB datasets
    cover any disease). The portal adds: a purpose disease nobody can place abstains (V4 would deny it). Entries of
    the caller's ``ancestors`` keyed by an ICD-10 code were ignored (ICD-10 ancestry is built in); the reason says
    so."""
    found = _check_disease(s, ancestry)
    if not ancestry.ignored:
        return found
    note = _(
        "The ancestors given for %(codes)s were ignored: ICD-10 ancestry is built in (WHO 2019) and cannot be "
        "changed by the caller."
    ) % {"codes": ", ".join(ancestry.ignored)}
    return Check(found.check, found.label, found.result, f"{found.reason} {note}", found.source)


def _check_disease(s: _Sides, ancestry: Ancestry) -> Check:
    label = _("Disease")
    if not s.p_diseases and not s.d_diseases:
        return _check(
            "disease", label, Result.NOT_APPLICABLE, _("Neither the purpose nor the dataset names a disease.")
        )
    if s.p_diseases and s.d_gru:
        return _check("disease", label, Result.APPROVE, _("The dataset allows general research use: any disease."))
    if s.p_diseases and s.d_hmb:
        return _check(
            "disease", label, Result.APPROVE, _("The dataset allows health/medical/biomedical research: any disease.")
        )
    if not s.p_diseases:
        return _check(
            "disease",
            label,
            Result.APPROVE,
            _("The purpose names no disease; V4 checks disease-specific data only against purposes that name one."),
        )
    denied, unplaced = [], []
    for disease in s.p_diseases:
        if disease in s.d_diseases:
            continue
        if s.d_diseases and not ancestry.placed(disease):
            unplaced.append(disease)
        elif not any(ancestry.within(disease, allowed) for allowed in s.d_diseases):
            denied.append(disease)
    allowed_text = ", ".join(s.d_diseases) or _("none")
    if denied:
        reason = _("%(diseases)s is not the dataset's disease nor below it (the dataset allows: %(allowed)s).") % {
            "diseases": ", ".join(denied),
            "allowed": allowed_text,
        }
        return _check("disease", label, Result.DENY, reason)
    if unplaced:
        reason = _(
            "%(diseases)s cannot be placed (not an ICD-10 code of the WHO 2019 edition, and not named in the "
            "ancestors given): "
            "whether it is below the dataset's disease (%(allowed)s) needs a person."
        ) % {"diseases": ", ".join(unplaced), "allowed": allowed_text}
        return _check("disease", label, Result.ABSTAIN, reason, PORTAL)
    reason = _("Every disease of the purpose is the dataset's disease or below it (%(allowed)s).") % {
        "allowed": allowed_text
    }
    return _check("disease", label, Result.APPROVE, reason)


def check_hmb(s: _Sides) -> Check:
    """V4 ``matchHMB``: GRU and HMB purposes against GRU, HMB, DS and POA data."""
    label = _("Health/medical/biomedical and general research")
    if not s.p_hmb and not s.d_hmb:
        return _check("hmb_gru", label, Result.NOT_APPLICABLE, _("Neither the purpose nor the dataset is HMB."))
    failures = []
    if s.d_hmb and s.p_gru:
        failures.append(_("the dataset is limited to health/medical/biomedical research, the purpose is general"))
    if s.p_hmb and s.d_diseases:
        failures.append(_("the dataset is limited to its disease(s), the purpose is health/medical/biomedical"))
    if s.p_hmb and s.d_poa:
        failures.append(_("the dataset is limited to population origins or ancestry research"))
    if s.d_gru:
        return _check("hmb_gru", label, Result.APPROVE, _("The dataset allows general research use."))
    if s.p_hmb and s.d_hmb:
        return _check("hmb_gru", label, Result.APPROVE, _("The dataset allows health/medical/biomedical research."))
    if failures:
        return _check("hmb_gru", label, Result.DENY, _("Denied: %(why)s.") % {"why": "; ".join(failures)})
    return _check("hmb_gru", label, Result.APPROVE, _("No V4 rule limits this purpose on this dataset."))


def check_poa(s: _Sides) -> Check:
    """V4 ``matchPOA``: a population origins/ancestry purpose needs a GRU or POA dataset."""
    label = _("Population origins or ancestry")
    if not s.p_poa:
        return _check(
            "population_origins",
            label,
            Result.NOT_APPLICABLE,
            _("The purpose is not about population origins or ancestry."),
        )
    if s.d_gru:
        return _check("population_origins", label, Result.APPROVE, _("The dataset allows general research use."))
    if s.d_poa:
        return _check(
            "population_origins",
            label,
            Result.APPROVE,
            _("The dataset allows population origins or ancestry research."),
        )
    return _check(
        "population_origins",
        label,
        Result.DENY,
        _("Population origins or ancestry research needs a GRU or POA dataset; this one is neither."),
    )


def check_methods(s: _Sides, disease: Result) -> Check:
    """V4 ``matchMDS``: methods development on disease-specific data only within a matching disease."""
    label = _("Methods development")
    if not s.p_mds:
        return _check("methods", label, Result.NOT_APPLICABLE, _("The purpose is not methods development."))
    if not s.p_diseases and not s.d_diseases:
        return _check("methods", label, Result.APPROVE, _("Methods research is allowed where no disease limits it."))
    if s.d_gru or s.d_hmb or s.d_poa:
        return _check(
            "methods", label, Result.APPROVE, _("The dataset's GRU, HMB or POA permission allows methods research.")
        )
    if disease in (Result.APPROVE, Result.NOT_APPLICABLE):
        return _check(
            "methods", label, Result.APPROVE, _("The disease check approved: methods research within it is allowed.")
        )
    if disease == Result.ABSTAIN:
        return _check("methods", label, Result.ABSTAIN, _("The disease check abstained, so this one does too."), PORTAL)
    return _check(
        "methods", label, Result.DENY, _("Methods research on disease-specific data needs a matching disease.")
    )


def check_non_profit(s: _Sides) -> Check:
    """V4 ``matchNonProfitUse``: NPU, NCU or NPUNCU data deny a purpose that is not stated as not-for-profit."""
    label = _("Not-for-profit use")
    if s.d_npu is None and s.p_npu is None:
        return _check("non_profit", label, Result.NOT_APPLICABLE, _("Neither side states a profit status."))
    if not s.d_npu:
        return _check(
            "non_profit", label, Result.APPROVE, _("The dataset has no not-for-profit or non-commercial limit.")
        )
    if not s.p_npu:
        reason = (
            _("The dataset is for not-for-profit, non-commercial use only; the purpose is commercial.")
            if s.p_npu is False
            else _("The dataset is for not-for-profit, non-commercial use only; the purpose does not state that it is.")
        )
        return _check("non_profit", label, Result.DENY, reason)
    return _check("non_profit", label, Result.APPROVE, _("A not-for-profit purpose on not-for-profit data."))


def check_sensitive(purpose: Purpose) -> Check:
    """V4 ``abstainDecision``, first part: a control set or a sensitive research area always abstains."""
    label = _("Sensitive research areas")
    flagged = [name for name in SENSITIVE_FLAGS if getattr(purpose, name)]
    if not flagged:
        return _check("sensitive_areas", label, Result.NOT_APPLICABLE, _("The purpose names no sensitive area."))
    reason = _("DUOS does not decide on %(areas)s: a committee must.") % {"areas": ", ".join(flagged)}
    return _check("sensitive_areas", label, Result.ABSTAIN, reason)


def check_category(s: _Sides) -> Check:
    """V4 ``abstainDecision``, last part: a purpose of no kind DUOS decides on (and no profit status) abstains."""
    label = _("Kind of research")
    if s.p_diseases or s.p_hmb or s.p_gru or s.p_poa or s.p_mds or s.p_npu is not None or s.d_npu is not None:
        return _check(
            "research_purpose",
            label,
            Result.NOT_APPLICABLE,
            _("The purpose states a kind of research DUOS decides on."),
        )
    return _check(
        "research_purpose",
        label,
        Result.ABSTAIN,
        _(
            "The purpose states none of general, health/medical/biomedical, disease, population origins or methods "
            "research, nor a profit status: DUOS does not decide."
        ),
    )
