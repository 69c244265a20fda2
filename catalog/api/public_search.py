"""``GET /api/v1/catalog/collections/``: the public catalogue search (issue 12, item 5), no login.

The same search as the page ``/catalogue/search/`` (``catalog.search``): the query parameters mirror the facets,
each multi-valued one with ``<facet>_match=any|all``; the answer holds a page of results (sub-collections inside
their parent) and ``facets``, the counts per value (each facet counted with the OTHER facets applied). Sizes are
exact for staff of the collection's biobank, else k-anonymous and obfuscated (``size_exact`` says which). A bad
parameter is a 400 problem+json naming each parameter (``/<name>``) with the value and what is allowed.

Paging by page number (``page``, ``page_size`` up to 100): the result is bounded by the number of published
collections (hundreds), and a search sorted by size has no stable key for a cursor.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.api.exceptions import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, _request_id, problem
from biobank.api.schema import ProblemSerializer, problem_responses
from biobank.api.throttling import PrincipalRateThrottle
from catalog.search import FACETS, SORTS, SearchError, parse_params
from catalog.search_describe import describe
from catalog.search_results import Entry, run_search

MAX_PAGE_SIZE = 100


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bbmri_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    acronym = serializers.CharField()
    biobank = serializers.CharField(help_text="The biobank's code.")
    biobank_name = serializers.CharField()
    country = serializers.CharField()
    materials = serializers.ListField(child=serializers.CharField())
    diseases = serializers.ListField(child=serializers.CharField())
    size = serializers.IntegerField(allow_null=True, help_text="Samples; null when not published (< 10 donors).")
    size_exact = serializers.BooleanField(help_text="True for staff of the biobank; else obfuscated to tens.")
    children = serializers.ListField(child=serializers.DictField(), help_text="Matching sub-collections, same shape.")


class SearchAnswerSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Collections found, sub-collections included.")
    results_count = serializers.IntegerField(help_text="Top-level entries (what the pages run over).")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    description = serializers.CharField(help_text="The search in words.")
    results = EntrySerializer(many=True)
    facets = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text="Per facet (and `age`, by band), the number of collections per value.",
    )


def _entry(entry: Entry) -> dict[str, Any]:
    c = entry.collection
    return {
        "id": c.pk,
        "bbmri_id": c.bbmri_id,
        "name": c.name,
        "acronym": c.acronym,
        "biobank": c.biobank.code,
        "biobank_name": c.biobank.name,
        "country": c.country or c.biobank.country,
        "materials": c.materials,
        "diseases": c.diseases,
        "size": entry.size,
        "size_exact": entry.exact,
        "children": [_entry(child) for child in entry.children],
    }


EXAMPLE = {
    "count": 2,
    "results_count": 1,
    "page": 1,
    "pages": 1,
    "description": "Collections with material type Plasma or Serum; text 'colorectal'",
    "results": [
        {
            "id": 1,
            "bbmri_id": "bbmri-eric:ID:DE_ukrm-biobank:collection:crc-tissue",
            "name": "Colorectal cancer tissue",
            "acronym": "",
            "biobank": "ukrm-biobank",
            "biobank_name": "University Hospital Rhine-Main Central Biobank",
            "country": "DE",
            "materials": ["TISSUE_FROZEN", "PLASMA"],
            "diseases": ["C18", "C20"],
            "size": 140,
            "size_exact": False,
            "children": [],
        }
    ],
    "facets": {"material": {"PLASMA": 2, "SERUM": 3, "DNA": 1}, "country": {"DE": 2}, "age": {"18-64": 2}},
}
BAD_EXAMPLE = {
    "type": PROBLEM_TYPE_BASE + "validation-error",
    "title": "Invalid input",
    "status": 400,
    "detail": "/material: Unknown value(s) 'PLASM'; allowed: NAV, PATHOGEN, RNA, …",
    "instance": "/api/v1/catalog/collections/",
    "errors": [
        {
            "pointer": "/material",
            "message": "Unknown value(s) 'PLASM'; allowed: NAV, PATHOGEN, RNA, …",
            "code": "invalid",
        }
    ],
}


def _parameters() -> list[OpenApiParameter]:
    found = [
        OpenApiParameter("q", str, description="Full-text query (web-search syntax: quotes, -word, or)."),
        OpenApiParameter("age_min", int, description="Age range, in years: collections overlapping it."),
        OpenApiParameter("age_max", int, description="Upper end of the age range, in years."),
        OpenApiParameter("sort", str, enum=list(SORTS), description="`name` (default) or `size` (largest first)."),
        OpenApiParameter("page", int, description="Page number, from 1."),
        OpenApiParameter("page_size", int, description=f"Entries per page, 1 to {MAX_PAGE_SIZE} (default 20)."),
    ]
    for facet in FACETS:
        allowed = (
            "ICD-10 chapter (`chapter:II`), block, code or `ORPHA:<n>`"
            if facet.key == "diagnosis"
            else (f"codes of `{facet.vocabulary}`" if facet.vocabulary else f"{facet.key} identifiers")
        )
        found.append(
            OpenApiParameter(
                facet.key, str, many=True, explode=True, description=f"{facet.label}: {allowed}; repeat for several."
            )
        )
        if facet.multi:
            found.append(OpenApiParameter(f"{facet.key}_match", str, enum=["any", "all"], description="Default `any`."))
    return found


def _bad(request: Request, errors: dict[str, str]) -> Response:
    entries = [{"pointer": f"/{name}", "message": message, "code": "invalid"} for name, message in errors.items()]
    body = problem(
        status_code=400,
        title="Invalid input",
        detail="; ".join(f"{e['pointer']}: {e['message']}" for e in entries),
        problem_type="validation-error",
        instance=request.path,
        request_id=_request_id(request),
        errors=entries,
    )
    return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


def _int(raw: str | None, name: str, low: int, high: int, default: int, errors: dict[str, str]) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        errors[name] = f"{raw!r} is not allowed; allowed: a whole number from {low} to {high}."
        return default
    return value


class PublicCollectionSearchView(APIView):
    """No login; the rate limit of every API caller (anonymous: per client address)."""

    permission_classes = [AllowAny]
    throttle_classes = [PrincipalRateThrottle]

    @extend_schema(
        operation_id="catalog_collections_search",
        tags=["catalogue"],
        auth=[],
        summary="Search the public catalogue of collections",
        description=__doc__,
        parameters=_parameters(),
        responses={
            200: OpenApiResponse(
                SearchAnswerSerializer, examples=[OpenApiExample("Plasma or serum", value=EXAMPLE, response_only=True)]
            ),
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer,
                description="Bad parameters, one entry each, naming the allowed values.",
                examples=[
                    OpenApiExample("Unknown material", value=BAD_EXAMPLE, response_only=True, status_codes=["400"])
                ],
            ),
            **problem_responses(429),
        },
    )
    def get(self, request: Request) -> Response:
        errors: dict[str, str] = {}
        query = request.query_params.copy()
        page = _int(query.pop("page", [None])[-1], "page", 1, 10**6, 1, errors)
        page_size = _int(query.pop("page_size", [None])[-1], "page_size", 1, MAX_PAGE_SIZE, 20, errors)
        try:
            params = parse_params(query)
        except SearchError as error:
            errors |= error.errors
        if errors:
            return _bad(request, errors)
        result = run_search(params, user=request.user, page=page, page_size=page_size)
        return Response(
            {
                "count": result.total,
                "results_count": result.results,
                "page": result.page,
                "pages": result.pages,
                "description": describe(params),
                "results": [_entry(entry) for entry in result.entries],
                "facets": result.facets.counts,
            }
        )
