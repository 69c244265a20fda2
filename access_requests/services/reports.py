"""Reporting back on a request (issue 14, item 9): progress reports, publications with their DOI, returned results
and the data destruction certificate, and the per-request compliance report (``access_requests.compliance``)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from biobank.audit.services import audit_record
from biobank.errors import DomainError, ForbiddenError

from ..choices import AttachmentKind, ReportKind, RequestStatus
from ..models import AccessRequest, Report, RequestAttachment
from .workflow import event_record

REPORT_MAX_BYTES = 20 * 1024 * 1024
# Reports come back once access was decided, and publications may follow the close-out.
REPORTABLE = frozenset(
    {RequestStatus.DECIDED, RequestStatus.ACTIVE, RequestStatus.EXPIRED, RequestStatus.REVOKED, RequestStatus.CLOSED}
)
DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
REPORT_FILES = (  # (magic bytes, content type): the file's own first bytes decide, never its name
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
ATTACHMENT_KIND: dict[str, str] = {
    ReportKind.PROGRESS: AttachmentKind.PROGRESS_REPORT,
    ReportKind.RETURNED_RESULTS: AttachmentKind.RETURNED_RESULTS,
    ReportKind.DESTRUCTION: AttachmentKind.DESTRUCTION_CERTIFICATE,
    ReportKind.PUBLICATION: AttachmentKind.OTHER,
}


def doi_normalise(value: str) -> str:
    """``10.<4-9 digits>/<suffix>``, without a resolver prefix (https://doi.org/, doi:); lower-cased prefix kept."""
    doi = value.strip()
    for prefix in _DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
            break
    if not DOI.fullmatch(doi):
        raise DomainError(
            _("“%(value)s” is not a DOI; write it as 10.<4 to 9 digits>/<suffix>, e.g. 10.1089/bio.2017.0109.")
            % {"value": value[:100]},
            field="doi",
            code="invalid_doi",
        )
    return doi


def _content_type(head: bytes) -> str:
    for magic, content_type in REPORT_FILES:
        if head.startswith(magic):
            return content_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return "text/plain" if b"\x00" not in head else ""


def _attachment(*, actor: Any, request: AccessRequest, kind: str, file: UploadedFile) -> RequestAttachment:
    data = file.read(REPORT_MAX_BYTES + 1)
    if len(data) > REPORT_MAX_BYTES:
        raise DomainError(_("The file is larger than 20 MB."), field="file", code="too_large")
    if not data:
        raise DomainError(_("The file is empty."), field="file", code="empty")
    content_type = _content_type(data[:2048])
    if not content_type:
        raise DomainError(
            _("The file is not a PDF, ZIP (e.g. XLSX), PNG, JPEG or plain text (CSV) file."),
            field="file",
            code="file_type",
        )
    digest = hashlib.sha256(data).hexdigest()
    name = (getattr(file, "name", "") or "report").rsplit("/", 1)[-1][-150:]
    attachment = RequestAttachment(
        request=request,
        kind=ATTACHMENT_KIND[kind],
        name=name,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=actor,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def may_report(*, user: Any, request: AccessRequest) -> bool:
    """The researcher and the confirmed team members report back."""
    user_id = getattr(user, "pk", None) or 0
    return request.researcher_id == user_id or request.team.filter(user_id=user_id, confirmed_at__isnull=False).exists()


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    request: AccessRequest,
    kind: str,
    title: str,
    text: str = "",
    doi: str = "",
    file: UploadedFile | None = None,
) -> Report:
    """Attach a report to the request; the committee sees it and the compliance report lists it."""
    if not may_report(user=actor, request=request):
        raise ForbiddenError(_("Only the researcher and the confirmed team report back on a request."))
    if request.status not in REPORTABLE:
        raise DomainError(
            _("Reports are added once access was decided; this request is %(status)s.")
            % {"status": request.get_status_display()},
            field="kind",
            code="transition",
        )
    if kind not in ReportKind.values:
        raise DomainError(
            _("Unknown report kind; use one of: %(kinds)s.") % {"kinds": ", ".join(ReportKind.values)}, field="kind"
        )
    title, text = title.strip(), text.strip()
    if not title:
        raise DomainError(_("Give the report a title."), field="title", code="required")
    doi = doi_normalise(doi) if doi.strip() else ""
    if kind == ReportKind.PUBLICATION and not doi:
        raise DomainError(_("A publication needs its DOI."), field="doi", code="required")
    if kind == ReportKind.RETURNED_RESULTS and file is None:
        raise DomainError(_("Attach the returned results as a file."), field="file", code="required")
    if kind in (ReportKind.PROGRESS, ReportKind.DESTRUCTION) and not (text or file):
        raise DomainError(_("Write the report or attach it as a file."), field="text", code="required")
    attachment = _attachment(actor=actor, request=request, kind=kind, file=file) if file is not None else None
    report = Report.objects.create(
        request=request, kind=kind, title=title, text=text, doi=doi, attachment=attachment, submitted_by=actor
    )
    event_record(
        request=request,
        actor=actor,
        kind="report.submitted",
        data={"report": report.pk, "kind": kind, "title": title, **({"doi": doi} if doi else {})},
        audit_obj=report,
    )
    return report


@transaction.atomic
def compliance_export_record(*, actor: Any, request: AccessRequest) -> None:
    """Audit that ``actor`` exported the request's compliance report."""
    audit_record(
        actor=actor, action="access_request.compliance_exported", obj=request, details={"request": request.number}
    )
