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
from biobank.audit.reasons import steward_reason_clean
from biobank.audit.services import audit_record
from biobank.errors import ConflictError, DomainError

from ..choices import (
    CHOICES_OF_FORM,
    CONSENT_ALLOWED_TRANSITIONS,
    ActOrigin,
    ConsentSource,
    ConsentStatus,
    DonorStatus,
    ModuleChoice,
    PolicyStateValue,
    TemplateStatus,
    TemplateType,
)
from ..documents import document_read, document_store, signature_store
from ..free_text import free_text_check
from ..models import Consent, ConsentModuleChoice, Donor, Module, PolicyState, Template
from ..selectors.consents import consent_later_denials
from ..validity import shortest_end
from .capture_checks import check_place, check_representation, check_staff
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
STATE_OF_CHOICE = {  # on a consent form
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


def _check_choices(
    template: Template, modules: list[Module], choices: Mapping[str, str], language: str
) -> dict[int, str]:
    """Module code → choice, checked against what the form type records (``CHOICES_OF_FORM``).

    A consent form: every mandatory module accepted, nesting respected. A withdrawal form: the ticked modules are
    ``withdrawn`` (at least one). A refusal form refuses everything on it: no module may be accepted.
    """
    by_code = {m.code: m for m in modules}
    unknown = sorted(set(choices) - set(by_code))
    if unknown:
        raise DomainError(
            f"The template has no module {', '.join(unknown)}; its modules are {', '.join(by_code)}.",
            field="choices",
            code="unknown_module",
        )
    form = template.type
    allowed = CHOICES_OF_FORM[form]
    result: dict[int, str] = {}
    for module in modules:
        choice = choices.get(module.code) or ModuleChoice.UNANSWERED
        if choice not in allowed:
            what = {
                TemplateType.CONSENT: "a consent form records accepted, declined or unanswered",
                TemplateType.WITHDRAWAL: "a withdrawal form records the modules withdrawn (withdrawn) and leaves "
                "the others unanswered",
                TemplateType.REFUSAL: "a refusal form refuses everything on it: nothing can be accepted",
            }[form]
            raise DomainError(
                f"The answer for “{module.title_in(language)}” ({module.code}) cannot be {choice!r}: {what}.",
                field=f"choices/{module.code}",
                code="choice_for_form",
            )
        if form == TemplateType.CONSENT and module.mandatory and choice != ModuleChoice.ACCEPTED:
            what = "was declined" if choice == ModuleChoice.DECLINED else "is missing"
            raise DomainError(
                f"The mandatory module “{module.title_in(language)}” ({module.code}) {what}: the donor must accept it "
                "to sign this form (record a refusal on a refusal form instead).",
                field=f"choices/{module.code}",
                code="mandatory_module",
            )
        result[module.pk] = choice
    if form == TemplateType.WITHDRAWAL and ModuleChoice.WITHDRAWN not in result.values():
        raise DomainError(
            "Tick at least one module the donor withdraws from (a withdrawal form with nothing ticked withdraws "
            "nothing).",
            field="choices",
            code="nothing_withdrawn",
        )
    for module in modules:
        parent_refused = module.parent_id in result and result[module.parent_id] != ModuleChoice.ACCEPTED
        if form == TemplateType.CONSENT and parent_refused and result[module.pk] == ModuleChoice.ACCEPTED:
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


def nested_in(module_ids: set[int]) -> set[int]:
    """``module_ids`` and every module nested in them in the catalogue, at any depth — also those a withdrawal form
    does not list: withdrawing a module withdraws what is part of it (one query per level of nesting)."""
    affected, frontier = set(module_ids), set(module_ids)
    while frontier:
        frontier = set(Module.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - affected
        affected |= frontier
    return affected


def _expand(consent: Consent, choices: dict[int, str], *, recorded_at: Any, actor: Any) -> list[PolicyState]:
    """The acts a signature writes, one per module and policy, as the form type says.

    Consent form: accepted / declined / unknown per module; an acceptance lasts the shortest of the template's, the
    module's (and its parents') and the policy's validity. Withdrawal form: ``withdrawn`` for the ticked modules and
    everything nested in them. Refusal form: ``refused`` for every policy on it.
    """
    modules = _template_modules(consent.template)
    form = consent.template.type
    if form == TemplateType.WITHDRAWAL:
        ticked = {pk for pk, choice in choices.items() if choice == ModuleChoice.WITHDRAWN}
        chosen = nested_in(ticked)
        modules = [*modules, *Module.objects.filter(pk__in=chosen - {m.pk for m in modules})]
        state_of = dict.fromkeys(chosen, PolicyStateValue.WITHDRAWN)
    elif form == TemplateType.REFUSAL:
        state_of = {m.pk: PolicyStateValue.REFUSED for m in modules}
    else:
        state_of = {pk: STATE_OF_CHOICE[choice] for pk, choice in choices.items()}
    through = Module.policies.through.objects.filter(module__in=modules).select_related("policy")
    policies_of: dict[int, list] = {}
    for row in through:
        policies_of.setdefault(row.module_id, []).append(row.policy)
    by_id = {m.pk: m for m in modules}
    rows = []
    for module in modules:
        if module.pk not in state_of:
            continue
        state = state_of[module.pk]
        limits = [consent.template.consent_validity, module.validity, *(m.validity for m in _ancestors(module, by_id))]
        for policy in sorted(policies_of.get(module.pk, []), key=lambda p: p.code):
            accepted = state == PolicyStateValue.ACCEPTED
            valid_to = shortest_end([*limits, policy.validity], start=consent.signed_on) if accepted else None
            if valid_to is not None and valid_to < consent.signed_on:
                raise DomainError(
                    f"Policy {policy.code} in module {module.code} would be valid only until {valid_to}, before the "
                    f"form was signed on {consent.signed_on}: the validity of the template, module or policy has "
                    "ended; sign a current version.",
                    field="template",
                    code="validity_ended",
                )
            rows.append(
                PolicyState(
                    consent=consent,
                    donor_id=consent.donor_id,
                    module=module,
                    policy=policy,
                    origin=ActOrigin.SIGNATURE,
                    state=state,
                    valid_from=consent.signed_on,
                    valid_to=valid_to,
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
    representative_legal_basis: str = "",
    witness: Any = None,
    informed_by: Any = None,
    informed_place: str = "",
) -> Consent:
    """Record a consent signed on screen: the exact version text, per-module choices, signatures; audited.

    Only the currently active version of a template may be signed today. ``choices`` maps module codes to
    ``accepted``/``declined``/``unanswered``. The typed name is the signature (the keyboard-accessible way); the
    drawn one is added when given. ``witness`` is the staff member who saw the donor sign (the signed-in
    ``actor`` unless another active member of the biobank is named); they become the countersigner, and
    ``countersigned`` is the recorder's explicit attestation of it. ``informed_by`` (a staff member) and
    ``informed_place`` say who informed the donor and where; both are required. A donor who is a minor on the
    signing date needs a representative with ``representative_legal_basis`` (see ``capture_checks``). The PDF
    receipt is made after commit.
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
    checked = _check_choices(template, modules, choices, language)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise DomainError(
            "Type the name of the person signing: it is the signature (a drawn signature may be added).",
            field="signer_name",
            code="required",
        )
    png = _check_png(signature_png)
    rep_name, rep_relation = _check_representative(representative_name, representative_relation)
    legal_basis = check_representation(
        donor=donor,
        signed_on=signed_on,
        representative_name=rep_name,
        representative_relation=rep_relation,
        legal_basis=representative_legal_basis,
    )
    witness = actor if witness is None or witness == actor else witness
    if witness != actor:
        check_staff(witness, biobank_id=donor.biobank_id, field="witness", what="witness of the signature")
    informed_by, informed_place = _check_information(actor, donor, informed_by, informed_place)
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
        representative_legal_basis=legal_basis,
        countersigned_by=witness,
        countersigned_at=now,
        informed_by=informed_by,
        informed_place=informed_place,
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
            **_capture_details(consent),
        },
    )
    _queue_receipt(consent.pk)
    return consent


def _check_information(actor: Any, donor: Donor, informed_by: Any, informed_place: str) -> tuple[Any, str]:
    """Who informed the donor (a staff member of the biobank; the recorder needs no second check) and where."""
    if informed_by is None or informed_by != actor:
        check_staff(informed_by, biobank_id=donor.biobank_id, field="informed_by", what="person who informed the donor")
    return informed_by, check_place(informed_place)


def _capture_details(consent: Consent) -> dict[str, Any]:
    """Who stood beside the signature, for the audit trail: staff only, never the donor or the representative."""
    return {
        "witnessed_by": consent.countersigned_by.email if consent.countersigned_by else None,
        "informed_by": consent.informed_by.email if consent.informed_by else None,
        "informed_place": consent.informed_place,
        "representative_legal_basis": consent.representative_legal_basis or None,
    }


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
def consent_scan_qc(*, actor: Any, consent: Consent, approve: bool, note: str = "") -> Consent:
    """A second person (never the uploader) approves or rejects a scanned form. Approval makes it count.

    An approved form counts from its signing date, so it never overrides a withdrawal or refusal that took effect
    after that date: the returned consent's ``qc_warnings`` say so, in words for the person approving.
    """
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
        return steward_reason_clean(reason, prompt="State why you need this document (it shows the signer's name)")
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
