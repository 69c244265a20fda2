"""The DUO match shown beside the committee's votes (as DUOS shows its algorithm's answer beside the DAC's votes).

``resource_duo_match(resource)`` matches the request's research purpose against the DUO terms (``data_use``) and
diseases of each collection the resource names with the DUOS V4 matcher (``access_requests.duo``), and combines the
collections' answers DENY > ABSTAIN > APPROVE (one collection that may not be used is enough to say no).
Abstaining modifiers (GS, MOR, PUB, COL, IRB, …) come back as ``conditions``: the committee turns each into a
``duo_modifier`` condition when it approves; the rationale carries the V4 checks that did not approve.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.utils.translation import gettext as _

from biobank.errors import DomainError
from consent.duo import DS, GRU, HMB, POA, Match, duo_terms

from .choices import PurposeKind
from .duo import duo_match_request, purpose_from_request
from .models import RequestResource

PURPOSE_TERM = {
    PurposeKind.GENERAL_RESEARCH: GRU,
    PurposeKind.HMB: HMB,
    PurposeKind.DISEASE: DS,
    PurposeKind.POPULATION_ORIGINS: POA,
}
_ORDER = {Match.APPROVE: 0, Match.ABSTAIN: 1, Match.DENY: 2}


class DuoCondition(TypedDict):
    term: str
    label: str


class DuoMatch(TypedDict):
    decision: str  # APPROVE | DENY | ABSTAIN
    rationale: list[str]
    conditions: list[DuoCondition]


def _label(term: str) -> str:
    known = duo_terms().get(term)
    return f"{known.shorthand}: {known.label}" if known else term


def _collection_match(request: Any, collection: Any) -> tuple[Match, list[str], list[str]]:
    """The DUOS V4 answer (``access_requests.duo``) for one collection: (answer, abstaining DUO ids, reasons)."""
    try:
        purpose = purpose_from_request(
            kind=request.purpose_kind,
            disease=request.disease or None,
            methods=request.methods_development,
            commercial=request.commercial,
        )
        terms = list(collection.data_use)
        # MIABIS diseases say what a collection is about; they restrict its use only under a DS term
        diseases = list(collection.diseases or []) if DS in terms else []
        result = duo_match_request(dataset_terms=terms, dataset_diseases=diseases, purpose=purpose)
    except DomainError as error:  # a draft's purpose or a legacy term the matcher cannot read: a person judges
        return Match.ABSTAIN, [], [error.message]
    answer = {"APPROVE": Match.APPROVE, "DENY": Match.DENY}.get(result.decision.value, Match.ABSTAIN)
    terms = [c.duo_id for c in result.conditions if c.duo_id]
    reasons = [f"{c.label}: {c.reason}" for c in result.rationale if c.result.value in ("DENY", "ABSTAIN")]
    return answer, terms, reasons


def resource_duo_match(resource: RequestResource) -> DuoMatch:
    """The combined DUO answer for one biobank's part of a request, with a rationale line per collection."""
    request = resource.request
    collections = list(resource.collections.all())
    if not collections:
        return {
            "decision": "ABSTAIN",
            "rationale": [_("The request names no collection of this biobank: no DUO terms to match.")],
            "conditions": [],
        }
    overall = Match.APPROVE
    rationale: list[str] = []
    conditions: dict[str, DuoCondition] = {}
    for collection in collections:
        if not collection.data_use:
            answer, terms = Match.ABSTAIN, list[str]()
            rationale.append(_("%(c)s: no DUO terms recorded — the committee judges.") % {"c": collection.name})
        else:
            answer, terms, reasons = _collection_match(request, collection)
            held = ", ".join(_label(t).split(": ")[0] for t in collection.data_use)
            text = {
                Match.APPROVE: _("%(c)s (%(terms)s): the purpose is permitted."),
                Match.DENY: _("%(c)s (%(terms)s): the purpose is not permitted."),
                Match.ABSTAIN: _("%(c)s (%(terms)s): needs human judgement: %(conditions)s."),
            }[answer]
            rationale.append(
                text % {"c": collection.name, "terms": held, "conditions": ", ".join(_label(t) for t in terms)}
            )
            rationale.extend(f"{collection.name} — {reason}" for reason in reasons)
        for term in terms:
            conditions[term] = {"term": term, "label": _label(term)}
        if _ORDER[answer] > _ORDER[overall]:
            overall = answer
    return {"decision": overall.name, "rationale": rationale, "conditions": list(conditions.values())}
