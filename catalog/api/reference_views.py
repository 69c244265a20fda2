"""Public facts and vocabularies of the catalogue API (``/api/v1/catalog/facts/``, ``/api/v1/catalog/vocabularies/``).

Facts of one collection (``?collection=<number or BBMRI-ERIC ID>``, required): only the k-anonymous rows
(``publishable``: 0 or at least 10 donors), for everyone; the counts are obfuscated like the Sample Locator's
(``obfuscate``) for anonymous callers and researchers, exact for staff of the collection's biobank
(``view_catalog``). Filters: ``sex``, ``age_range``, ``material_type`` (codes, ``*`` for the marginal) and
``disease`` (ICD-10 / ORPHA code, ``*``, or ``none`` for rows without a diagnosis).

Vocabularies: the names and sizes of the shipped code lists; the terms of one, cursor-paginated, with ``?q=``
searching the code (prefix) and the label (any part), which the ICD-10 picker uses (12.5k codes).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response

from biobank.api.schema import problem_responses

from .. import vocabularies as v
from ..facts.privacy import K_ANONYMITY
from ..models import Collection, CollectionFact, PublicationState, VocabularyTerm
from .catalogue_serializers import FactSerializer, TermSerializer, VocabularySerializer
from .catalogue_views import PublicCatalogView, _by_id, staff_biobanks

FACT_FILTERS = ("sex", "age_range", "material_type", "disease")
FACTS_EXAMPLE = [
    {
        "collection": 12, "sex": {"code": "FEMALE", "label": "Female"}, "age_range": {"code": "*", "label": "Any"},
        "material_type": {"code": "*", "label": "Any"}, "disease": {"code": "C18", "label": "C18 Malignant "
        "neoplasm of colon"}, "number_of_samples": 130, "number_of_donors": 40, "exact": False,
        "computed_at": "2026-12-06T02:00:00Z",
    }
]  # fmt: skip


class CatalogFactListView(PublicCatalogView, generics.ListAPIView):
    serializer_class = FactSerializer
    cursor_ordering = "pk"
    exact = False

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return CollectionFact.objects.none()
        params = self.request.query_params
        wanted = (params.get("collection") or "").strip()
        if not wanted:
            raise exceptions.ValidationError({"collection": ["Required: the collection's number or BBMRI-ERIC ID."]})
        collection = (
            Collection.objects.filter(_by_id(wanted, "bbmri_id"))
            .filter(Q(state=PublicationState.PUBLISHED) | Q(biobank__in=staff_biobanks(self.request)))
            .first()
        )
        if collection is None:
            raise exceptions.NotFound(f"No published collection {wanted}.")
        self.exact = Collection.objects.filter(pk=collection.pk, biobank__in=staff_biobanks(self.request)).exists()
        facts = CollectionFact.objects.filter(collection=collection).filter(
            Q(number_of_donors=0) | Q(number_of_donors__gte=K_ANONYMITY)  # privacy.publishable, in SQL
        )
        for name in FACT_FILTERS:
            value = params.get(name)
            if value is not None:
                facts = facts.filter(**{name: "" if (name == "disease" and value == "none") else value})
        return facts

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "exact": self.exact}

    @extend_schema(
        operation_id="catalog_facts_list",
        tags=["catalogue"],
        auth=[],
        summary="Facts of a collection (sex x age range x material x disease)",
        description="Only k-anonymous rows (0 or at least 10 donors). Counts are rounded like the Sample Locator's "
        "(0 → 0, 1-9 → 10, else to the nearest 10) unless you are staff of the collection's biobank (`exact`). "
        "`*` marks a marginal; the row `*` on every dimension is the collection's total. No login.",
        parameters=[
            OpenApiParameter("collection", str, required=True, description="Number or BBMRI-ERIC ID."),
            OpenApiParameter("sex", str, description="Directory sex code or `*`."),
            OpenApiParameter("age_range", str, description="Directory age range or `*`."),
            OpenApiParameter("material_type", str, description="Directory material type or `*`."),
            OpenApiParameter("disease", str, description="ICD-10/ORPHA code, `*`, or `none` (no diagnosis)."),
        ],
        responses={200: FactSerializer(many=True), **problem_responses(400, 404, 429)},
        examples=[OpenApiExample("Facts", value=FACTS_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class VocabularyListView(PublicCatalogView):
    @extend_schema(
        operation_id="catalog_vocabularies_list",
        tags=["catalogue"],
        auth=[],
        summary="The code lists of the catalogue",
        description="MIABIS 3.0 lists, the BBMRI-ERIC Directory's lists, DUO and ICD-10 (WHO 2019). No login.",
        responses={200: VocabularySerializer(many=True), **problem_responses(429)},
        examples=[OpenApiExample("Lists", value=[{"name": "Directory.SexTypes", "terms": 8}], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return Response([{"name": name, "terms": len(v.terms(name))} for name in v.vocabulary_names()])


class VocabularyTermListView(PublicCatalogView, generics.ListAPIView):
    serializer_class = TermSerializer
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return VocabularyTerm.objects.none()
        name = self.kwargs["name"]
        if name not in v.vocabulary_names():
            raise exceptions.NotFound(
                f"No vocabulary {name!r}; the vocabularies are: {', '.join(v.vocabulary_names())}."
            )
        terms = VocabularyTerm.objects.filter(vocabulary=name)
        q = (self.request.query_params.get("q") or "").strip()
        if q:
            terms = terms.filter(Q(code__istartswith=q) | Q(label__icontains=q))
        return terms

    @extend_schema(
        operation_id="catalog_vocabulary_terms_list",
        tags=["catalogue"],
        auth=[],
        summary="The terms of one code list",
        description="In the list's order, cursor-paginated. `q` matches the start of the code or any part of the "
        "label, case-insensitive (the ICD-10 picker: `?q=colon`, `?q=C18`). No login.",
        parameters=[
            OpenApiParameter(
                "name", str, OpenApiParameter.PATH, description="e.g. `ICD-10`, `Directory.MaterialTypes`."
            ),
            OpenApiParameter("q", str, description="Search in code and label."),
        ],
        responses={200: TermSerializer(many=True), **problem_responses(400, 404, 429)},
        examples=[
            OpenApiExample(
                "ICD-10",
                response_only=True,
                value=[
                    {"code": "C18", "label": "Malignant neoplasm of colon", "parent": "C15-C26", "kind": "category"}
                ],
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
