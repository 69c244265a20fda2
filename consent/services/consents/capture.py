"""Electronic capture: a consent signed on screen, with a typed (and optionally drawn) signature."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from biobank.accounts.models import User
from biobank.audit.services import audit_record
from biobank.errors import DomainError
from biobank.ops.after_commit import after_commit

from ...choices import ConsentSource, ConsentStatus, TemplateStatus
from ...documents import signature_store
from ...models import Consent, Donor, Template
from ..capture_checks import check_representation, check_staff
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

# Proposed setting (CONSENT_SIGNATURE_MAX_BYTES); a module constant until it exists.
SIGNATURE_MAX_BYTES = 512 * 1024


def _check_png(data: bytes | None) -> bytes | None:
    if not data:
        return None
    if len(data) > SIGNATURE_MAX_BYTES:
        raise DomainError(
            _("The drawn signature is %(size_kb)s KB; at most %(max_kb)s KB.")
            % {"size_kb": len(data) // 1024, "max_kb": SIGNATURE_MAX_BYTES // 1024},
            field="signature",
        )
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError(_("The drawn signature must be a PNG image."), field="signature", code="signature_format")
    from PIL import Image

    try:
        Image.open(io.BytesIO(data)).verify()
    except Exception:  # any decoding problem means the same thing to the person signing
        raise DomainError(
            _("The drawn signature is not a readable PNG image; draw again."), field="signature"
        ) from None
    return data


@transaction.atomic
def consent_record(
    *,
    actor: User,
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
    signature_drawn: bool = False,
) -> Consent:
    """Record a consent signed on screen: the exact version text, per-module choices, signatures; audited.

    Only the currently active version of a template may be signed today. ``choices`` maps module codes to
    ``accepted``/``declined``/``unanswered``. The typed name is the signature (the keyboard-accessible way); the
    drawn one is added when given, and required when ``signature_drawn`` says the person chose to draw (a drawing
    lost on the way is refused, never recorded as a typed signature). ``witness`` is the staff member who saw the
    donor sign (the signed-in ``actor`` unless another active member of the biobank is named); they become the
    countersigner, and
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
            _("An on-screen consent is signed today; record an earlier paper form as a scan."), field="signed_on"
        )
    _check_donor(donor)
    if template.biobank_id != donor.biobank_id:
        raise DomainError(_("This template belongs to another biobank."), field="template")
    template = _lock_and_check_current(template, today)
    _check_language(template, language)
    modules = _template_modules(template)
    checked = _check_choices(template, modules, choices, language)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise DomainError(
            _("Type the name of the person signing: it is the signature (a drawn signature may be added)."),
            field="signer_name",
            code="required",
        )
    png = _check_png(signature_png)
    if signature_drawn and png is None:
        raise DomainError(
            _("No drawing arrived: draw the signature on the pad (again), or choose “Typed name only, no drawing”."),
            field="signature",
            code="required",
        )
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
            _("Confirm as staff member that you witnessed the signature (countersignature)."),
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


def _lock_and_check_current(template: Template, today: date) -> Template:
    """Signing is allowed only on the active version of its family, inside its signing period."""
    template = Template.objects.select_for_update().get(pk=template.pk)
    if template.status != TemplateStatus.ACTIVE:
        current = Template.objects.filter(
            biobank_id=template.biobank_id, code=template.code, status=TemplateStatus.ACTIVE
        ).first()
        names = {
            "version_label": template.version_label,
            "template_code": template.code,
            "status": template.get_status_display().lower(),
            "current": current.version_label if current else "",
        }
        message = (
            _(
                "Version %(version_label)s of %(template_code)s is %(status)s, not the version in use: it cannot be "
                "signed. Sign the current version %(current)s instead."
            )
            % names
            if current
            else _(
                "Version %(version_label)s of %(template_code)s is %(status)s, not the version in use: it cannot be "
                "signed."
            )
            % names
        )
        raise DomainError(
            message,
            field="template",
            code="outdated_version",
        )
    if not template.signable_on(today):
        raise DomainError(
            _(
                "Version %(version_label)s may be signed from %(valid_from)s to %(valid_to)s; today is outside that "
                "period."
            )
            % {
                "version_label": template.version_label,
                "valid_from": template.valid_from or "—",
                "valid_to": template.valid_to or "—",
            },
            field="template",
            code="outdated_version",
        )
    return template


def _queue_receipt(consent_id: int) -> None:
    from ...tasks import receipt_generate

    # A committed consent stays committed if the broker is down; ``consent.receipts_missing`` makes the receipt later.
    after_commit(receipt_generate, consent_id=consent_id)
