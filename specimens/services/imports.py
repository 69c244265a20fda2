"""Bulk import of specimens: upload a file (a job), check it whole (dry run), then import it all or nothing.

The web request only stores the file and records the upload; the Celery tasks ``specimens.import_check`` and
``specimens.import_commit`` (``specimens/tasks.py``) do the work, with progress on the job. The dry run keeps the
converted rows (``specimens/imports/prepared.py``); the commit stages them, re-checks what the database may have
changed since (barcodes, donors, collections, withdrawals) and writes specimens, events and one audit outbox row per
specimen set-based in one transaction (``specimens/imports/commit.py``); any problem writes nothing.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import ApiToken, Biobank
from biobank.accounts.principals import Actor, TokenPrincipal, person_or_none
from biobank.audit.dispatch import schedule_drain
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError
from biobank.ops.after_commit import after_commit, publish

from ..catalog_facts import facts_changed
from ..choices import SpecimenAuditAction
from ..imports.check import Problem, Report, check_file
from ..imports.commit import StagingWriter, audit_copy, audit_rows, copy_field, insert_rows, raw_cursor, staging_create
from ..imports.prepared import PreparedWriter, prepared_delete, prepared_save, prepared_stage
from ..models import ImportFormat, ImportJob, ImportProblem, ImportStatus
from .events import actor_label
from .permissions import require_change_specimens

MAX_FILE_BYTES = 512 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"


def _format_of(file_name: str, data: bytes) -> str:
    name = file_name.lower()
    if name.endswith(".xlsx") or data.startswith(XLSX_MAGIC):
        return ImportFormat.XLSX
    if name.endswith((".csv", ".txt", ".tsv")) or not name.rpartition(".")[1]:
        return ImportFormat.CSV
    raise DomainError(
        _("%(name)s is neither a CSV nor an XLSX file; download the template to see the format.") % {"name": file_name},
        field="file",
        code="format",
    )


@transaction.atomic
def import_upload(*, actor: Actor, biobank: Biobank, data: bytes, file_name: str) -> ImportJob:
    """Store an uploaded file as a new job and queue its dry run (after commit)."""
    require_change_specimens(actor, biobank)
    if not data:
        raise DomainError(_("The uploaded file is empty."), field="file", code="empty")
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(
            _("The file has %(size)d bytes; an import takes at most %(max)d.")
            % {"size": len(data), "max": MAX_FILE_BYTES},
            field="file",
        )
    file_format = _format_of(file_name, data)
    token = actor.token if isinstance(actor, TokenPrincipal) else actor if isinstance(actor, ApiToken) else None
    job = ImportJob(
        uid=uuid.uuid4(),
        biobank=biobank,
        created_by=person_or_none(actor),
        api_token=token,
        actor_label=actor_label(actor),
        file_name=file_name[:200],
        file_format=file_format,
        file_size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
    )
    job.file.save(f"{job.uid}.{file_format}", ContentFile(data), save=False)
    job.save(force_insert=True)
    audit_record(
        actor=actor,
        action=SpecimenAuditAction.SPECIMEN_IMPORT_UPLOAD,
        obj=job,
        details={"file": job.file_name, "sha256": job.file_sha256, "size": job.file_size, "format": file_format},
    )
    from ..tasks import import_check as task

    after_commit(task, job_id=job.pk)
    return job


def imports_pending(*, older_than_seconds: int = 600, stalled_check_seconds: int = 1800) -> int:
    """Catch-up: jobs whose task was never delivered (broker down at commit) are queued again. A check that
    stalled (its worker died mid-file) starts over; an import still running is safe to queue again (the second
    run waits on the job's row lock, then finds it imported)."""
    from ..tasks import import_check as check
    from ..tasks import import_commit as commit

    now = timezone.now()
    ImportJob.objects.filter(
        status=ImportStatus.VALIDATING, updated_at__lt=now - timedelta(seconds=stalled_check_seconds)
    ).update(status=ImportStatus.UPLOADED, updated_at=now - timedelta(seconds=older_than_seconds))
    stuck = ImportJob.objects.filter(
        updated_at__lte=now - timedelta(seconds=older_than_seconds),
        status__in=[ImportStatus.UPLOADED, ImportStatus.COMMITTING],
    )
    count = 0
    for job_id, status in stuck.values_list("pk", "status"):
        publish(check if status == ImportStatus.UPLOADED else commit, job_id=job_id)
        count += 1
    return count


def _actor_of(job: ImportJob) -> Actor:
    if job.api_token_id is not None:
        return TokenPrincipal(job.api_token)  # type: ignore[arg-type]  # loaded: api_token_id is set
    return job.created_by


def _progress_key(job_id: int) -> str:
    return f"specimens:import-progress:{job_id}"


def import_progress(job: ImportJob) -> int:
    """Rows handled by the running step: the cache while a step runs (the commit's transaction hides its own
    writes from other connections), the job's column otherwise."""
    if job.running:
        return min(int(cache.get(_progress_key(job.pk)) or job.rows_done), max(job.rows_total, 0) or 10**9)
    return job.rows_done


def _set_progress(job_id: int, rows: int) -> None:
    cache.set(_progress_key(job_id), rows, timeout=3600)


def _store_problems(job: ImportJob, problems: list[Problem]) -> None:
    """All problems in one COPY (a million broken rows included)."""
    ImportProblem.objects.filter(job=job).delete()
    if not problems:
        return
    buffer = io.StringIO()
    for problem in problems:
        fields = [str(job.pk), str(problem.row), problem.column[:64], problem.value[:200], problem.message]
        buffer.write("\t".join(copy_field(field) for field in fields) + "\n")
    buffer.seek(0)
    raw_cursor().copy_expert(
        'COPY specimens_importproblem (job_id, "row", "column", value, message) FROM STDIN', buffer
    )


def _locked(job_id: int, *, expect: str, then: str) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("biobank").get(pk=job_id)
        if job.status != expect:
            return None  # run twice (late acknowledgement): the first run owns it
        job.status = then
        job.rows_done = 0
        job.save(update_fields=["status", "rows_done", "updated_at"])
    _set_progress(job_id, 0)
    return job


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def import_check(*, job_id: int) -> ImportJob | None:
    """The dry run: every problem of the file stored on the job; ``valid`` when there is none."""
    job = _locked(job_id, expect=ImportStatus.UPLOADED, then=ImportStatus.VALIDATING)
    if job is None:
        return None
    try:
        data = _read(job)
        if job.file_format == ImportFormat.CSV:  # the total for the progress bar: one line per row, nearly always
            job.rows_total = max(0, data.count(b"\n") - 1)
            job.save(update_fields=["rows_total"])
        report = prepare(job, data, progress=lambda n: _set_progress(job_id, n))
    except Exception as error:
        _fail(job, error)
        raise
    with transaction.atomic():
        _store_problems(job, report.problems)
        _finish(job, report, ImportStatus.VALID if report.clean else ImportStatus.INVALID)
        job.validated_at = timezone.now()
        job.save(update_fields=["validated_at"])
    return job


def prepare(job: ImportJob, data: bytes, progress: Callable[[int], None] | None = None) -> Report:
    """The whole check of the file; a clean file's converted rows are kept for the commit (``prepared``)."""
    writer = PreparedWriter()
    report = check_file(data=data, file_format=job.file_format, biobank=job.biobank, sink=writer, progress=progress)
    prepared_save(job, writer, report, hashlib.sha256(data).hexdigest())
    return report


def _finish(job: ImportJob, report: Report, status: str) -> None:
    job.status = status
    job.rows_total = job.rows_done = report.rows
    job.error_count = len(report.problems)
    job.save(update_fields=["status", "rows_total", "rows_done", "error_count", "updated_at"])


def _fail(job: ImportJob, error: BaseException) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, message=_("The job stopped: %(error)s") % {"error": str(error)[:500]}
    )


@transaction.atomic
def import_commit_request(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Ask for the import of a checked file (queued after commit); only a clean dry run can be imported."""
    require_change_specimens(actor, job.biobank)
    job = ImportJob.objects.select_for_update().select_related("biobank").get(pk=job.pk)
    if not job.can_become(ImportStatus.COMMITTING):
        raise ConflictError(
            _("Import %(file)s is %(status)s; only a file whose check found no error can be imported.")
            % {"file": job.file_name, "status": job.get_status_display()},
            code="status",
        )
    job.status = ImportStatus.COMMITTING
    job.rows_done = 0
    job.save(update_fields=["status", "rows_done", "updated_at"])
    from ..tasks import import_commit as task

    after_commit(task, job_id=job.pk)
    return job


class _Rejected(Exception):
    def __init__(self, report: Report) -> None:
        self.report = report


def import_commit(*, job_id: int) -> ImportJob:
    """Re-check and import the whole file in one transaction; nothing is written if any row has a problem."""
    job = ImportJob.objects.select_related("biobank", "created_by", "api_token").get(pk=job_id)
    if job.status != ImportStatus.COMMITTING:
        return job
    actor = _actor_of(job)
    try:
        _commit(job, actor)
    except _Rejected as rejected:
        prepared_delete(job)
        with transaction.atomic():
            _store_problems(job, rejected.report.problems)
            _finish(job, rejected.report, ImportStatus.INVALID)
        return job
    except (DatabaseError, DomainError) as error:
        # a race the check could not see (a barcode taken this instant), or the uploader may no longer change
        # specimens here (a revoked token or role): nothing written, the job says why
        _fail(job, error)
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    return job


@transaction.atomic
def _commit(job: ImportJob, actor: Actor) -> int:
    # The job row stays locked until this transaction ends: a second delivery of the task (late acknowledgement,
    # the catch-up) waits here, then finds the job imported and does nothing.
    if ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportStatus.COMMITTING).first() is None:
        return 0
    biobank = job.biobank
    require_change_specimens(actor, biobank)
    cursor = raw_cursor()
    progress = partial(_set_progress, job.pk)
    # the dry run's converted rows, re-checked against the database as it is now; else the whole file again
    staged = prepared_stage(cursor, job, biobank, progress)
    if staged is not None:
        report, writer = staged
    else:
        staging_create(cursor)
        writer = StagingWriter(cursor, biobank)
        report = check_file(
            data=_read(job), file_format=job.file_format, biobank=biobank, sink=writer, progress=progress
        )
    if not report.clean:
        raise _Rejected(report)
    user = person_or_none(actor)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-insert") as pool:
        # the server inserts specimens and events while Python signs the audit rows (no query meanwhile)
        inserting = pool.submit(
            insert_rows,
            cursor,
            biobank=biobank,
            report=report,
            user_id=user.pk if user else None,
            label=actor_label(actor),
            job_uid=str(job.uid),
        )
        lines = list(audit_rows(actor=actor, biobank=biobank, writer=writer, report=report, job_uid=str(job.uid)))
        specimens, _events = inserting.result()
    audited = audit_copy(cursor, lines)
    if not specimens == audited == report.rows:  # the joins dropped a row: never import part of a file
        raise DatabaseError(
            _("%(rows)d rows gave %(specimens)d specimens and %(audited)d audit events; nothing was kept.")
            % {"rows": report.rows, "specimens": specimens, "audited": audited}
        )
    schedule_drain()
    facts_changed()  # the insert trigger marked the file's collections; recomputed after commit
    # The prepared rows are spent: deleted now, not after commit (a rollback later leaves the job to the fallback,
    # the whole-file check, which needs no prepared file).
    prepared_delete(job)
    job.status = ImportStatus.IMPORTED
    job.rows_total = job.rows_done = job.imported_count = specimens
    job.error_count = 0
    job.committed_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "rows_total",
            "rows_done",
            "imported_count",
            "error_count",
            "committed_at",
            "updated_at",
        ]
    )
    return specimens
