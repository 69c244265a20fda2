"""Shapes of the specimen-imports API: the upload (multipart file, or JSON text for small files), a job, a problem."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from biobank.accounts.choices import Perm
from biobank.api.fields import BiobankCodeField
from biobank.api.serializers import ModelSerializer

from ..models import ImportJob, ImportProblem


class ImportUploadSerializer(serializers.Serializer):
    """Either ``file`` (multipart) or ``content`` with ``file_name`` (JSON, for small files)."""

    biobank = BiobankCodeField(perm=Perm.CHANGE_SPECIMENS, action="change specimens")
    file = serializers.FileField(required=False, help_text="The CSV (UTF-8) or XLSX file, as multipart form data.")
    content = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=1024 * 1024,
        help_text="The CSV text itself, for small files (up to 1 MiB; larger files as multipart `file`).",
    )
    file_name = serializers.CharField(required=False, max_length=200, default="import.csv")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("file")) == bool(attrs.get("content")):
            raise serializers.ValidationError({"file": _("Send either a file or its content as text, not both.")})
        return attrs


class ImportJobSerializer(ModelSerializer):
    biobank = serializers.CharField(source="biobank.code")
    progress = serializers.SerializerMethodField(help_text="Per cent of the rows handled by the running step.")
    rows_done = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "biobank",
            "file_name",
            "file_format",
            "file_size",
            "file_sha256",
            "status",
            "progress",
            "rows_total",
            "rows_done",
            "error_count",
            "imported_count",
            "message",
            "created_at",
            "validated_at",
            "committed_at",
        ]

    def get_progress(self, job: ImportJob) -> int:
        from ..services.imports import import_progress

        if job.running and job.rows_total:
            return min(99, int(100 * import_progress(job) / job.rows_total))
        return job.progress_percent

    def get_rows_done(self, job: ImportJob) -> int:
        from ..services.imports import import_progress

        return import_progress(job)


class ImportProblemSerializer(ModelSerializer):
    class Meta:
        model = ImportProblem
        fields = ["row", "column", "value", "message"]
