"""``GET /api/v1/access-requests/<pk>/feasibility``: the request's feasibility rows, exact for the biobank's
committee, rounded for the researcher (the same rule as the request page)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from biobank.api.schema import problem_responses

from ..feasibility import feasibility
from ..selectors import reviewing_biobank_ids
from .requests import TAGS, _one
from .serializers import FeasibilityRowSerializer


class FeasibilityView(APIView):
    @extend_schema(
        operation_id="access_requests_feasibility",
        summary="Feasibility counts of a request",
        description="Per biobank and collection: donors and available specimens matching the request's criteria "
        "whose consent permits its purpose today, and the collection's DUO terms. Reviewers see their biobanks' "
        'rows exactly; the applicants every row rounded to tens ("< 10" for 1-9).',
        tags=TAGS,
        responses={200: FeasibilityRowSerializer(many=True), **problem_responses(404)},
        examples=[
            OpenApiExample(
                "Rounded",
                response_only=True,
                value=[
                    {
                        "biobank": 1,
                        "biobank_name": "Biobank A",
                        "collection": 12,
                        "collection_name": "Diabetes",
                        "donors": "< 10",
                        "specimens": "20",
                        "exact": False,
                        "duo": "approve",
                        "needs_committee": False,
                        "note": "",
                    }
                ],
            )
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        access_request = _one(request, pk)
        exact_for = set(reviewing_biobank_ids(user=request.user).values_list("pk", flat=True))
        applicant = (
            access_request.researcher_id == request.user.pk
            or access_request.team.filter(user_id=request.user.pk or 0, confirmed_at__isnull=False).exists()
        )
        rows = [
            row.shown(exact=row.biobank_id in exact_for)
            for row in feasibility(request=access_request)
            if applicant or row.biobank_id in exact_for
        ]
        return Response(FeasibilityRowSerializer(rows, many=True).data)
