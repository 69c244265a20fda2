"""Specimen imports API: upload a file (its dry run starts), read the job and its report, import it.

Jobs are visible to callers holding ``change_specimens`` on the job's biobank (``import_jobs_visible_to``); any other
job is a 404. The work runs as Celery jobs: the upload answers 202 at once, and the job's ``status``/``progress`` say
where it stands (``uploaded`` → ``validating`` → ``valid``/``invalid``; ``committing`` → ``imported``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from biobank.accounts.principals import AuthenticatedRequest
from biobank.api.fields import BiobankCodeField
from biobank.api.parsers import JSONParser
from biobank.api.schema import READ_PROBLEMS, WRITE_PROBLEMS, problem_responses

from ..imports.selectors import import_jobs_visible_to, import_problems
from ..models import ImportJob, ImportProblem
from ..services import imports as services
from .import_serializers import ImportJobSerializer, ImportProblemSerializer, ImportUploadSerializer

JOB_EXAMPLE = {
    "id": 12,
    "biobank": "biobank-a",
    "file_name": "serum-2024.csv",
    "file_format": "csv",
    "file_size": 20480,
    "file_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "status": "valid",
    "progress": 100,
    "rows_total": 100,
    "rows_done": 100,
    "error_count": 0,
    "imported_count": 0,
    "message": "",
    "created_at": "2025-01-31T12:00:00Z",
    "validated_at": "2025-01-31T12:00:02Z",
    "committed_at": None,
}
ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The import job's id.")


def visible_job(request: AuthenticatedRequest, pk: int) -> ImportJob:
    job = import_jobs_visible_to(user=request.user).filter(pk=pk).first()
    if job is None:
        raise exceptions.NotFound(f"No import {pk} that you may see.")
    return job


class ImportCreateView(APIView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="specimen_imports_create",
        summary="Upload an import file",
        description="Needs `change_specimens` on the biobank named in the body. Send the file as multipart form "
        "data (`file`, `biobank`), or a small CSV as JSON (`content`, `file_name`, `biobank`). The answer is 202: the "
        "dry run (the whole file, every error) runs as a job; poll the job, read its `errors/`, then `commit/`. "
        "The columns are explained by the template (`/specimens/<code>/imports/template/?kind=xlsx`).",
        request={"multipart/form-data": ImportUploadSerializer, "application/json": ImportUploadSerializer},
        responses={202: ImportJobSerializer, **problem_responses(403, 413, *WRITE_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Small CSV as JSON",
                request_only=True,
                media_type="application/json",
                value={
                    "biobank": "biobank-a",
                    "file_name": "serum.csv",
                    "content": "donor_pid,collection,sample_type,quantity,unit\n7KQ2M-X9TRB-3,serum-2024,SER,0.5,mL\n",
                },
            ),
            OpenApiExample(
                "Accepted", response_only=True, status_codes=["202"], value={**JOB_EXAMPLE, "status": "uploaded"}
            ),
        ],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = ImportUploadSerializer(data=request.data, context={"request": request})
        BiobankCodeField.of(serializer).require_somewhere(request.user)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data.get("file")
        if upload is not None:
            content, name = upload.read(), upload.name or "import"
        else:
            content, name = data["content"].encode(), data["file_name"]
        job = services.import_upload(actor=request.user, biobank=data["biobank"], data=content, file_name=name)
        job.refresh_from_db()
        response = Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api-specimen-import-detail", kwargs={"pk": job.pk}, request=request)
        return response


class ImportDetailView(APIView):
    @extend_schema(
        operation_id="specimen_imports_retrieve",
        summary="An import job",
        description="Status, progress (per cent of the rows the running step has handled) and counts.",
        parameters=[ID_PARAMETER],
        responses={200: ImportJobSerializer, **problem_responses(404, *READ_PROBLEMS)},
        examples=[OpenApiExample("Checked", response_only=True, value=JOB_EXAMPLE)],
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(ImportJobSerializer(visible_job(request, pk)).data)


class ImportErrorsView(generics.ListAPIView):
    request: AuthenticatedRequest
    serializer_class = ImportProblemSerializer
    cursor_ordering = "pk"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks without a job
            return ImportProblem.objects.none()
        return import_problems(visible_job(self.request, self.kwargs["pk"]))

    @extend_schema(
        operation_id="specimen_imports_errors",
        summary="The report of an import's check",
        description="Every problem the check found, in file order, cursor-paginated: the row (1 is the header), "
        "the column, the value as read and a sentence naming the rule. SPREC problems name the position or fact.",
        parameters=[ID_PARAMETER],
        responses={200: ImportProblemSerializer(many=True), **problem_responses(400, 404, *READ_PROBLEMS)},
        examples=[
            OpenApiExample(
                "Errors",
                response_only=True,
                value={
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "row": 3,
                            "column": "storage_temperature_c",
                            "value": "37",
                            "message": "storage_temperature_c 37 °C has no SPREC storage letter for a cryotube-1-2ml.",
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ImportCommitView(APIView):
    @extend_schema(
        operation_id="specimen_imports_commit",
        summary="Import a checked file",
        description="Only a job whose check found no error (`valid`) can be imported (else 409). The import "
        "re-checks the file and writes every row or none; the answer is 202 and the job says how it ended.",
        parameters=[ID_PARAMETER],
        request=None,
        responses={202: ImportJobSerializer, **problem_responses(404, 409, *WRITE_PROBLEMS)},
        examples=[OpenApiExample("Imported", response_only=True, value={**JOB_EXAMPLE, "status": "imported"})],
    )
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        job = visible_job(request, pk)
        services.import_commit_request(actor=request.user, job=job)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
