"""Scanned paper forms: upload (checked by content, stored encrypted) and the second person's QC, which makes
the form count.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import User
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ...choices import ConsentSource, ConsentStatus
from ...documents import document_store, signature_store
from ...free_text import free_text_check
from ...models import Consent, Donor, Template
from ...selectors.consents import consent_later_denials
from ..capture_checks import check_representation
from ..permissions import require_manage_consent
from .signing import (
    _capture_details,
    _check_choices,
    _check_donor,
    _check_information,
    _check_language,
    _check_representative,
    _expand,
    _lock_and_mark_signed,
    _save_choices,
    _template_modules,
)

# Proposed setting (CONSENT_SCAN_MAX_BYTES); a module constant until it exists.
SCAN_MAX_BYTES = 10 * 1024 * 1024


SCAN_KINDS = (  # (magic bytes, content type, extension): the file's own first bytes decide, never its name
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def scan_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, or None if it is not a PDF, PNG or JPEG."""
    for magic, content_type, extension in SCAN_KINDS:
        if head.startswith(magic):
            return content_type, extension
    return None


@transaction.atomic
def consent_scan_upload(
    *,
    actor: User,
    donor: Donor,
    template: Template,
    language: str,
    choices: Mapping[str, str],
    signed_on: date,
    file: File,
    representative_name: str = "",
    representative_relation: str = "",
    representative_legal_basis: str = "",
    informed_by: Any = None,
    informed_place: str = "",
) -> Consent:
    """Record a signed paper form from its scan; it counts only after a second person approves it in QC.

    As on screen: who informed the donor and where are required, and a minor on ``signed_on`` needs a
    representative with a legal basis.

    The scan must be a PDF, PNG or JPEG (by its first bytes) of at most ``SCAN_MAX_BYTES``; anything else is
    refused before a byte is stored. The version must have been in use on ``signed_on``.
    """
    require_manage_consent(actor, donor.biobank)
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if not size:
        raise DomainError(_("The scan is empty."), field="scan", code="empty")
    if size > SCAN_MAX_BYTES:
        raise DomainError(
            _("The scan is %(size_mb)s MB; at most %(max_mb)s MB is accepted.")
            % {
                "size_mb": format(size / 1024 / 1024, ".1f"),
                "max_mb": SCAN_MAX_BYTES // 1024 // 1024,
            },
            field="scan",
            code="too_large",
        )
    file.seek(0)
    kind = scan_kind(file.read(16))
    if kind is None:
        raise DomainError(
            _(
                "The scan is not a PDF, PNG or JPEG file (judged by its content, not its name); scan the form as one "
                "of "
                "these."
            ),
            field="scan",
            code="file_type",
        )
    _check_donor(donor)
    if template.biobank_id != donor.biobank_id:
        raise DomainError(_("This template belongs to another biobank."), field="template")
    today = timezone.localdate()
    if signed_on > today:
        raise DomainError(_("The signature date lies in the future."), field="signed_on")
    template = Template.objects.select_for_update().get(pk=template.pk)
    if not template.in_use_on(signed_on):
        raise DomainError(
            _(
                "Version %(version_label)s of %(template_code)s was not in use on %(signed_on)s (in use "
                "%(activated_on)s to %(retired_on)s): check the version printed on the form."
            )
            % {
                "version_label": template.version_label,
                "template_code": template.code,
                "signed_on": signed_on,
                "activated_on": template.activated_on or "never",
                "retired_on": template.retired_on or "today",
            },
            field="template",
            code="outdated_version",
        )
    _check_language(template, language)
    modules = _template_modules(template)
    checked = _check_choices(template, modules, choices, language)
    rep_name, rep_relation = _check_representative(representative_name, representative_relation)
    legal_basis = check_representation(
        donor=donor,
        signed_on=signed_on,
        representative_name=rep_name,
        representative_relation=rep_relation,
        legal_basis=representative_legal_basis,
    )
    informed_by, informed_place = _check_information(actor, donor, informed_by, informed_place)
    now = timezone.now()
    _lock_and_mark_signed(template, now)
    file.seek(0)
    content = file.read()
    consent = Consent(
        biobank_id=donor.biobank_id,
        donor=donor,
        template=template,
        language=language,
        source=ConsentSource.PAPER_SCAN,
        status=ConsentStatus.PENDING_QC,
        signed_on=signed_on,
        recorded_at=now,
        recorded_by=actor,
        representative_relation=rep_relation,
        representative_legal_basis=legal_basis,
        informed_by=informed_by,
        informed_place=informed_place,
        scan_sha256=hashlib.sha256(content).hexdigest(),
        scan_content_type=kind[0],
    )
    document_store(consent, "scan", content)
    try:
        consent.save()
        signature_store(consent=consent, representative_name=rep_name)
        _save_choices(consent, checked)
        audit_record(
            actor=actor,
            action="consent.scan_upload",
            obj=consent,
            details={
                "donor": donor.pid,
                "template": template.code,
                "version": template.version_label,
                "signed_on": signed_on.isoformat(),
                "content_type": kind[0],
                "bytes": size,
                "sha256": consent.scan_sha256,
                **_capture_details(consent),
            },
        )
    except Exception:
        consent.scan.delete(save=False)  # nothing half-written: no stored file without its record
        raise
    return consent


@transaction.atomic
def consent_scan_qc(*, actor: User, consent: Consent, approve: bool, note: str = "") -> Consent:
    """A second person (never the uploader) approves or rejects a scanned form. Approval makes it count.

    An approved form counts from its signing date, so it never overrides a withdrawal or refusal that took effect
    after that date: the returned consent's ``qc_warnings`` say so, in words for the person approving.
    """
    require_manage_consent(actor, consent.biobank)
    consent = Consent.objects.select_for_update(of=("self",)).select_related("template", "donor").get(pk=consent.pk)
    target = ConsentStatus.VALID if approve else ConsentStatus.REJECTED
    if not consent.can_become(target):
        raise ConflictError(
            _("This consent is %(status)s; QC decides only on pending scans.")
            % {"status": consent.get_status_display().lower()},
            code="transition",
        )
    if getattr(actor, "pk", None) == consent.recorded_by_id:
        raise DomainError(
            _("You uploaded this scan; a second person must check it (four-eyes principle)."), code="same_person"
        )
    if not approve and not (note or "").strip():
        raise DomainError(_("Say why the scan is rejected."), field="note", code="required")
    note = free_text_check(note, field="note", donor=consent.donor)
    now = timezone.now()
    consent.status, consent.qc_by, consent.qc_at, consent.qc_note = target, actor, now, (note or "").strip()
    consent.save(update_fields=["status", "qc_by", "qc_at", "qc_note"])
    warnings: list[str] = []
    if approve:
        checked = dict(consent.choices.values_list("module_id", "choice"))
        _expand(consent, checked, recorded_at=now, actor=actor)
        warnings = consent_later_denials(consent=consent)
    audit_record(
        actor=actor,
        action="consent.qc_approve" if approve else "consent.qc_reject",
        obj=consent,
        changes={"status": [ConsentStatus.PENDING_QC, target]},
        reason=consent.qc_note or None,
        details={"warnings": warnings} if warnings else None,
    )
    consent.qc_warnings = warnings  # type: ignore[attr-defined]  # shown to the person who approved
    return consent
