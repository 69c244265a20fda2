"""The entry points: match one purpose against one dataset, and build the purpose the request wizard asks for.

``duo_match`` takes checked values (normalised CURIEs, canonical DUO ids); ``duo_match_request`` takes what a caller
has (shorthands such as ``DS``, CURIEs in any accepted form) and raises ``DomainError`` naming the field when a value
is not understood. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext as _

from biobank.errors import DomainError

from . import matcher as m
from . import portal
from . import terms as t
from .ontology import Ancestry, CurieError, curie_normalise

PURPOSE_KINDS = ("general_research", "hmb", "disease", "population_origins")


def duo_match(
    dataset: m.Dataset, purpose: m.Purpose, ancestors: Mapping[str, Iterable[str]] | None = None
) -> m.MatchResult:
    """Every check, in a fixed order; the decision as ``matcher.decide`` makes it (V4's combination, then the
    conditions that need a person turn an APPROVE into ABSTAIN)."""
    sides = m._sides(dataset, purpose)
    ancestry = Ancestry(ancestors)
    disease = m.check_disease(sides, ancestry)
    conditions = portal.judgement_conditions(dataset)
    decisive = (
        disease,
        m.check_hmb(sides),
        m.check_poa(sides),
        m.check_methods(sides, disease.result),
        m.check_non_profit(sides),
        m.check_sensitive(purpose),
        m.check_category(sides),
        portal.check_no_methods(dataset, purpose, disease.result),
        portal.check_no_population_origins(dataset, purpose),
    )
    judged = (portal.check_modifiers(conditions), portal.check_other(dataset, purpose))
    decision = m.decide([c.result for c in decisive], [c.result for c in judged])
    return m.MatchResult(decision, decisive + judged, tuple(conditions))


def _diseases(values: Iterable[str], *, field: str) -> tuple[str, ...]:
    found: list[str] = []
    for index, value in enumerate(values):
        try:
            curie = curie_normalise(value)
        except CurieError as error:
            raise DomainError(str(error), field=f"{field}/{index}", code="curie") from None
        if curie not in found:
            found.append(curie)
    return tuple(found)


def dataset_from_terms(
    *, terms: Sequence[str], diseases: Sequence[str] = (), other: str = "", secondary_other: str = ""
) -> m.Dataset:
    """A dataset from DUO ids or shorthands and disease CURIEs: DS and its diseases go together. A permission term
    is not required (V4 matches modifiers alone)."""
    ids: list[str] = []
    for index, value in enumerate(terms):
        try:
            duo_id = t.term_resolve(value).id
        except t.TermError as error:
            raise DomainError(str(error), field=f"dataset/terms/{index}", code="duo_term") from None
        if duo_id not in ids:
            ids.append(duo_id)
    curies = _diseases(diseases, field="dataset/diseases")
    if t.DS in ids and not curies:
        raise DomainError(
            _("A disease-specific (DS) dataset names its disease(s): give at least one CURIE in dataset.diseases."),
            field="dataset/diseases",
            code="required",
        )
    if curies and t.DS not in ids:
        raise DomainError(
            _("Diseases limit a dataset only with the DS term (DUO:0000007): add DS to dataset.terms or drop them."),
            field="dataset/terms",
            code="ds_missing",
        )
    # A dataset without a permission term (only NPU, say) is matched as V4 matches it: DUOS's own NPU tests use one.
    return m.Dataset(tuple(ids), curies, (other or "").strip(), (secondary_other or "").strip())


def duo_match_request(
    *,
    dataset_terms: Sequence[str],
    dataset_diseases: Sequence[str],
    purpose: m.Purpose,
    ancestors: Mapping[str, Iterable[str]] | None = None,
    dataset_other: str = "",
    dataset_secondary_other: str = "",
) -> m.MatchResult:
    """Match a purpose (``purpose_from_request``) against a dataset's DUO terms and diseases, as given."""
    dataset = dataset_from_terms(
        terms=dataset_terms, diseases=dataset_diseases, other=dataset_other, secondary_other=dataset_secondary_other
    )
    checked = m.Purpose(**{**purpose.__dict__, "diseases": _diseases(purpose.diseases, field="purpose/diseases")})
    return duo_match(dataset, checked, ancestors)


def purpose_from_request(
    *, kind: str, disease: str | None = None, methods: bool = False, commercial: bool = False
) -> m.Purpose:
    """The purpose a request's wizard states: its kind (GRU, HMB, DS with one ICD-10 disease, POA), whether it is
    methods development and whether it is for profit."""
    if kind not in PURPOSE_KINDS:
        raise DomainError(
            _("%(kind)r is not a kind of research purpose; allowed: %(allowed)s.")
            % {"kind": kind, "allowed": ", ".join(PURPOSE_KINDS)},
            field="kind",
            code="invalid_choice",
        )
    diseases: tuple[str, ...] = ()
    if kind == "disease":
        if not (disease or "").strip():
            raise DomainError(
                _("A disease-specific purpose names its disease (an ICD-10 code such as E11.9)."),
                field="disease",
                code="required",
            )
        try:
            diseases = (curie_normalise(disease or ""),)
        except CurieError as error:
            raise DomainError(str(error), field="disease", code="curie") from None
    elif (disease or "").strip():
        raise DomainError(
            _("Only a disease-specific purpose names a disease; this one is %(kind)s.") % {"kind": kind},
            field="disease",
            code="unexpected",
        )
    return m.Purpose(
        general_research=kind == "general_research",
        hmb=kind == "hmb",
        population_origins=kind == "population_origins",
        methods=bool(methods),
        commercial=bool(commercial),
        diseases=diseases,
    )
