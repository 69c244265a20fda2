"""Bulk imports of specimens: one job per uploaded file, its dry-run report, and its all-or-nothing commit.

The uploaded file is stored (``MEDIA_ROOT/specimens/imports/``) and a Celery job does the work, so no web request
ever holds a large file's validation or import. Every problem found is one ``ImportProblem`` row (row, column, value,
message): a dry run reports them all, with no row cap.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from biobank.accounts.models import ApiToken, Biobank


class ImportStatus(models.TextChoices):
    """Where a job stands; ``IMPORT_ALLOWED_TRANSITIONS`` says what may follow."""

    UPLOADED = "uploaded", _("Uploaded")
    VALIDATING = "validating", _("Checking")
    INVALID = "invalid", _("Has errors")
    VALID = "valid", _("Ready to import")
    COMMITTING = "committing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


S = ImportStatus
IMPORT_ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.UPLOADED: frozenset({S.VALIDATING, S.FAILED}),
    S.VALIDATING: frozenset({S.VALID, S.INVALID, S.FAILED}),
    S.INVALID: frozenset(),
    # an import re-checks the file; what changed since the dry run (a barcode taken meanwhile) makes it invalid
    S.VALID: frozenset({S.COMMITTING}),
    S.COMMITTING: frozenset({S.IMPORTED, S.INVALID, S.FAILED}),
    S.IMPORTED: frozenset(),
    S.FAILED: frozenset(),
}
RUNNING = frozenset({S.UPLOADED, S.VALIDATING, S.COMMITTING})


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


def _import_path(instance: ImportJob, filename: str) -> str:
    return f"specimens/imports/{instance.biobank_id}/{instance.uid}.{instance.file_format}"


class ImportJob(models.Model):
    """One uploaded file of specimens: checked (dry run), then imported as a whole or not at all."""

    uid = models.UUIDField(unique=True)
    biobank = models.ForeignKey(Biobank, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    api_token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("uploaded by"), max_length=254, blank=True)
    file = models.FileField(upload_to=_import_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4, choices=ImportFormat.choices)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0, help_text=_("rows handled by the running step"))
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    imported_count = models.PositiveIntegerField(_("imported"), default=0)
    message = models.TextField(blank=True, help_text=_("why a job failed (not a row's error)"))
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["biobank", "-created_at", "-id"], name="import_job_biobank_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rows_done__lte=models.F("rows_total")), name="import_progress")
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def can_become(self, status: str) -> bool:
        return status in IMPORT_ALLOWED_TRANSITIONS[self.status]

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def progress_percent(self) -> int:
        if self.status in (ImportStatus.IMPORTED, ImportStatus.VALID, ImportStatus.INVALID):
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class ImportProblem(models.Model):
    """One error of a file: the row (1 = the header), the column, the value as read and a sentence."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=64, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    message = models.TextField(_("message"))

    class Meta:
        ordering = ["job", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"row {self.row} {self.column}: {self.message}"
