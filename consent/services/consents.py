"""Writes of signed consents: electronic capture, scanned paper forms with QC, module withdrawal, receipts.

Every signed consent expands into per-policy state rows (``PolicyState``), the append-only history the consent gate
reads. A scanned paper form gets those rows only when a second person approves it in QC, so until then the gate does
not see it — and "as known at" a moment before the approval, it was not known either.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from biobank.accounts.selectors import user_has_biobank_perm
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ..choices import (
    CONSENT_ALLOWED_TRANSITIONS,
    ConsentSource,
    ConsentStatus,
    DonorStatus,
    ModuleChoice,
    PolicyStateValue,
    TemplateStatus,
)
from ..documents import document_read, document_store, signature_store
from ..free_text import free_text_check
from ..models import Consent, ConsentModuleChoice, Donor, Module, PolicyState, Template
from ..validity import shortest_end
from .catalogue import require_manage_consent

__all__ = [
    "SCAN_MAX_BYTES",
    "SIGNATURE_MAX_BYTES",
    "consent_receipt_generate",
    "consent_receipt_read",
    "consent_record",
    "consent_scan_qc",
    "consent_scan_read",
    "consent_scan_upload",
    "consent_withdraw_module",
    "scan_kind",
]

logger = logging.getLogger(__name__)

# Proposed settings (CONSENT_SCAN_MAX_BYTES, CONSENT_SIGNATURE_MAX_BYTES); module constants until they exist.
SCAN_MAX_BYTES = 10 * 1024 * 1024
SIGNATURE_MAX_BYTES = 512 * 1024
SCAN_KINDS = (  # (magic bytes, content type, extension): the file's own first bytes decide, never its name
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
STATE_OF_CHOICE = {
    ModuleChoice.ACCEPTED: PolicyStateValue.ACCEPTED,
    ModuleChoice.DECLINED: PolicyStateValue.DECLINED,
    ModuleChoice.UNANSWERED: PolicyStateValue.UNKNOWN,
}


# --- checks shared by both ways of signing -----------------------------------------------------------------------


def _template_modules(template: Template) -> list[Module]:
    return [link.module for link in template.template_modules.select_related("module").order_by("position")]


def _check_donor(donor: Donor) -> None:
    if donor.status != DonorStatus.ACTIVE:
        raise DomainError(
            f"Donor {donor.pid} is {donor.get_status_display().lower()}; consent can only be recorded for an active "
            "donor.",
            field="donor",
            code="donor_status",
        )


def _check_choices(modules: list[Module], choices: Mapping[str, str], language: str) -> dict[int, str]:
    """Module code → choice, checked: every mandatory module accepted, no unknown codes, nesting respected."""
    by_code = {m.code: m for m in modules}
    unknown = sorted(set(choices) - set(by_code))
    if unknown:
        raise DomainError(
            f"The template has no module {', '.join(unknown)}; its modules are {', '.join(by_code)}.",
            field="choices",
            code="unknown_module",
        )
    result: dict[int, str] = {}
    for module in modules:
        choice = choices.get(module.code) or ModuleChoice.UNANSWERED
        if choice not in ModuleChoice.values:
            raise DomainError(
                f"The answer for “{module.title_in(language)}” must be one of {', '.join(ModuleChoice.values)}.",
                field=f"choices/{module.code}",
            )
        if module.mandatory and choice != ModuleChoice.ACCEPTED:
            what = "was declined" if choice == ModuleChoice.DECLINED else "is missing"
            raise DomainError(
                f"The mandatory module “{module.title_in(language)}” ({module.code}) {what}: the donor must accept it "
                "to sign this form (record a refusal on a refusal form instead).",
                field=f"choices/{module.code}",
                code="mandatory_module",
            )
        result[module.pk] = choice
    for module in modules:
        parent_refused = module.parent_id in result and result[module.parent_id] != ModuleChoice.ACCEPTED
        if parent_refused and result[module.pk] == ModuleChoice.ACCEPTED:
            parent = next(m for m in modules if m.pk == module.parent_id)
            raise DomainError(
                f"“{module.title_in(language)}” is part of “{parent.title_in(language)}”, which was not accepted; "
                "it cannot be accepted on its own.",
                field=f"choices/{module.code}",
                code="nested_module",
            )
    return result


def _check_language(template: Template, language: str) -> None:
    languages = sorted(template.texts.values_list("language", flat=True))
    if language not in languages:
        raise DomainError(
            f"Template {template} has no text in {language!r}; it is available in {', '.join(languages)}.",
            field="language",
        )


def _check_representative(name: str, relation: str) -> tuple[str, str]:
    name, relation = (name or "").strip(), (relation or "").strip()
    if bool(name) != bool(relation):
        raise DomainError(
            "For a legal representative or guardian give both the name and the relation to the donor.",
            field="representative_relation" if name else "representative_name",
            code="required",
        )
    return name, relation


def _lock_and_mark_signed(template: Template, now: Any) -> Template:
    """Lock the version row; the first signature freezes it (``signed_at``), also for the database triggers."""
    locked = Template.objects.select_for_update().get(pk=template.pk)
    if locked.signed_at is None:
        locked.signed_at = now
        locked.save(update_fields=["signed_at"])
    return locked


def _ancestors(module: Module, by_id: dict[int, Module]) -> list[Module]:
    chain, seen = [], set()
    while module.parent_id is not None and module.parent_id in by_id and module.parent_id not in seen:
        seen.add(module.parent_id)
        module = by_id[module.parent_id]
        chain.append(module)
    return chain


def _expand(consent: Consent, choices: dict[int, str], *, recorded_at: Any, actor: Any) -> list[PolicyState]:
    """One state row per module and policy; expiry is the shortest of template, module (and parents) and policy."""
    modules = _template_modules(consent.template)
    by_id = {m.pk: m for m in modules}
    through = Module.policies.through.objects.filter(module__in=modules).select_related("policy")
    policies_of: dict[int, list] = {}
    for row in through:
        policies_of.setdefault(row.module_id, []).append(row.policy)
    rows = []
    for module in modules:
        limits = [consent.template.consent_validity, module.validity, *(m.validity for m in _ancestors(module, by_id))]
        for policy in sorted(policies_of.get(module.pk, []), key=lambda p: p.code):
            rows.append(
                PolicyState(
                    consent=consent,
                    donor_id=consent.donor_id,
                    module=module,
                    policy=policy,
                    state=STATE_OF_CHOICE[choices[module.pk]],
                    valid_from=consent.signed_on,
                    valid_to=shortest_end([*limits, policy.validity], start=consent.signed_on),
                    recorded_at=recorded_at,
                    recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
    return PolicyState.objects.bulk_create(rows)


def _check_png(data: bytes | None) -> bytes | None:
    if not data:
        return None
    if len(data) > SIGNATURE_MAX_BYTES:
        raise DomainError(
            f"The drawn signature is {len(data) // 1024} KB; at most {SIGNATURE_MAX_BYTES // 1024} KB.",
            field="signature",
        )
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError("The drawn signature must be a PNG image.", field="signature", code="signature_format")
    from PIL import Image

    try:
        Image.open(io.BytesIO(data)).verify()
    except Exception:  # any decoding problem means the same thing to the person signing
        raise DomainError("The drawn signature is not a readable PNG image; draw again.", field="signature") from None
    return data


# --- electronic capture ------------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    donor: Donor,
    template: Template,
    language: str,
    choices: Mapping[str, str],
    signer_name: str,
    countersigned: bool,
    signature_png: bytes | None = None,
    representative_name: str = "",
    representative_relation: str = "",
    signed_on: date | None = None,
) -> Consent:
    """Record a consent signed on screen: the exact version text, per-module choices, signatures; audited.

    Only the currently active version of a template may be signed today. ``choices`` maps module codes to
    ``accepted``/``declined``/``unanswered``. The typed name is the signature (the keyboard-accessible way); the
    drawn one is added when given. ``countersigned`` is the signed-in staff member's explicit attestation that
    they witnessed the signature; they become the countersigner. The PDF receipt is made after commit.
    """
    require_manage_consent(actor, donor.biobank)
    now = timezone.now()
    today = timezone.localdate(now)
    signed_on = signed_on or today
    if signed_on != today:
        raise DomainError(
            "An on-screen consent is signed today; record an earlier paper form as a scan.", field="signed_on"
        )
    _check_donor(donor)
    if template.biobank_id != donor.biobank_id:
        raise DomainError("This template belongs to another biobank.", field="template")
    template = _lock_and_check_current(template, today)
    _check_language(template, language)
    modules = _template_modules(template)
    checked = _check_choices(modules, choices, language)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise DomainError(
            "Type the name of the person signing: it is the signature (a drawn signature may be added).",
            field="signer_name",
            code="required",
        )
    png = _check_png(signature_png)
    rep_name, rep_relation = _check_representative(representative_name, representative_relation)
    if not countersigned:
        raise DomainError(
            "Confirm as staff member that you witnessed the signature (countersignature).",
            field="countersigned",
            code="required",
        )
    _lock_and_mark_signed(template, now)
    consent = Consent.objects.create(
        biobank_id=donor.biobank_id,
        donor=donor,
        template=template,
        language=language,
        source=ConsentSource.ELECTRONIC,
        status=ConsentStatus.VALID,
        signed_on=signed_on,
        recorded_at=now,
        recorded_by=actor,
        representative_relation=rep_relation,
        countersigned_by=actor,
        countersigned_at=now,
    )
    signature_store(consent=consent, signer_name=signer_name, representative_name=rep_name, signature_png=png)
    _save_choices(consent, checked)
    states = _expand(consent, checked, recorded_at=now, actor=actor)
    audit_record(
        actor=actor,
        action="consent.record",
        obj=consent,
        details={
            "donor": donor.pid,
            "template": template.code,
            "version": template.version_label,
            "language": language,
            "choices": {m.code: checked[m.pk] for m in modules},
            "drawn_signature": png is not None,
            "representative": bool(rep_name),
            "policy_states": len(states),
        },
    )
    _queue_receipt(consent.pk)
    return consent


def _lock_and_check_current(template: Template, today: date) -> Template:
    """Signing is allowed only on the active version of its family, inside its signing period."""
    template = Template.objects.select_for_update().get(pk=template.pk)
    if template.status != TemplateStatus.ACTIVE:
        current = Template.objects.filter(
            biobank_id=template.biobank_id, code=template.code, status=TemplateStatus.ACTIVE
        ).first()
        hint = f" Sign the current version {current.version_label} instead." if current else ""
        raise DomainError(
            f"Version {template.version_label} of {template.code} is {template.get_status_display().lower()}, not "
            f"the version in use: it cannot be signed.{hint}",
            field="template",
            code="outdated_version",
        )
    if (template.valid_from and today < template.valid_from) or (template.valid_to and today > template.valid_to):
        raise DomainError(
            f"Version {template.version_label} may be signed from {template.valid_from or '—'} to "
            f"{template.valid_to or '—'}; today is outside that period.",
            field="template",
            code="outdated_version",
        )
    return template


def _save_choices(consent: Consent, checked: dict[int, str]) -> None:
    ConsentModuleChoice.objects.bulk_create(
        ConsentModuleChoice(consent=consent, module_id=pk, choice=choice) for pk, choice in checked.items()
    )


def _queue_receipt(consent_id: int) -> None:
    from ..tasks import receipt_generate

    def dispatch() -> None:
        try:
            receipt_generate.delay(consent_id=consent_id)
        except Exception:  # a committed consent stays committed; ``consent.receipts_missing`` makes the receipt later
            logger.exception("Receipt of consent %s not made now; the periodic task will make it.", consent_id)

    transaction.on_commit(dispatch)


# --- scanned paper forms -----------------------------------------------------------------------------------------


def scan_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, or None if it is not a PDF, PNG or JPEG."""
    for magic, content_type, extension in SCAN_KINDS:
        if head.startswith(magic):
            return content_type, extension
    return None


@transaction.atomic
def consent_scan_upload(
    *,
    actor: Any,
    donor: Donor,
    template: Template,
    language: str,
    choices: Mapping[str, str],
    signed_on: date,
    file: File,
    representative_name: str = "",
    representative_relation: str = "",
) -> Consent:
    """Record a signed paper form from its scan; it counts only after a second person approves it in QC.

    The scan must be a PDF, PNG or JPEG (by its first bytes) of at most ``SCAN_MAX_BYTES``; anything else is
    refused before a byte is stored. The version must have been in use on ``signed_on``.
    """
    require_manage_consent(actor, donor.biobank)
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if not size:
        raise DomainError("The scan is empty.", field="scan", code="empty")
    if size > SCAN_MAX_BYTES:
        raise DomainError(
            f"The scan is {size / 1024 / 1024:.1f} MB; at most {SCAN_MAX_BYTES // 1024 // 1024} MB is accepted.",
            field="scan",
            code="too_large",
        )
    file.seek(0)
    kind = scan_kind(file.read(16))
    if kind is None:
        raise DomainError(
            "The scan is not a PDF, PNG or JPEG file (judged by its content, not its name); scan the form as one of "
            "these.",
            field="scan",
            code="file_type",
        )
    _check_donor(donor)
    if template.biobank_id != donor.biobank_id:
        raise DomainError("This template belongs to another biobank.", field="template")
    today = timezone.localdate()
    if signed_on > today:
        raise DomainError("The signature date lies in the future.", field="signed_on")
    template = Template.objects.select_for_update().get(pk=template.pk)
    activated = timezone.localdate(template.activated_at) if template.activated_at else None
    retired = timezone.localdate(template.retired_at) if template.retired_at else None
    if activated is None or signed_on < activated or (retired is not None and signed_on > retired):
        raise DomainError(
            f"Version {template.version_label} of {template.code} was not in use on {signed_on} "
            f"(in use {activated or 'never'} to {retired or 'today'}): check the version printed on the form.",
            field="template",
            code="outdated_version",
        )
    _check_language(template, language)
    modules = _template_modules(template)
    checked = _check_choices(modules, choices, language)
    rep_name, rep_relation = _check_representative(representative_name, representative_relation)
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
            },
        )
    except Exception:
        consent.scan.delete(save=False)  # nothing half-written: no stored file without its record
        raise
    return consent


@transaction.atomic
def consent_scan_qc(*, actor: Any, consent: Consent, approve: bool, note: str = "") -> Consent:
    """A second person (never the uploader) approves or rejects a scanned form. Approval makes it count."""
    require_manage_consent(actor, consent.biobank)
    consent = Consent.objects.select_for_update(of=("self",)).select_related("template", "donor").get(pk=consent.pk)
    target = ConsentStatus.VALID if approve else ConsentStatus.REJECTED
    if target not in CONSENT_ALLOWED_TRANSITIONS[consent.status]:
        raise ConflictError(
            f"This consent is {consent.get_status_display().lower()}; QC decides only on pending scans.",
            code="transition",
        )
    if getattr(actor, "pk", None) == consent.recorded_by_id:
        raise DomainError(
            "You uploaded this scan; a second person must check it (four-eyes principle).", code="same_person"
        )
    if not approve and not (note or "").strip():
        raise DomainError("Say why the scan is rejected.", field="note", code="required")
    note = free_text_check(note, field="note", donor=consent.donor)
    now = timezone.now()
    consent.status, consent.qc_by, consent.qc_at, consent.qc_note = target, actor, now, (note or "").strip()
    consent.save(update_fields=["status", "qc_by", "qc_at", "qc_note"])
    if approve:
        checked = dict(consent.choices.values_list("module_id", "choice"))
        _expand(consent, checked, recorded_at=now, actor=actor)
    audit_record(
        actor=actor,
        action="consent.qc_approve" if approve else "consent.qc_reject",
        obj=consent,
        changes={"status": [ConsentStatus.PENDING_QC, target]},
        reason=consent.qc_note or None,
    )
    return consent


# --- withdrawal of one module ------------------------------------------------------------------------------------


@transaction.atomic
def consent_withdraw_module(
    *, actor: Any, consent: Consent, module: Module, effective: date, reason: str
) -> list[PolicyState]:
    """Withdraw one module (and the modules nested in it) of a consent from ``effective`` on.

    Appends ``withdrawn`` rows (``valid_from=effective``, ``recorded_at=now``); the rows of the signature stay as
    they were. A withdrawal cannot be back-dated before the day it is recorded: it stops future use and does not
    undo use that already happened. Propagation to specimens (dynamic consent) will hang off the audit event.
    """
    require_manage_consent(actor, consent.biobank)
    consent = Consent.objects.select_for_update(of=("self",)).select_related("template").get(pk=consent.pk)
    if consent.status != ConsentStatus.VALID:
        raise DomainError("Only a consent that counts can be withdrawn from.", code="consent_status")
    modules = _template_modules(consent.template)
    if module.pk not in {m.pk for m in modules}:
        raise DomainError(f"Module {module} is not part of this consent.", field="module")
    if not (reason or "").strip():
        raise DomainError("Record the reason or the donor's words for the withdrawal.", field="reason", code="required")
    now = timezone.now()
    if effective < timezone.localdate(now):
        raise DomainError(
            f"A withdrawal takes effect today or later, not on {effective}: it cannot undo use that already happened.",
            field="effective",
        )
    affected = {module.pk}
    changed = True
    while changed:  # the module and everything nested in it
        nested = {m.pk for m in modules if m.parent_id in affected}
        changed = not nested <= affected
        affected |= nested
    latest = (
        PolicyState.objects.filter(consent=consent, module_id__in=affected, valid_from__lte=effective)
        .order_by("module_id", "policy_id", "-valid_from", "-recorded_at", "-pk")
        .distinct("module_id", "policy_id")
    )
    rows = []
    for row in latest:
        if row.state in (PolicyStateValue.WITHDRAWN, PolicyStateValue.DECLINED):
            continue
        rows.append(
            PolicyState(
                consent=consent,
                donor_id=consent.donor_id,
                module_id=row.module_id,
                policy_id=row.policy_id,
                state=PolicyStateValue.WITHDRAWN,
                valid_from=effective,
                recorded_at=now,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                reason=reason.strip(),
            )
        )
    if not rows:
        raise ConflictError(
            f"Module {module.code} is already withdrawn or declined in this consent on {effective}.", code="withdrawn"
        )
    PolicyState.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="consent.withdraw_module",
        obj=consent,
        reason=reason.strip(),
        details={"module": module.code, "effective": effective.isoformat(), "policy_states": len(rows)},
    )
    return rows


# --- receipts and sensitive reads ----------------------------------------------------------------------------------


@transaction.atomic
def consent_receipt_generate(*, consent_id: int) -> Consent:
    """Make and store the PDF receipt (idempotent). Its hash is the SHA-256 of the stored file's bytes."""
    from ..receipts import receipt_pdf

    consent = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("donor", "template", "biobank", "countersigned_by")
        .get(pk=consent_id)
    )
    if consent.receipt_sha256 or consent.source != ConsentSource.ELECTRONIC:
        return consent
    data = receipt_pdf(consent)
    consent.receipt_sha256 = hashlib.sha256(data).hexdigest()  # of the PDF as served, not of the encrypted file
    consent.receipt_generated_at = timezone.now()
    document_store(consent, "receipt", data)
    try:
        consent.save(update_fields=["receipt", "receipt_sha256", "receipt_generated_at"])
        audit_record(
            actor="system:consent-receipt",
            action="consent.receipt_generate",
            obj=consent,
            details={"sha256": consent.receipt_sha256, "bytes": len(data)},
        )
    except Exception:
        consent.receipt.delete(save=False)
        raise
    return consent


def _document_reader(actor: Any, consent: Consent, reason: str | None) -> str:
    """Who may read a receipt or scan (names, signatures): consent officers of the consent's biobank
    (``manage_consent``), and identity stewards (``view_identity``) with a stated reason. Returns the audit reason."""
    if user_has_biobank_perm(user=actor, biobank=consent.biobank, perm="manage_consent"):
        return (reason or "").strip() or "consent officer"
    if user_has_biobank_perm(user=actor, biobank=consent.biobank, perm="view_identity"):
        if not isinstance(reason, str) or not reason.strip():
            raise DomainError(
                "State why you need this document: it shows the signer's name; the reason is recorded in the audit "
                "trail.",
                field="reason",
                code="required",
            )
        if len(reason.strip()) > 500:
            raise DomainError("Reason: at most 500 characters.", field="reason", code="max_length")
        return reason.strip()
    raise PermissionDenied(
        "Receipts and scans show who signed: only consent officers and identity stewards (with a reason) may open them."
    )


@transaction.atomic
def consent_receipt_read(*, actor: Any, consent: Consent, reason: str | None = None) -> bytes:
    """The decrypted receipt for a consent officer or a steward with a reason (see ``_document_reader``); audited.

    The bytes are the PDF whose SHA-256 is ``receipt_sha256``.
    """
    why = _document_reader(actor, consent, reason)
    if not consent.receipt_sha256:
        raise DomainError("The receipt is still being generated; try again in a moment.", code="not_ready")
    data = document_read(consent, "receipt")
    audit_record(
        actor=actor,
        action="consent.receipt_read",
        obj=consent,
        reason=why,
        details={"sha256": consent.receipt_sha256},
    )
    return data


@transaction.atomic
def consent_scan_read(*, actor: Any, consent: Consent, reason: str | None = None) -> bytes:
    """The decrypted scan (QC or later checks), under the receipt's rule; audited."""
    why = _document_reader(actor, consent, reason)
    if not consent.scan:
        raise DomainError("This consent has no scan.", code="no_scan")
    data = document_read(consent, "scan")
    audit_record(
        actor=actor, action="consent.scan_read", obj=consent, reason=why, details={"sha256": consent.scan_sha256}
    )
    return data
