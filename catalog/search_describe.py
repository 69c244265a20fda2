"""A search in words, for people: the cart shows it and carries it into an access request.

``describe(params)`` → "Collections with material type Plasma or Serum; diagnosis in chapter II Neoplasms; text
'colorectal'". Labels come from the vocabularies (and, for biobanks and networks, their names).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import vocabularies as v
from .models import Network
from .search import ALL_MATCH, FACETS, Facet, SearchParams


def value_label(facet: Facet, code: str, names: dict[str, str] | None = None) -> str:
    """The readable label of one facet value."""
    if facet.key == "diagnosis":
        if code.startswith("chapter:"):
            term = v.terms(v.ICD10).get(code)
            numeral = code.removeprefix("chapter:")
            return _("chapter %(numeral)s %(label)s") % {"numeral": numeral, "label": term.label if term else ""}
        return v.disease_label(code)
    if facet.key in ("biobank", "network"):
        return (names or {}).get(code, code)
    return v.label(facet.vocabulary, code)


def names_of(params: SearchParams) -> dict[str, str]:
    """Names of the biobanks and networks the search selects (one query each, only when selected)."""
    from biobank.accounts.models import Biobank

    names: dict[str, str] = {}
    if params.biobank:
        names |= dict(Biobank.objects.filter(code__in=params.biobank).values_list("code", "name"))
    if params.network:
        names |= dict(Network.objects.filter(bbmri_id__in=params.network).values_list("bbmri_id", "name"))
    return names


def describe(params: SearchParams, *, names: dict[str, str] | None = None) -> str:
    """The whole search as one sentence; every collection when nothing is chosen."""
    if names is None:
        names = names_of(params)
    clauses: list[str] = []
    for facet in FACETS:
        values = params.selected(facet.key)
        if not values:
            continue
        labels = [value_label(facet, code, names) for code in values]
        joiner = _(" and ") if params.match(facet.key) == ALL_MATCH else _(" or ")
        joined = joiner.join(labels)
        if facet.key == "diagnosis":
            clauses.append(_("diagnosis in %(values)s") % {"values": joined})
        else:
            clauses.append(_("%(facet)s %(values)s") % {"facet": str(facet.label).lower(), "values": joined})
    if params.has_age:
        if params.age_min is not None and params.age_max is not None:
            clauses.append(
                _("ages overlapping %(low)d-%(high)d years") % {"low": params.age_min, "high": params.age_max}
            )
        elif params.age_min is not None:
            clauses.append(_("ages from %(low)d years") % {"low": params.age_min})
        else:
            clauses.append(_("ages up to %(high)d years") % {"high": params.age_max})
    if params.q:
        clauses.append(_("text '%(text)s'") % {"text": params.q})
    if not clauses:
        return _("All collections of the catalogue")
    return _("Collections with %(clauses)s") % {"clauses": "; ".join(clauses)}
