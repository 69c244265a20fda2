"""The public catalogue's faceted search over collections (issue 12, item 4).

What is searched: PUBLISHED, not withdrawn collections of PUBLISHED, not withdrawn profiles of active biobanks.
``SearchParams`` (a plain, serialisable dataclass) holds a text query, the selected values of each facet with its
match mode (``any``: a collection has one of them; ``all``: it has every one), an age range in years and the sort.
``parse_params`` reads it from a query string (the page, the CSV and the API share it) and reports every bad
parameter at once, naming the parameter, the value and what is allowed (``SearchError``).

Semantics, decided here and documented in docs/catalog.md ("Public catalogue and search"):

- Text: PostgreSQL full-text search (``websearch_to_tsquery``, English configuration) over the name, acronym,
  description, biobank name and the labels (and codes) of the collection's diseases.
- Diagnosis: an ICD-10 chapter (``chapter:II``), block (``C15-C26``), category (``C18``) or subcategory selects every
  disease code under it; an ORPHA code only itself.
- Age: the collection's ``[age_low, age_high]`` in its unit, converted to years, overlaps the requested range
  (a missing bound is open; a collection with no age at all does not match an age filter).
- Network: the collection is linked to it, or its biobank is a member.
- Quality label: a quality standard of the collection's biobank.
- Sub-collections match on their own attributes. Facet counts and the total count collections (a parent and its
  child are two collections, each counted once); the result list shows a matching child under its matching parent.
- Sizes: the all-``*`` facts row (``catalog.facts.selectors.collection_sample_counts``): exact for staff of that
  biobank, k-anonymous and obfuscated for everyone else; sorting by size sorts by the size the reader sees.
"""

# RawSQL below names only the collection table and constants; every searched value is a parameter.
# ruff: noqa: S608, S611

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import vocabularies as v
from .facts.privacy import K_ANONYMITY
from .models import Collection, Network, PublicationState, QualityStandard
from .search_icd import disease_condition

SEARCH_CONFIG = "english"
ANY_MATCH, ALL_MATCH = "any", "all"
SORTS = ("name", "size")
AGE_MAX = 150
TABLE = Collection._meta.db_table


@dataclass(frozen=True)
class Facet:
    """One facet: its query parameter, what it filters on and where its value labels come from."""

    key: str
    label: Any  # a lazy translation
    column: str  # the collection's array attribute ("" when the facet is not an array of the collection)
    vocabulary: str = ""
    multi: bool = True  # may a collection have several values (offers match all)?


FACETS: tuple[Facet, ...] = (
    Facet("material", gettext_lazy("Material type"), "materials", "Directory.MaterialTypes"),
    Facet("storage", gettext_lazy("Storage temperature"), "storage_temperatures", "Directory.StorageTemperatureTypes"),
    Facet("sex", gettext_lazy("Sex"), "sex", "Directory.SexTypes"),
    Facet("diagnosis", gettext_lazy("Diagnosis (ICD-10)"), "diseases", v.ICD10),
    Facet("country", gettext_lazy("Country"), "", "Directory.Countries", multi=False),
    Facet("biobank", gettext_lazy("Biobank"), "", multi=False),
    Facet("network", gettext_lazy("Network"), ""),
    Facet("data_category", gettext_lazy("Data categories"), "data_categories", "Directory.DataCategories"),
    Facet("collection_type", gettext_lazy("Collection type"), "collection_types", "Directory.CollectionTypes"),
    Facet("data_use", gettext_lazy("Data use conditions (DUO)"), "data_use", "DUO"),
    Facet("quality", gettext_lazy("Quality label"), "", "Directory.QualityStandards"),
)
FACET_BY_KEY = {facet.key: facet for facet in FACETS}


@dataclass(frozen=True)
class SearchParams:
    """A search of the catalogue: serialisable (``as_dict``/``from_dict``), carried by the cart into a request."""

    q: str = ""
    material: tuple[str, ...] = ()
    material_match: str = ANY_MATCH
    storage: tuple[str, ...] = ()
    storage_match: str = ANY_MATCH
    sex: tuple[str, ...] = ()
    sex_match: str = ANY_MATCH
    diagnosis: tuple[str, ...] = ()
    diagnosis_match: str = ANY_MATCH
    country: tuple[str, ...] = ()
    country_match: str = ANY_MATCH
    biobank: tuple[str, ...] = ()
    biobank_match: str = ANY_MATCH
    network: tuple[str, ...] = ()
    network_match: str = ANY_MATCH
    data_category: tuple[str, ...] = ()
    data_category_match: str = ANY_MATCH
    collection_type: tuple[str, ...] = ()
    collection_type_match: str = ANY_MATCH
    data_use: tuple[str, ...] = ()
    data_use_match: str = ANY_MATCH
    quality: tuple[str, ...] = ()
    quality_match: str = ANY_MATCH
    age_min: int | None = None
    age_max: int | None = None
    sort: str = "name"

    def selected(self, key: str) -> tuple[str, ...]:
        values: tuple[str, ...] = getattr(self, key)
        return values

    def match(self, key: str) -> str:
        mode: str = getattr(self, f"{key}_match")
        return mode

    @property
    def has_age(self) -> bool:
        return self.age_min is not None or self.age_max is not None

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.has_age or any(self.selected(f.key) for f in FACETS))

    def as_dict(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchParams:
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {
            k: tuple(val) if isinstance(val, list) else val for k, val in data.items() if k in known
        }
        return cls(**values)

    def query_items(self) -> list[tuple[str, str]]:
        """The search as query-string pairs (links: the page, the CSV, the API), without defaults."""
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        for facet in FACETS:
            items += [(facet.key, value) for value in self.selected(facet.key)]
            if self.match(facet.key) != ANY_MATCH:
                items.append((f"{facet.key}_match", self.match(facet.key)))
        for name in ("age_min", "age_max"):
            if getattr(self, name) is not None:
                items.append((name, str(getattr(self, name))))
        if self.sort != "name":
            items.append(("sort", self.sort))
        return items


class SearchError(Exception):
    """Bad search parameters: ``errors`` maps each parameter to a message naming the value and what is allowed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


PARAMETERS = {
    "q", "age_min", "age_max", "sort", "page", "format", "cursor",
    *(f.key for f in FACETS), *(f"{f.key}_match" for f in FACETS),
}  # fmt: skip


def _allowed(codes: list[str]) -> str:
    shown = ", ".join(codes[:25])
    return shown + (_(" … (%(count)d in all)") % {"count": len(codes)} if len(codes) > 25 else "")


def facet_codes(facet: Facet) -> list[str]:
    """The values a facet accepts: its vocabulary, or the published biobanks and networks."""
    if facet.key == "biobank":
        return list(visible_biobank_codes())
    if facet.key == "network":
        return list(Network.objects.filter(withdrawn=False).order_by("bbmri_id").values_list("bbmri_id", flat=True))
    return list(v.terms(facet.vocabulary))


def visible_biobank_codes() -> QuerySet[Any, str]:
    from .models import BiobankProfile

    return (
        BiobankProfile.objects.filter(state=PublicationState.PUBLISHED, withdrawn=False, biobank__is_active=True)
        .order_by("biobank__code")
        .values_list("biobank__code", flat=True)
    )


def _check_values(facet: Facet, values: list[str]) -> str:
    if facet.key == "diagnosis":
        unknown = [c for c in values if not (v.ORPHA_RE.match(c) or c in v.terms(v.ICD10))]
        if unknown:
            return _(
                "Unknown diagnosis %(unknown)s: give an ICD-10 (WHO 2019) chapter (chapter:II), block (C15-C26), "
                "category (C18) or subcategory (C18.0), or an Orphanet code ORPHA:<digits>."
            ) % {"unknown": ", ".join(repr(c) for c in unknown)}
        return ""
    allowed = facet_codes(facet)
    unknown = [c for c in values if c not in allowed]
    if unknown:
        return _("Unknown value(s) %(unknown)s; allowed: %(allowed)s.") % {
            "unknown": ", ".join(repr(c) for c in unknown),
            "allowed": _allowed(allowed) or _("none yet"),
        }
    return ""


def _age(raw: str | None, name: str, errors: dict[str, str]) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if not 0 <= value <= AGE_MAX:
        errors[name] = _("%(value)r is not an age; allowed: a whole number of years from 0 to %(max)d.") % {
            "value": raw,
            "max": AGE_MAX,
        }
        return None
    return value


def parse_params(query: Any) -> SearchParams:
    """``SearchParams`` from a ``QueryDict`` (or a dict of lists); raises ``SearchError`` naming every bad one."""

    def getlist(name: str) -> list[str]:
        got = query.getlist(name) if hasattr(query, "getlist") else query.get(name, [])
        values = [got] if isinstance(got, str) else list(got)
        return [str(x).strip() for x in values if str(x).strip()]

    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    unknown = sorted(set(query.keys()) - PARAMETERS)
    if unknown:
        errors[unknown[0]] = _("Unknown parameter(s) %(names)s; allowed: %(allowed)s.") % {
            "names": ", ".join(repr(n) for n in unknown),
            "allowed": ", ".join(sorted(PARAMETERS - {"format", "cursor"})),
        }
    text = " ".join(getlist("q"))
    if len(text) > 200:
        errors["q"] = _("The text query is %(length)d characters long; allowed: at most 200.") % {"length": len(text)}
    data["q"] = text[:200]
    for facet in FACETS:
        values = list(dict.fromkeys(getlist(facet.key)))
        problem = _check_values(facet, values) if values else ""
        if problem:
            errors[facet.key] = problem
        data[facet.key] = tuple(values)
        match = (getlist(f"{facet.key}_match") or [ANY_MATCH])[0]
        allowed_modes = (ANY_MATCH, ALL_MATCH) if facet.multi else (ANY_MATCH,)
        if match not in allowed_modes:
            errors[f"{facet.key}_match"] = _("%(value)r is not a match mode; allowed: %(allowed)s.") % {
                "value": match,
                "allowed": ", ".join(allowed_modes),
            }
            match = ANY_MATCH
        data[f"{facet.key}_match"] = match
    data["age_min"] = _age(next(iter(getlist("age_min")), None), "age_min", errors)
    data["age_max"] = _age(next(iter(getlist("age_max")), None), "age_max", errors)
    if data["age_min"] is not None and data["age_max"] is not None and data["age_min"] > data["age_max"]:
        errors["age_max"] = _("The age range %(low)d-%(high)d is empty: age_min must not be above age_max.") % {
            "low": data["age_min"],
            "high": data["age_max"],
        }
    sort = (getlist("sort") or ["name"])[0]
    if sort not in SORTS:
        errors["sort"] = _("%(value)r is not a sort; allowed: %(allowed)s.") % {
            "value": sort,
            "allowed": ", ".join(SORTS),
        }
        sort = "name"
    data["sort"] = sort
    if errors:
        raise SearchError(errors)
    return SearchParams(**data)


# --- filters ----------------------------------------------------------------------------------------------------


def published_collections() -> QuerySet[Collection]:
    """Every collection the public catalogue shows (before any search)."""
    return Collection.objects.filter(
        state=PublicationState.PUBLISHED,
        withdrawn=False,
        biobank__is_active=True,
        biobank__profile__state=PublicationState.PUBLISHED,
        biobank__profile__withdrawn=False,
    )


def _diagnosis_filter(codes: tuple[str, ...], match: str) -> Q:
    parts = []
    for code in codes:
        sql, params = disease_condition(code)
        parts.append(
            Q(RawSQL(f"EXISTS (SELECT 1 FROM unnest({TABLE}.diseases) d WHERE {sql})", params, BooleanField()))
        )
    return _combine(parts, match)


def _combine(parts: list[Q], match: str) -> Q:
    result = parts[0]
    for part in parts[1:]:
        result = (result & part) if match == ALL_MATCH else (result | part)
    return result


def _network_has(code: str) -> Q:
    links = Collection.networks.through.objects.filter(collection_id=OuterRef("pk"), network__bbmri_id=code)
    members = Network.member_biobanks.through.objects.filter(
        biobank_id=OuterRef("biobank_id"), network__bbmri_id=code, network__withdrawn=False
    )
    return Q(Exists(links.filter(network__withdrawn=False))) | Q(Exists(members))


def facet_filter(facet: Facet, params: SearchParams) -> Q | None:
    """The condition of one facet's selection (``None``: nothing selected)."""
    values, match = params.selected(facet.key), params.match(facet.key)
    if not values:
        return None
    if facet.key == "diagnosis":
        return _diagnosis_filter(values, match)
    if facet.column:
        lookup = "contains" if match == ALL_MATCH else "overlap"
        return Q(**{f"{facet.column}__{lookup}": list(values)})
    if facet.key == "country":
        return Q(f_country__in=values)
    if facet.key == "biobank":
        return Q(biobank__code__in=values)
    if facet.key == "network":
        return _combine([_network_has(code) for code in values], match)
    quality = [
        Q(Exists(QualityStandard.objects.filter(biobank_id=OuterRef("biobank_id"), standard=code))) for code in values
    ]
    return _combine(quality, match)


YEARS = f"""(CASE {TABLE}.age_unit WHEN 'MONTH' THEN 1 / 12.0 WHEN 'WEEK' THEN 7 / 365.25
    WHEN 'DAY' THEN 1 / 365.25 ELSE 1.0 END)"""


def age_condition(low: int | None, high: int | None) -> tuple[str, list[Any]]:
    """SQL: does the collection's age range, in years, overlap ``[low, high]`` (either bound may be open)?"""
    sql = f"(({TABLE}.age_low IS NOT NULL OR {TABLE}.age_high IS NOT NULL)"
    params: list[Any] = []
    # Ages are whole units: "up to 16 years" holds people of 16 years and 11 months, and a request for 0-0 years
    # means the first year of life. Both ranges are compared as half-open intervals in years.
    if high is not None:
        sql += f" AND COALESCE({TABLE}.age_low * {YEARS}, 0) < %s"
        params.append(high + 1)
    if low is not None:
        sql += f" AND COALESCE(({TABLE}.age_high + 1) * {YEARS}, 1000) > %s"
        params.append(low)
    return sql + ")", params


def age_filter(params: SearchParams) -> Q | None:
    if not params.has_age:
        return None
    sql, values = age_condition(params.age_min, params.age_max)
    return Q(RawSQL(sql, values, BooleanField()))


def candidates(params: SearchParams) -> QuerySet[Collection]:
    """Published collections matching the text (no facet applied yet), with the effective country."""
    qs = published_collections().annotate(
        f_country=Coalesce(NullIf("country", Value("")), "biobank__country"),
    )
    if params.q:
        query = SearchQuery(params.q, search_type="websearch", config=SEARCH_CONFIG)
        qs = qs.filter(search_text=query)  # the stored, GIN-indexed vector (migration 0005)
    return qs


def facet_filters(params: SearchParams) -> dict[str, Q]:
    """The condition of every active facet (and ``age``), by facet key."""
    found: dict[str, Q] = {}
    for facet in FACETS:
        condition = facet_filter(facet, params)
        if condition is not None:
            found[facet.key] = condition
    age = age_filter(params)
    if age is not None:
        found["age"] = age
    return found


def matching(params: SearchParams) -> QuerySet[Collection]:
    """Every collection the search finds (any order)."""
    qs = candidates(params)
    for condition in facet_filters(params).values():
        qs = qs.filter(condition)
    return qs


def as_flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def size_order(staff_biobank_ids: list[int]) -> RawSQL:
    """The size each reader sees, as an SQL expression to sort by (exact for their own biobanks)."""
    return RawSQL(
        f"""(SELECT CASE WHEN {TABLE}.biobank_id = ANY(%s) THEN f.number_of_samples
            WHEN f.number_of_donors > 0 AND f.number_of_donors < %s THEN NULL
            WHEN f.number_of_samples <= 0 THEN 0 WHEN f.number_of_samples < 10 THEN 10
            ELSE (f.number_of_samples + 5) / 10 * 10 END
            FROM catalog_collectionfact f WHERE f.collection_id = {TABLE}.id
            AND f.sex = '*' AND f.age_range = '*' AND f.material_type = '*' AND f.disease = '*')""",
        [staff_biobank_ids, K_ANONYMITY],
        output_field=IntegerField(),
    )


__all__ = [
    "FACETS",
    "SearchError",
    "SearchParams",
    "matching",
    "parse_params",
    "published_collections",
]
