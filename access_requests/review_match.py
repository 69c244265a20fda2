"""The DUO match shown beside the committee's votes (as DUOS shows its algorithm's answer beside the DAC's votes).

``resource_duo_match(resource)`` matches the request's research purpose against the DUO terms (``data_use``) of each
collection the resource names, with ``consent.duo.duo_match``, and combines the answers DENY > ABSTAIN > APPROVE.
Abstaining modifiers (GS, MOR, PUB, COL, IRB, …) come back as ``conditions``: the committee turns each into a
``duo_modifier`` condition when it approves. The return shape is the one the DUOS V4 matcher
(``access_requests.duo``) will answer with when it replaces ``consent.duo`` here.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.utils.translation import gettext as _

from consent.duo import DS, GRU, HMB, POA, Match, duo_match, duo_terms

from .choices import PurposeKind
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


def _collection_match(request: Any, collection: Any) -> tuple[Match, list[str]]:
    purpose = PURPOSE_TERM.get(request.purpose_kind, HMB)
    diseases = list(collection.diseases or []) or [""]
    best: tuple[Match, list[str]] | None = None
    # A DS policy names its disease(s): the purpose is covered when any of them covers it.
    for policy_disease in diseases:
        answer = duo_match(
            purpose=purpose,
            terms=list(collection.data_use),
            disease=request.disease,
            policy_disease=policy_disease,
            commercial_use=request.commercial,
            methods_development=request.methods_development,
        )
        if best is None or _ORDER[answer[0]] < _ORDER[best[0]]:
            best = answer
    assert best is not None
    return best


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
            answer, terms = _collection_match(request, collection)
            held = ", ".join(_label(t).split(": ")[0] for t in collection.data_use)
            text = {
                Match.APPROVE: _("%(c)s (%(terms)s): the purpose is permitted."),
                Match.DENY: _("%(c)s (%(terms)s): the purpose is not permitted."),
                Match.ABSTAIN: _("%(c)s (%(terms)s): needs human judgement: %(conditions)s."),
            }[answer]
            rationale.append(
                text % {"c": collection.name, "terms": held, "conditions": ", ".join(_label(t) for t in terms)}
            )
        for term in terms:
            conditions[term] = {"term": term, "label": _label(term)}
        if _ORDER[answer] > _ORDER[overall]:
            overall = answer
    return {"decision": overall.name, "rationale": rationale, "conditions": list(conditions.values())}
